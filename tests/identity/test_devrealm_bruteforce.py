"""Issue 11 finding 11 (development realm): brute-force detection from the realm file's settings, on the
password grant and the login form; the login form's CSRF token is bound to the browser that fetched it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from identity.devrealm.bruteforce import PROTECTOR, BruteForceProtector

TOKEN = "/realms/portal/protocol/openid-connect/token"
AUTH = "/realms/portal/protocol/openid-connect/auth"
REDIRECT = "http://127.0.0.1:8000/accounts/callback/"
PROTECTED = {"bruteForceProtected": True}


@pytest.fixture(autouse=True)
def fresh_protector() -> Iterator[None]:
    PROTECTOR.clear()
    yield
    PROTECTOR.clear()


# --- the rules, with a fake clock ---------------------------------------------------------------------

def test_nothing_without_brute_force_protected() -> None:
    guard = BruteForceProtector()
    for n in range(300):
        guard.failure({}, "u", now=1000 + n * 0.01)
    assert not guard.locked({}, "u", now=1003)


def test_failure_factor_and_wait_increment() -> None:
    realm = {**PROTECTED, "failureFactor": 5, "waitIncrementSeconds": 30, "maxFailureWaitSeconds": 100}
    guard = BruteForceProtector()
    for n in range(4):  # slow failures: no quick-login lock
        guard.failure(realm, "u", now=1000 + n * 5)
        assert not guard.locked(realm, "u", now=1000 + n * 5 + 1)
    guard.failure(realm, "u", now=1020)  # 5th: 30 s
    assert guard.locked(realm, "u", now=1049) and not guard.locked(realm, "u", now=1051)
    for n in range(5):  # 10th: 60 s
        guard.failure(realm, "u", now=1060 + n * 5)
    assert guard.locked(realm, "u", now=1080 + 59) and not guard.locked(realm, "u", now=1080 + 61)
    for n in range(10):  # 20th: 120 s, capped at maxFailureWaitSeconds 100
        guard.failure(realm, "u", now=1200 + n * 5)
    assert guard.locked(realm, "u", now=1245 + 99) and not guard.locked(realm, "u", now=1245 + 101)


def test_quick_failures_and_reset() -> None:
    realm = {**PROTECTED, "quickLoginCheckMilliSeconds": 1000, "minimumQuickLoginWaitSeconds": 60,
             "maxDeltaTimeSeconds": 600, "failureFactor": 3}
    guard = BruteForceProtector()
    guard.failure(realm, "u", now=1000.0)
    assert not guard.locked(realm, "u", now=1000.1)
    guard.failure(realm, "u", now=1000.5)  # 0.5 s after the last one
    assert guard.locked(realm, "u", now=1059) and not guard.locked(realm, "u", now=1061)
    guard.failure(realm, "u", now=2000)  # more than maxDeltaTimeSeconds later: counting starts again
    assert guard.failures["u"].count == 1
    guard.success("u")
    assert "u" not in guard.failures


def test_permanent_lockout() -> None:
    realm = {**PROTECTED, "permanentLockout": True, "failureFactor": 3}
    guard = BruteForceProtector()
    for n in range(3):
        guard.failure(realm, "u", now=1000 + n * 10)
    assert guard.locked(realm, "u", now=10**9)
    guard.success("u")  # a disabled user stays disabled
    assert guard.locked(realm, "u", now=10**9)


def test_permanent_lockout_after_temporary_ones() -> None:
    realm = {**PROTECTED, "permanentLockout": True, "maxTemporaryLockouts": 1, "failureFactor": 2,
             "waitIncrementSeconds": 10}
    guard = BruteForceProtector()
    guard.failure(realm, "u", now=1000)
    guard.failure(realm, "u", now=1005)  # first temporary lockout
    assert guard.locked(realm, "u", now=1010) and not guard.locked(realm, "u", now=1016)
    guard.failure(realm, "u", now=1020)
    guard.failure(realm, "u", now=1025)  # second: permanent
    assert guard.locked(realm, "u", now=10**9)


# --- over HTTP --------------------------------------------------------------------------------------

def _realm_file(tmp_path: Path, settings: Any, **values: Any) -> None:
    realm = json.loads(Path(settings.KEYCLOAK_REALM_FILE).read_text(encoding="utf-8"))
    realm.update(values)
    path = tmp_path / "portal-realm.json"
    path.write_text(json.dumps(realm, ensure_ascii=False), encoding="utf-8")
    settings.KEYCLOAK_REALM_FILE = path


def _password_grant(base: str, password: str, username: str = "officer.ivanova") -> httpx.Response:
    return httpx.post(base + TOKEN, data={"grant_type": "password", "client_id": "portal-web",
                                          "client_secret": "portal-web-dev-secret", "username": username,
                                          "password": password}, timeout=10)


@pytest.mark.django_db(transaction=True)
def test_password_grant_is_locked_after_a_burst(portal_server: Any, settings: Any, tmp_path: Path) -> None:
    """The attack of the report: 300 wrong passwords, then the right one (Keycloak's default failureFactor 30;
    a long wait, so that the outcome does not depend on how fast this machine sends the burst)."""
    _realm_file(tmp_path, settings, bruteForceProtected=True, waitIncrementSeconds=600)
    base = portal_server.url
    with httpx.Client(timeout=10) as http:
        for n in range(300):
            answer = http.post(base + TOKEN, data={"grant_type": "password", "client_id": "portal-web",
                                                   "client_secret": "portal-web-dev-secret",
                                                   "username": "officer.ivanova", "password": f"guess{n}"})
            assert answer.status_code == 401
    right = _password_grant(base, "demo")
    assert right.status_code == 401 and right.json()["error"] == "invalid_grant"  # before: 200 with tokens
    assert _password_grant(base, "demo", username="partner.ngo").status_code == 200  # other users unaffected


@pytest.mark.django_db(transaction=True)
def test_the_lockout_ends_after_its_wait(portal_server: Any, settings: Any, tmp_path: Path) -> None:
    _realm_file(tmp_path, settings, bruteForceProtected=True, failureFactor=3, waitIncrementSeconds=4,
                quickLoginCheckMilliSeconds=0)
    for n in range(3):
        assert _password_grant(portal_server.url, f"guess{n}").status_code == 401
    assert _password_grant(portal_server.url, "demo").status_code == 401  # locked: the right one too
    time.sleep(4.5)
    assert _password_grant(portal_server.url, "demo").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_realm_file_can_turn_detection_off(portal_server: Any, settings: Any, tmp_path: Path) -> None:
    _realm_file(tmp_path, settings, bruteForceProtected=False)
    for n in range(20):
        assert _password_grant(portal_server.url, f"guess{n}").status_code == 401
    assert _password_grant(portal_server.url, "demo").status_code == 200


def _auth_url(base: str, redirect_uri: str = REDIRECT) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 64).digest()).rstrip(b"=").decode()
    return base + AUTH + "?" + urlencode({"client_id": "portal-web", "redirect_uri": redirect_uri,
                                          "response_type": "code", "scope": "openid", "state": "s",
                                          "code_challenge": challenge, "code_challenge_method": "S256"})


def _form(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))


@pytest.mark.django_db(transaction=True)
def test_login_form_is_locked_too(portal_server: Any, settings: Any, tmp_path: Path) -> None:
    _realm_file(tmp_path, settings, bruteForceProtected=True, failureFactor=5, quickLoginCheckMilliSeconds=0)
    url = _auth_url(portal_server.url)
    with httpx.Client(timeout=10) as browser:
        page = browser.get(url)
        for n in range(5):
            page = browser.post(url, data={**_form(page), "username": "partner.ngo", "password": f"x{n}"})
            assert page.status_code == 401
        refused = browser.post(url, data={**_form(page), "username": "partner.ngo", "password": "demo"})
        assert refused.status_code == 401 and "Неверное имя пользователя или пароль" in refused.text


@pytest.mark.django_db(transaction=True)
def test_csrf_token_of_another_browser_is_refused(portal_server: Any) -> None:
    url = _auth_url(portal_server.url)
    with httpx.Client(timeout=10) as attacker, httpx.Client(timeout=10) as victim:
        fetched = _form(attacker.get(url))
        victim.get(url)  # the victim's own authentication session cookie
        stolen = victim.post(url, data={**fetched, "username": "partner.ngo", "password": "demo"})
        assert stolen.status_code == 400 and "Срок действия формы истёк" in stolen.text  # before: 302, signed in
        no_cookie = httpx.post(url, data={**_form(attacker.get(url)), "username": "partner.ngo", "password": "demo"})
        assert no_cookie.status_code == 400
        other = _auth_url(portal_server.url, "http://localhost:8000/accounts/callback/")
        swapped = attacker.post(other, data={**_form(attacker.get(url)), "redirect_uri": REDIRECT.replace(
            "127.0.0.1", "localhost"), "username": "partner.ngo", "password": "demo"})
        assert swapped.status_code == 400  # a form for another redirect URI
        own = attacker.post(url, data={**_form(attacker.get(url)), "username": "partner.ngo", "password": "demo"})
        assert own.status_code == 302
