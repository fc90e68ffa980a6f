"""python-keycloak's KeycloakOpenID works unchanged against the development realm served over HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.conf import settings
from jwcrypto import jwk
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from identity.realm.clients import ADMIN_CLIENT_ID, ADMIN_CLIENT_ROLES, ADMIN_CLIENT_SECRET, stable_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def openid(portal_server) -> KeycloakOpenID:
    return KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id="portal-web",
                          client_secret_key="portal-web-dev-secret")


def test_discovery_certs_password_refresh_userinfo_logout(openid: KeycloakOpenID) -> None:
    assert openid.well_known()["issuer"] == settings.DEVREALM_ISSUER
    keys = jwk.JWKSet()
    for cert in openid.certs()["keys"]:
        keys.add(jwk.JWK(**cert))
    tokens = openid.token("officer.ivanova", "demo")
    claims = openid.decode_token(tokens["access_token"], validate=True, key=keys)
    assert claims["preferred_username"] == "officer.ivanova" and claims["typ"] == "Bearer"
    assert "portal-gateway" in claims["aud"] and claims["groups"] == ["/institutions/kcson-zarechny"]
    assert "officer" in claims["realm_access"]["roles"] and claims["azp"] == "portal-web"
    id_claims = openid.decode_token(tokens["id_token"], validate=True, key=keys)
    assert id_claims["typ"] == "ID" and id_claims["aud"] == "portal-web" and id_claims["sub"] == claims["sub"]
    info = openid.userinfo(tokens["access_token"])
    assert info["name"] == "Марина Иванова" and info["sub"] == claims["sub"]
    refreshed = openid.refresh_token(tokens["refresh_token"])
    assert openid.decode_token(refreshed["access_token"], key=keys)["sid"] == claims["sid"]
    # revokeRefreshToken is off in the realm file (Keycloak's default): reusable until it expires
    again = openid.refresh_token(tokens["refresh_token"])
    assert openid.decode_token(again["access_token"], key=keys)["sid"] == claims["sid"]
    openid.logout(refreshed["refresh_token"])
    with pytest.raises(KeycloakError):  # the session is over
        openid.userinfo(refreshed["access_token"])
    with pytest.raises(KeycloakError):  # and so are all its refresh tokens
        openid.refresh_token(tokens["refresh_token"])


def test_wrong_password_and_client_secret(openid: KeycloakOpenID, portal_server) -> None:
    with pytest.raises(KeycloakError):
        openid.token("officer.ivanova", "wrong")
    bad = KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id="portal-web",
                         client_secret_key="nope")
    with pytest.raises(KeycloakError):
        bad.token("officer.ivanova", "demo")


def test_authorization_code_with_pkce_and_logout(openid: KeycloakOpenID, portal_server) -> None:
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:8000/accounts/callback/"
    url = openid.auth_url(redirect_uri=redirect, scope="openid", state="st4te", nonce="n0nce")
    with httpx.Client() as browser:
        assert browser.get(url).status_code == 400  # PKCE is required for portal-web
        url += f"&code_challenge={challenge}&code_challenge_method=S256"
        page = browser.get(url)
        assert page.status_code == 200 and 'lang="ru"' in page.text and '<label for="password">' in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        wrong = browser.post(url, data={**form, "csrf_token": csrf, "username": "partner.ngo", "password": "x"})
        assert wrong.status_code == 401 and "Неверное имя пользователя или пароль" in wrong.text
        assert browser.post(url, data={**form, "username": "partner.ngo", "password": "demo"}).status_code == 400
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text).group(1)
        done = browser.post(url, data={**form, "csrf_token": csrf, "username": "partner.ngo", "password": "demo"})
        assert done.status_code == 302
        query = parse_qs(urlparse(done.headers["location"]).query)
        assert query["state"] == ["st4te"]
        code = query["code"][0]
        with pytest.raises(KeycloakError):
            openid.token(grant_type="authorization_code", code=code, redirect_uri=redirect, code_verifier="bad" * 20)
        page = browser.get(url)  # SSO session: straight back with a new code
        assert page.status_code == 302
        code = parse_qs(urlparse(page.headers["location"]).query)["code"][0]
        tokens = openid.token(grant_type="authorization_code", code=code, redirect_uri=redirect,
                              code_verifier=verifier)
        claims = openid.decode_token(tokens["id_token"])
        assert claims["nonce"] == "n0nce" and claims["preferred_username"] == "partner.ngo"
        with pytest.raises(KeycloakError):  # codes are single-use
            openid.token(grant_type="authorization_code", code=code, redirect_uri=redirect, code_verifier=verifier)
        logout = f"{portal_server.url}/realms/portal/protocol/openid-connect/logout"
        assert browser.get(logout, params={"id_token_hint": tokens["id_token"],
                                           "post_logout_redirect_uri": "http://evil.example/"}).status_code == 400
        out = browser.get(logout, params={"id_token_hint": tokens["id_token"], "client_id": "portal-web",
                                          "post_logout_redirect_uri": "http://127.0.0.1:8000/"})
        assert out.status_code == 302 and out.headers["location"] == "http://127.0.0.1:8000/"
        assert browser.get(url).status_code == 200  # login form again: SSO session ended


def _keys(openid: KeycloakOpenID) -> jwk.JWKSet:
    keys = jwk.JWKSet()
    for cert in openid.certs()["keys"]:
        keys.add(jwk.JWK(**cert))
    return keys


def test_client_credentials_for_the_sync_realm_client(portal_server) -> None:
    """`portal sync-realm` authenticates as portal-admin's service account (KEYCLOAK_ADMIN_CLIENT_ID/_SECRET)."""
    assert settings.KEYCLOAK_ADMIN_CLIENT_ID == ADMIN_CLIENT_ID
    admin = KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id=ADMIN_CLIENT_ID,
                           client_secret_key=ADMIN_CLIENT_SECRET)
    tokens = admin.token(grant_type="client_credentials")
    assert tokens["token_type"] == "Bearer" and "refresh_token" not in tokens and "id_token" not in tokens
    claims = admin.decode_token(tokens["access_token"], validate=True, key=_keys(admin))
    assert claims["sub"] == stable_id("user", "service-account-portal-admin")
    assert claims["azp"] == "portal-admin" and claims["preferred_username"] == "service-account-portal-admin"
    assert claims["typ"] == "Bearer" and "sid" not in claims and "realm-management" in claims["aud"]
    assert claims["resource_access"]["realm-management"]["roles"] == list(ADMIN_CLIENT_ROLES)
    assert "portal-gateway" not in claims["aud"]  # not a gateway token
    info = admin.introspect(tokens["access_token"])
    assert info["active"] is True and info["client_id"] == "portal-admin"
    wrong = KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id=ADMIN_CLIENT_ID,
                           client_secret_key="wrong")
    with pytest.raises(KeycloakError) as error:
        wrong.token(grant_type="client_credentials")
    assert error.value.response_code == 401


