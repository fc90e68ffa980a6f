"""Without KEYCLOAK_URL and without an enabled development realm no identity provider is configured:
every bearer token is refused, the development key is neither trusted nor created, /readyz says so, and
the development realm refuses to run with DEBUG off unless explicitly allowed.

portal.testing.pytest_plugin turns DEVREALM_ALLOW_WITHOUT_DEBUG on for every test: these tests switch it
off through the `settings` fixture (or the environment, for the settings module itself)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from identity import health
from identity.devrealm import guard
from identity.devrealm.app import create_devrealm_app
from identity.keycloak import TokenRejected, default_verifier, verify_access_token
from identity.testing import issue_token
from portal.audit.models import AuditEvent


@pytest.fixture
def no_provider(settings: Any, tmp_path: Path) -> Path:
    """DEBUG off, no override, no KEYCLOAK_URL; the dev-realm key folder is empty."""
    settings.DEBUG = False
    settings.DEVREALM_ALLOW_WITHOUT_DEBUG = False
    settings.KEYCLOAK_URL = ""
    settings.DEVREALM_KEY_DIR = tmp_path / "devrealm"
    return settings.DEVREALM_KEY_DIR


def test_tokens_refused_and_no_key_created(region_orgs: None, settings: Any, tmp_path: Path) -> None:
    token = issue_token(username="supervisor.region")  # signed with the (test) development key
    assert verify_access_token(token).username == "supervisor.region"
    settings.DEBUG = False
    settings.DEVREALM_ALLOW_WITHOUT_DEBUG = False
    settings.DEVREALM_KEY_DIR = tmp_path / "devrealm"
    before = AuditEvent.objects.filter(verb="token_rejected").count()
    with pytest.raises(TokenRejected) as info:
        verify_access_token(token)
    assert info.value.reason == "not_configured"
    assert "не настроена служба единого входа" in str(info.value.message)  # Russian by default
    with pytest.raises(TokenRejected):
        default_verifier()
    assert not (tmp_path / "devrealm").exists()
    rows = AuditEvent.objects.filter(verb="token_rejected").order_by("-id")
    assert rows.count() == before + 2 and rows[0].details["reason"] == "not_configured"


def test_devrealm_disabled_explicitly_is_not_trusted(region_orgs: None, settings: Any) -> None:
    token = issue_token(username="supervisor.region")
    settings.DEVREALM_ENABLED = False  # e.g. DEBUG on at start-up, but the realm is not mounted
    with pytest.raises(TokenRejected) as info:
        verify_access_token(token)
    assert info.value.reason == "not_configured"


def test_readiness_says_not_configured(no_provider: Path) -> None:
    report = health.status()
    assert report["status"] == "down" and report["error"] == "identity provider not configured"
    assert not no_provider.exists()


def test_readiness_with_devrealm(settings: Any) -> None:
    settings.DEBUG = False  # the override (DEVREALM_ALLOW_WITHOUT_DEBUG, on in tests) is enough
    assert health.status() == {"status": "ok", "provider": "devrealm", "enabled": True}


def test_create_devrealm_app_refuses_without_debug(no_provider: Path, settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        create_devrealm_app()
    assert not no_provider.exists()
    settings.DEVREALM_ALLOW_WITHOUT_DEBUG = True
    assert create_devrealm_app() is not None
    settings.DEVREALM_ALLOW_WITHOUT_DEBUG = False
    settings.DEBUG = True
    assert create_devrealm_app() is not None


def test_create_devrealm_app_refuses_with_keycloak(settings: Any) -> None:
    settings.KEYCLOAK_URL = "https://sso.example.org"
    assert not guard.enabled()
    with pytest.raises(ImproperlyConfigured, match="KEYCLOAK_URL"):
        create_devrealm_app()


@pytest.mark.parametrize(("env", "enabled"), [
    ({"DEBUG": "0", "DEVREALM_ALLOW_WITHOUT_DEBUG": "0"}, False),
    ({"DEBUG": "0", "DEVREALM_ALLOW_WITHOUT_DEBUG": "1"}, True),
    ({"DEBUG": "1", "DEVREALM_ALLOW_WITHOUT_DEBUG": "0"}, True),
    ({"DEBUG": "1", "DEVREALM_ALLOW_WITHOUT_DEBUG": "1", "KEYCLOAK_URL": "https://sso.example.org"}, False),
])
def test_settings_guard(settings: Any, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], enabled: bool) -> None:
    """portal/settings.py itself: DEVREALM_ENABLED (which mounts the realm in portal.asgi) needs DEBUG or the
    explicit override, and never with KEYCLOAK_URL."""
    monkeypatch.setenv("KEYCLOAK_URL", "")
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-not-for-production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "settings.py"))
    assert values["DEVREALM_ENABLED"] is enabled
    assert values["DEVREALM_ALLOW_WITHOUT_DEBUG"] is (env["DEVREALM_ALLOW_WITHOUT_DEBUG"] == "1")


def test_one_base_url_gives_the_dev_realm_issuer(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """PUBLIC_BASE_URL is the one base URL of the settings; PORTAL_BASE_URL (the realm file's redirect hosts,
    read by `python -m portal.demo.realm`) does not move the issuer."""
    monkeypatch.delenv("IDENTITY_DEVREALM_URL", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://portal.region.example/")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://other.region.example, http://127.0.0.1:8001")
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "settings.py"))
    assert "PORTAL_BASE_URL" not in values
    assert values["PUBLIC_BASE_URL"] == "https://portal.region.example"
    assert values["DEVREALM_ISSUER"] == "https://portal.region.example/realms/portal"
