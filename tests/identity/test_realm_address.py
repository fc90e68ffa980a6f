"""Issue 11 finding 10: with the development realm, the portal's server reaches the realm at the address its
settings give (the issuer's base: PORTAL_BASE_URL / PUBLIC_BASE_URL, or IDENTITY_DEVREALM_URL), never at an
address taken from the request's Host header; one cached client, not one per Host; no `testserver` in the
production ALLOWED_HOSTS; `portal demo --port` sets the base URL so the realm works on any port."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from identity import web
from portal import cli

pytestmark = pytest.mark.django_db(transaction=True)

AUTH = "/realms/portal/protocol/openid-connect/auth"


def test_host_header_does_not_choose_where_the_server_connects(portal_server: Any, settings: Any) -> None:
    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""
    settings.DEVREALM_ISSUER = f"{portal_server.url}/realms/portal"  # what PUBLIC_BASE_URL gives
    web.reset_clients()
    try:
        client = Client()
        for host in ("localhost:1", "127.0.0.1:6379", "localhost:9", "[::1]:2"):
            start = client.get("/accounts/login/", HTTP_HOST=host)
            # before: the server sent its discovery request to http://<Host>/… (port 1, 6379, …): 503
            assert start.status_code == 302, (host, start.content[:300])
            # the browser (only the browser) stays on the origin it uses; the realm is the portal itself
            assert start["Location"].startswith(f"http://{host}{AUTH}?"), start["Location"]
        assert list(web._clients) == [f"{portal_server.url}/|portal|portal-web"]  # one client, not one per Host
        assert client.get("/accounts/login/", HTTP_HOST="evil.example").status_code == 400  # not an allowed host
    finally:
        web.reset_clients()


def test_realm_server_url_ignores_requests(settings: Any) -> None:
    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""
    settings.DEVREALM_ISSUER = "https://portal.region.example/realms/portal"
    assert web.realm_server_url() == "https://portal.region.example"
    settings.IDENTITY_DEVREALM_URL = "http://10.0.0.5:8000/"
    assert web.realm_server_url() == "http://10.0.0.5:8000"
    settings.KEYCLOAK_URL = "https://sso.region.example"
    assert web.realm_server_url() == "https://sso.region.example"


def _settings_values(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"ALLOWED_HOSTS", "PUBLIC_BASE_URL", "PORTAL_BASE_URL", "IDENTITY_DEVREALM_URL", "DEBUG"}}
    code = ("import portal.settings as s; print(s.ALLOWED_HOSTS); print(s.PUBLIC_BASE_URL); "
            "print(s.DEVREALM_ISSUER)")
    done = subprocess.run([sys.executable, "-c", code], env={**clean, "SECRET_KEY": "a-real-secret-of-some-length",
                                                          **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_production_allowed_hosts_have_no_testserver() -> None:
    hosts = _settings_values({"DEBUG": "0"}).splitlines()[0]
    assert "testserver" not in hosts and "localhost" in hosts


def test_demo_on_another_port_sets_the_realm_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert cli.demo_base_url("0.0.0.0", 8001) == "http://127.0.0.1:8001"
    assert os.environ["PUBLIC_BASE_URL"] == "http://127.0.0.1:8001"
    values = _settings_values({"DEBUG": "1", "PUBLIC_BASE_URL": os.environ["PUBLIC_BASE_URL"]}).splitlines()
    assert values[1:] == ["http://127.0.0.1:8001", "http://127.0.0.1:8001/realms/portal"]
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://portal.region.example")  # configured: kept
    assert cli.demo_base_url("127.0.0.1", 8002) == "https://portal.region.example"


def test_portal_base_url_defaults_to_the_public_one(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    monkeypatch.delenv("IDENTITY_DEVREALM_URL", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8001")
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "settings.py"))
    assert values["DEVREALM_ISSUER"] == "http://127.0.0.1:8001/realms/portal"
