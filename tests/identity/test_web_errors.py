"""Sign-in start and callback failures: a clear page (400/403/503) in Russian, never a 500."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from jwcrypto import jwk, jwt
from keycloak.exceptions import KeycloakConnectionError, KeycloakPostError

from identity import web
from portal.testing import factories

pytestmark = pytest.mark.django_db

ISSUER = "http://sso.test/realms/portal"


class FakeProvider:
    """A stand-in for KeycloakOpenID with real RS256 ID tokens (jwcrypto) and scripted failures."""

    client_id = "portal-web"

    def __init__(self) -> None:
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid="k1")
        self.token_error: Exception | None = None
        self.nonce_override: str | None = None
        self.last_nonce = ""
        self.auth_error: Exception | None = None

    def well_known(self) -> dict[str, Any]:
        return {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout"}

    def auth_url(self, redirect_uri: str, scope: str = "", state: str = "", nonce: str = "",
                 code_challenge: str | None = None, code_challenge_method: str | None = None) -> str:
        if self.auth_error:
            raise self.auth_error
        self.last_nonce = nonce
        return (f"{ISSUER}/protocol/openid-connect/auth?client_id=portal-web&redirect_uri={redirect_uri}"
                f"&scope={scope}&state={state}&nonce={nonce}&code_challenge={code_challenge}"
                f"&code_challenge_method={code_challenge_method}")

    def certs(self) -> dict[str, Any]:
        return {"keys": [self.key.export_public(as_dict=True)]}

    def decode_token(self, token: str, validate: bool = True, **kwargs: Any) -> dict[str, Any]:
        from keycloak import KeycloakOpenID

        key = kwargs.pop("key", None)
        return KeycloakOpenID._verify_token(token, key if validate else None, **kwargs)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        token = jwt.JWT(header={"alg": "RS256", "kid": "k1"},
                        claims={"iss": ISSUER, "aud": "portal-web", "sub": "s", "exp": now + 300, "iat": now,
                                "nonce": nonce})
        token.make_signed_token(self.key)
        return token.serialize()

    def token(self, **kwargs: Any) -> dict[str, Any]:
        if self.token_error:
            raise self.token_error
        return {"access_token": "a", "refresh_token": "r", "expires_in": 300,
                "id_token": self.id_token(self.nonce_override or self.last_nonce)}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    fake = FakeProvider()
    monkeypatch.setattr(web, "openid_client", lambda request=None: fake)
    return fake


def _start(client: Client, next_url: str = "/workspace/") -> dict[str, str]:
    response = client.get("/accounts/login/", {"next": next_url})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def test_login_redirects_with_pkce_state_and_nonce(client: Client, provider: FakeProvider) -> None:
    params = _start(client)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/accounts/callback/"
    assert params["scope"] == "openid profile email"
    pending = client.session[web.SESSION_PENDING][params["state"]]
    assert pending["next"] == "/workspace/" and pending["nonce"] == params["nonce"]
    assert len(pending["verifier"]) >= 43


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_off_site_next_is_replaced_by_the_home_page(client: Client, provider: FakeProvider, next_url: str) -> None:
    params = _start(client, next_url)
    assert client.session[web.SESSION_PENDING][params["state"]]["next"] == "/home/"  # the signed-in role's home


@pytest.mark.parametrize("query", [{}, {"state": "forged", "code": "x"}, {"code": "x"}])
def test_unknown_state_is_a_clear_400(client: Client, provider: FakeProvider, query: dict[str, str]) -> None:
    _start(client)
    response = client.get("/accounts/callback/", query)
    assert response.status_code == 400
    assert "Ссылка для входа недействительна" in response.content.decode()


def test_state_is_single_use(client: Client, provider: FakeProvider) -> None:
    params = _start(client)
    provider.token_error = KeycloakPostError(error_message="invalid_grant", response_code=400)
    assert client.get("/accounts/callback/", {"state": params["state"], "code": "c"}).status_code == 400
    response = client.get("/accounts/callback/", {"state": params["state"], "code": "c"})
    assert "Ссылка для входа недействительна" in response.content.decode()


def test_refused_code_is_a_clear_400(client: Client, provider: FakeProvider) -> None:
    params = _start(client)
    provider.token_error = KeycloakPostError(error_message="invalid_grant", response_code=400)
    response = client.get("/accounts/callback/", {"state": params["state"], "code": "bad"})
    assert response.status_code == 400
    assert "Вход не выполнен" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_error_from_the_provider_is_a_clear_400(client: Client, provider: FakeProvider) -> None:
    params = _start(client)
    response = client.get("/accounts/callback/", {"state": params["state"], "error": "access_denied"})
    assert response.status_code == 400
    assert "Вход не выполнен" in response.content.decode()


def test_missing_code_is_a_clear_400(client: Client, provider: FakeProvider) -> None:
    params = _start(client)
    assert client.get("/accounts/callback/", {"state": params["state"]}).status_code == 400


def test_wrong_nonce_is_refused(client: Client, provider: FakeProvider, caplog: pytest.LogCaptureFixture) -> None:
    params = _start(client)
    provider.nonce_override = "replayed-nonce"
    response = client.get("/accounts/callback/", {"state": params["state"], "code": "c"})
    assert response.status_code == 400
    assert "Подтверждение личности недействительно" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "nonce mismatch" in caplog.text


def test_unreachable_provider_is_a_503_page(client: Client, provider: FakeProvider) -> None:
    provider.auth_error = KeycloakConnectionError("Can't connect to server")
    response = client.get("/accounts/login/")
    assert response.status_code == 503
    assert "Служба входа недоступна" in response.content.decode()


def test_english_error_page(client: Client, provider: FakeProvider) -> None:
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/callback/", {"state": "x"})
    assert response.status_code == 400
    assert "Sign-in link is not valid" in response.content.decode()


class FakeKeycloakModule:
    """identity.keycloak's contract (verify_access_token → Viewer, TokenRejected), scripted."""

    class TokenRejected(Exception):
        pass

    def __init__(self, viewer: Any) -> None:
        self.viewer = viewer
        self.seen: list[str] = []
        self.reject: str | None = None

    def verify_access_token(self, token: str) -> Any:
        self.seen.append(token)
        if self.reject:
            raise self.TokenRejected(self.reject)
        return self.viewer


