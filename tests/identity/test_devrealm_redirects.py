"""Redirect and post-logout URIs of the development realm: the client's registered patterns, or the very origin
that serves the realm (the portal on any port, e.g. `portal demo --port 8001`), and nothing else.

The test server listens on a random port that the committed realm file does not list (it lists :8000)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from identity import web

pytestmark = pytest.mark.django_db(transaction=True)

AUTH = "/realms/portal/protocol/openid-connect/auth"
LOGOUT = "/realms/portal/protocol/openid-connect/logout"


def _auth_url(base: str, redirect_uri: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 64).digest()).rstrip(b"=").decode()
    return base + AUTH + "?" + urlencode({
        "client_id": "portal-web", "redirect_uri": redirect_uri, "response_type": "code", "scope": "openid",
        "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"})


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def test_own_origin_accepted_on_any_port(portal_server: Any) -> None:
    assert _port(portal_server.url) != 8000
    page = requests.get(_auth_url(portal_server.url, f"{portal_server.url}/accounts/callback/"), timeout=10)
    assert page.status_code == 200 and 'name="password"' in page.text
    registered = requests.get(_auth_url(portal_server.url, "http://127.0.0.1:8000/accounts/callback/"), timeout=10)
    assert registered.status_code == 200  # still: the realm file's patterns


@pytest.mark.parametrize("redirect_uri", [
    "http://evil.example/accounts/callback/",
    "https://evil.example/",
    "http://127.0.0.1:1/accounts/callback/",           # same host, another port that does not serve the realm
    "http://localhost:{port}/accounts/callback/",      # same server, but another origin
    "https://127.0.0.1:{port}/accounts/callback/",     # another scheme
    "http://127.0.0.1:{port}@evil.example/",           # userinfo trick
    "http://127.0.0.1:{port}/accounts/callback/#frag",
    "//127.0.0.1:{port}/accounts/callback/",
    "/accounts/callback/",
    "javascript:alert(1)",
])
def test_other_redirects_refused(portal_server: Any, redirect_uri: str) -> None:
    uri = redirect_uri.format(port=_port(portal_server.url))
    page = requests.get(_auth_url(portal_server.url, uri), timeout=10, allow_redirects=False)
    assert page.status_code == 400 and "Недопустимый адрес возврата" in page.text


def test_foreign_host_header_is_not_an_own_origin(portal_server: Any) -> None:
    """A Host outside ALLOWED_HOSTS does not make its own origin acceptable."""
    page = requests.get(_auth_url(portal_server.url, "http://evil.example/cb"), headers={"Host": "evil.example"},
                        timeout=10, allow_redirects=False)
    assert page.status_code == 400


def test_post_logout_redirect(portal_server: Any) -> None:
    base = portal_server.url
    out = requests.get(base + LOGOUT, params={"client_id": "portal-web",
                                              "post_logout_redirect_uri": f"{base}/accounts/logged-out/"},
                       timeout=10, allow_redirects=False)
    assert out.status_code == 302 and out.headers["location"] == f"{base}/accounts/logged-out/"
    for target in ("http://evil.example/accounts/logged-out/", "http://127.0.0.1:1/accounts/logged-out/"):
        refused = requests.get(base + LOGOUT, params={"client_id": "portal-web", "post_logout_redirect_uri": target},
                               timeout=10, allow_redirects=False)
        assert refused.status_code == 400, target


def test_portal_sign_in_round_trip_on_another_port(portal_server: Any, region_orgs: None, settings: Any) -> None:
    """What `portal demo --port 8001` does: the committed realm file, the portal and its realm on another port,
    the issuer (and the address the server reaches the realm at) from PUBLIC_BASE_URL, which the demo command
    sets from the port; a browser signs in, sees its name and signs out through the realm."""
    base = portal_server.url
    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""
    settings.DEVREALM_ISSUER = f"{base}/realms/portal"
    web.reset_clients()
    browser = requests.Session()
    start = browser.get(f"{base}/accounts/login/", params={"next": "/accounts/profile/"}, allow_redirects=False)
    assert start.status_code == 302 and start.headers["location"].startswith(base + AUTH)
    page = browser.get(start.headers["location"], allow_redirects=False)
    assert page.status_code == 200, page.text[:300]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    back = browser.post(page.url, data={**fields, "username": "partner.school", "password": "demo"},
                        allow_redirects=False)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{base}/accounts/callback/?")
    signed_in = browser.get(back.headers["location"], allow_redirects=False)
    assert signed_in.status_code == 302 and signed_in.headers["location"] == "/accounts/profile/"
    profile = browser.get(f"{base}/accounts/profile/")
    assert profile.status_code == 200 and "Смирнова" in profile.text
    form = browser.get(f"{base}/accounts/logout/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf is not None
    out = browser.post(f"{base}/accounts/logout/", data={"csrfmiddlewaretoken": csrf.group(1)},
                       headers={"Referer": f"{base}/accounts/logout/"}, allow_redirects=False)
    assert out.status_code == 302 and out.headers["location"].startswith(base + LOGOUT)
    ended = browser.get(out.headers["location"], allow_redirects=False)
    assert ended.status_code == 302 and ended.headers["location"] == f"{base}/accounts/logged-out/"
    web.reset_clients()