@pytest.mark.parametrize(("client_id", "secret"), [("portal-web", "portal-web-dev-secret"),
                                                   ("portal-gateway", "portal-gateway-dev-secret")])
def test_client_credentials_refused_without_service_account(portal_server, client_id: str, secret: str) -> None:
    openid = KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id=client_id,
                            client_secret_key=secret)
    with pytest.raises(KeycloakError) as error:
        openid.token(grant_type="client_credentials")
    assert error.value.response_code == 401 and b"unauthorized_client" in error.value.response_body


def test_introspection(openid: KeycloakOpenID, portal_server) -> None:
    """RFC 7662 through python-keycloak's `introspect`: active with the claims, inactive after logout."""
    url = openid.well_known()["introspection_endpoint"]
    assert url == f"{portal_server.url}/realms/portal/protocol/openid-connect/token/introspect"
    tokens = openid.token("partner.school", "demo")
    info = openid.introspect(tokens["access_token"])
    assert info["active"] is True and info["username"] == "partner.school" and info["client_id"] == "portal-web"
    assert info["token_type"] == "Bearer" and "portal-gateway" in info["aud"]
    assert info["groups"] == ["/partners/school-7"] and "partner" in info["realm_access"]["roles"]
    assert openid.introspect(tokens["refresh_token"], token_type_hint="refresh_token")["active"] is True
    assert openid.introspect("not-a-token") == {"active": False}
    from identity.testing import issue_token

    assert openid.introspect(issue_token(username="partner.school", expires_in=-60)) == {"active": False}
    unknown = KeycloakOpenID(server_url=portal_server.url + "/", realm_name="portal", client_id="portal-web",
                             client_secret_key="wrong")
    with pytest.raises(KeycloakError) as error:  # the caller must authenticate
        unknown.introspect(tokens["access_token"])
    assert error.value.response_code == 401
    openid.logout(tokens["refresh_token"])
    assert openid.introspect(tokens["access_token"]) == {"active": False}
    assert openid.introspect(tokens["refresh_token"]) == {"active": False}


def test_refresh_tokens_single_use_when_the_realm_revokes_them(openid: KeycloakOpenID, settings: Any,
                                                               tmp_path: Path) -> None:
    data = json.loads(Path(settings.KEYCLOAK_REALM_FILE).read_text(encoding="utf-8"))
    assert data["revokeRefreshToken"] is False
    data["revokeRefreshToken"] = True
    settings.KEYCLOAK_REALM_FILE = tmp_path / "portal-realm.json"
    settings.KEYCLOAK_REALM_FILE.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tokens = openid.token("officer.ivanova", "demo")
    refreshed = openid.refresh_token(tokens["refresh_token"])
    with pytest.raises(KeycloakError):
        openid.refresh_token(tokens["refresh_token"])
    assert openid.introspect(tokens["refresh_token"])["active"] is False
    assert openid.refresh_token(refreshed["refresh_token"])["access_token"]