@pytest.fixture
def fake_keycloak(monkeypatch: pytest.MonkeyPatch) -> FakeKeycloakModule:
    from identity import views
    from portal.core.viewer import Role, Viewer

    school = factories.organisation(code="school-7", name="СОШ № 7", kind="school")
    module = FakeKeycloakModule(Viewer(subject="s", username="partner.school", display_name="Ольга Смирнова",
                                       roles=frozenset({Role.PARTNER}), organisation_id=school.pk,
                                       organisation_code="school-7"))
    for adapter in (views, web):  # where the sign-in reads identity.keycloak's verify_access_token
        monkeypatch.setattr(adapter, "verify_access_token", module.verify_access_token)
        monkeypatch.setattr(adapter, "TokenRejected", module.TokenRejected)
    return module


def _access_token(provider: FakeProvider) -> str:
    token = jwt.JWT(header={"alg": "RS256", "kid": "k1"},
                    claims={"sub": "s", "preferred_username": "partner.school", "given_name": "Ольга",
                            "family_name": "Смирнова", "email": "o@example.org"})
    token.make_signed_token(provider.key)
    return token.serialize()


def test_successful_callback_signs_in_and_keeps_the_tokens(client: Client, provider: FakeProvider,
                                                           fake_keycloak: FakeKeycloakModule,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    params = _start(client, "/workspace/")
    original = provider.token
    monkeypatch.setattr(provider, "token", lambda **kw: {**original(**kw), "access_token": _access_token(provider),
                                                         "refresh_expires_in": 1800})
    response = client.get("/accounts/callback/", {"state": params["state"], "code": "good"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.session["_auth_user_backend"] == "identity.backends.KeycloakBackend"
    tokens = client.session[web.SESSION_TOKENS]
    assert tokens["refresh_token"] == "r" and tokens["id_token"].count(".") == 2
    assert tokens["expires_at"] > time.time() + 200
    profile = client.get("/accounts/profile/").content.decode()
    assert "Ольга Смирнова" in profile and "организация-партнёр" in profile and "СОШ № 7" in profile
    assert fake_keycloak.seen[-1] == tokens["access_token"]  # the session's Viewer comes from the token


def test_rejected_access_token_is_a_clear_403(client: Client, provider: FakeProvider,
                                             fake_keycloak: FakeKeycloakModule) -> None:
    params = _start(client)
    fake_keycloak.reject = "organisation is not active"
    response = client.get("/accounts/callback/", {"state": params["state"], "code": "good"})
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()
    assert "_auth_user_id" not in client.session
