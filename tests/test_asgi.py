from __future__ import annotations

import httpx
import pytest

from portal.territory.models import District
from portal.testing.server import RunningServer


@pytest.mark.django_db(transaction=True)
def test_probes_and_public_graphql(portal_server: RunningServer) -> None:
    District.objects.create(code="north", name="Северный район", kind="rural", population=9000)
    with httpx.Client(base_url=portal_server.url, timeout=10) as client:
        assert client.get("/healthz").text == "ok"
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["components"]["database"]["status"] == "ok"
        answer = client.post("/graphql", json={"query": "{ districts { code name kind } }"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["districts"] == [{"code": "north", "name": "Северный район", "kind": "rural"}]


# --- issue 11, finding 12: the same security headers on every route; /readyz details for operators only ---

BASELINE = ("x-content-type-options", "referrer-policy", "x-frame-options", "cross-origin-opener-policy",
            "content-security-policy")


def _asgi_client(**kwargs: object) -> object:
    from starlette.testclient import TestClient

    from portal.asgi import app

    return TestClient(app, raise_server_exceptions=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_every_route_sends_the_security_headers() -> None:
    with _asgi_client() as client:
        answers = {
            "/graphql": client.post("/graphql", json={"query": "{ __typename }"}),
            "/cms/graphql": client.post("/cms/graphql", json={"query": "{ __typename }"}),
            "/healthz": client.get("/healthz"),
            "/readyz": client.get("/readyz"),
            "/realms": client.get("/realms/portal/.well-known/openid-configuration"),
            "/realms token": client.post("/realms/portal/protocol/openid-connect/token", data={}),
            "django page": client.get("/accounts/logged-out/"),
            "django 404": client.get("/no-such-page/"),
        }
    for route, answer in answers.items():
        headers = {name.lower() for name in answer.headers}
        missing = [name for name in BASELINE if name not in headers]
        assert not missing, (route, missing)  # before: /graphql, /healthz, /readyz, /realms sent none
        policy = answer.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (route, policy)
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, (route, policy)
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert answers["django page"].headers["x-frame-options"] == "DENY"


@pytest.mark.django_db(transaction=True)
def test_hsts_over_https_in_production(settings: object) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000  # type: ignore[attr-defined]
    with _asgi_client(base_url="https://testserver") as client:
        for answer in (client.get("/healthz"), client.post("/graphql", json={"query": "{ __typename }"}),
                       client.get("/realms/portal/.well-known/openid-configuration")):
            assert answer.headers["strict-transport-security"] == "max-age=31536000"
    with _asgi_client() as client:  # plain HTTP: never (browsers ignore it there; it would pin a test host)
        assert "strict-transport-security" not in client.get("/healthz").headers


def test_production_settings_turn_hsts_and_csp_on() -> None:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_HSTS_SECONDS"}}
    code = ("import portal.settings as s; print(s.SECURE_HSTS_SECONDS); "
            "print('portal.headers.CSPMiddleware' in s.MIDDLEWARE)")
    done = subprocess.run([sys.executable, "-c", code], env={**clean, "DEBUG": "0", "SECRET_KEY": "x" * 40},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["31536000", "True"]


@pytest.mark.django_db(transaction=True)
def test_readyz_details_only_for_operators(settings: object) -> None:
    settings.READYZ_TOKEN = "operator-token-123"  # type: ignore[attr-defined]
    with _asgi_client() as client:  # the test client's address is not internal
        outsider = client.get("/readyz")
        assert set(outsider.json()) == {"status"}  # before: database vendor, backlog, identity provider
        wrong = client.get("/readyz", headers={"Authorization": "Bearer nope"})
        assert set(wrong.json()) == {"status"}
        operator = client.get("/readyz", headers={"Authorization": "Bearer operator-token-123"})
        assert operator.status_code == outsider.status_code
        assert operator.json()["components"]["database"]["vendor"]
        assert outsider.headers["cache-control"] == "no-store"


def test_readiness_details_for_the_internal_network(settings: object) -> None:
    from portal.health import readiness_details_allowed

    settings.INTERNAL_NETWORKS = ["127.0.0.0/8", "::1/128", "10.20.0.0/16"]  # type: ignore[attr-defined]
    settings.READYZ_TOKEN = ""  # type: ignore[attr-defined]
    assert readiness_details_allowed("127.0.0.1", None)
    assert readiness_details_allowed("10.20.3.4", None)
    assert not readiness_details_allowed("203.0.113.9", None)
    assert not readiness_details_allowed("203.0.113.9", "Bearer ")  # no token configured: never by token


def _inline_scripts(html: str) -> list[str]:
    import re

    tags = re.findall(r"<script\b[^>]*>", html)
    return [tag for tag in tags if "src=" not in tag and "application/json" not in tag]


@pytest.mark.django_db
def test_admin_inline_scripts_carry_the_nonce_of_the_policy(client: object) -> None:
    """Wagtail's date widgets (here: the filters of the site history report) and panels write inline scripts:
    each carries the request's nonce, which the Content-Security-Policy header names."""
    import re

    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "a-long-password-1")
    client.force_login(user)  # type: ignore[attr-defined]
    page = client.get("/admin/reports/site-history/")  # type: ignore[attr-defined]
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None and "unsafe-inline" not in policy, policy
    scripts = _inline_scripts(page.content.decode())
    assert scripts, "the report's date filters render inline scripts"
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts), scripts


def test_wagtail_choosers_get_the_nonce() -> None:
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory
    from wagtail.admin.widgets import AdminPageChooser

    from portal.headers import CurrentRequestMiddleware

    rendered: list[str] = []

    def view(request: object) -> HttpResponse:
        rendered.append(AdminPageChooser().render("page", None, {"id": "id_page"}))
        return HttpResponse("ok")

    response = CSPMiddleware(CurrentRequestMiddleware(view))(RequestFactory().get("/admin/"))
    scripts = _inline_scripts(rendered[0])
    assert len(scripts) == 1
    nonce = scripts[0].split('nonce="', 1)[1].split('"', 1)[0]
    assert nonce and f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
