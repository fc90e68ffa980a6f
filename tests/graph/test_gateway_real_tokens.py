"""The production token path: tokens signed with the development realm's key (identity.testing) verified by
identity.keycloak.verify_access_token inside the gateway; rejected tokens are answered 401 with the reason,
a clear (Russian by default) message, a `portal.security` log line and an audit event (verb token_rejected)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.utils import translation
from jwcrypto import jwk

testing = pytest.importorskip("identity.testing")
keycloak = pytest.importorskip("identity.keycloak")

from identity.devrealm.keys import signing_key  # noqa: E402
from portal.audit.models import AuditEvent  # noqa: E402
from portal.partners.models import Organisation  # noqa: E402

QUERY = "{ viewer { signedIn roles } myMeasures(first: 100) { totalCount nodes { id organisation { code } } } }"
SCHOOL = {"username": "partner.school7", "roles": ("partner",), "groups": ("/partners/school-7",)}


def _post(url: str, token: str) -> httpx.Response:
    return httpx.post(url, json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_partner_token_sees_own_measures(live_world, portal_server) -> None:
    world = live_world
    url = portal_server.url + "/graphql"
    token = testing.issue_token(**SCHOOL)
    response = _post(url, token)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["viewer"]["signedIn"] is True
    assert {node["id"] for node in data["myMeasures"]["nodes"]} == {str(world.m_school.pk),
                                                                   str(world.m_school_other.pk)}


def _hs256_with_public_key() -> str:
    """The classic key-confusion attack: HS256 keyed with the realm's public key (PEM)."""
    pem = signing_key().export_to_pem().decode()
    return testing.issue_token(**SCHOOL, alg="HS256", key=jwk.JWK.from_password(pem))


def _tampered() -> str:
    """A valid signature over a partner's claims, with an admin's claims pasted in."""
    header, _payload, signature = testing.issue_token(**SCHOOL).split(".")
    admin = testing.issue_token(username="admin.portal", roles=("admin",), groups=())
    return f"{header}.{admin.split('.')[1]}.{signature}"


def _inactive_partner() -> str:
    Organisation.objects.filter(code="clinic-2").update(active=False)
    return testing.issue_token(username="partner.clinic2", roles=("partner",), groups=("/partners/clinic-2",))


REJECTIONS: list[tuple[str, Callable[[], str], str]] = [
    ("expired", lambda: testing.issue_token(**SCHOOL, expires_in=-120), "expired"),
    ("not yet valid", lambda: testing.issue_token(**SCHOOL, not_before=int(time.time()) + 600), "not_yet_valid"),
    ("wrong issuer", lambda: testing.issue_token(**SCHOOL, issuer="http://evil.example/realms/portal"),
     "wrong_issuer"),
    ("no issuer", lambda: testing.issue_token(**SCHOOL, omit=("iss",)), "wrong_issuer"),
    ("wrong audience", lambda: testing.issue_token(**SCHOOL, audience="someone-else"), "wrong_audience"),
    ("no audience", lambda: testing.issue_token(**SCHOOL, audience=None), "wrong_audience"),
    ("alg none", lambda: testing.issue_token(**SCHOOL, alg="none"), "bad_algorithm"),
    ("HS256 with the public key", _hs256_with_public_key, "bad_algorithm"),
    ("unknown kid", lambda: testing.issue_token(**SCHOOL, kid="rotated-away"), "unknown_key"),
    ("tampered payload", _tampered, "bad_signature"),
    ("partner of an inactive organisation", _inactive_partner, "no_organisation"),
    ("partner of an unknown organisation",
     lambda: testing.issue_token(username="partner.x", roles=("partner",), groups=("/partners/nowhere",)),
     "no_organisation"),
    ("partner without groups", lambda: testing.issue_token(username="partner.x", roles=("partner",), groups=()),
     "no_organisation"),
    ("no groups and no roles", lambda: testing.issue_token(username="nobody", roles=(), groups=()), "no_roles"),
    # Validly signed, claims of the wrong type (were internal errors).
    ("realm_access is a string", lambda: testing.issue_token(**SCHOOL, extra={"realm_access": "partner"}),
     "malformed"),
    ("roles is a string", lambda: testing.issue_token(**SCHOOL, extra={"realm_access": {"roles": "partner"}}),
     "malformed"),
    ("exp is a string", lambda: testing.issue_token(**SCHOOL, extra={"exp": str(int(time.time()) + 300)}),
     "malformed"),
    ("groups is a string", lambda: testing.issue_token(**SCHOOL, extra={"groups": "/partners/school-7"}),
     "malformed"),
]


@pytest.mark.parametrize(("case", "make_token", "reason"), REJECTIONS, ids=[case for case, _m, _r in REJECTIONS])
def test_rejected_tokens_are_401_with_reason_message_and_audit(live_world, portal_server, caplog, case: str,
                                                              make_token: Callable[[], str], reason: str) -> None:
    token = make_token()
    before = AuditEvent.objects.filter(verb="token_rejected").count()
    response = _post(portal_server.url + "/graphql", token)
    assert response.status_code == 401, (case, response.text)
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "unauthenticated", "reason": reason}
    with translation.override("ru"):
        expected = str(keycloak.MESSAGES[reason])
    with translation.override("en"):
        assert expected != str(keycloak.MESSAGES[reason])  # translated, not the English source text
    assert error["message"] == expected
    assert response.headers["WWW-Authenticate"] == f'Bearer error="invalid_token", error_description="{reason}"'
    assert "data" not in response.json() or response.json()["data"] is None
    events = AuditEvent.objects.filter(verb="token_rejected").order_by("-id")
    assert events.count() == before + 1
    event = events[0]
    assert event.action == AuditEvent.Action.SECURITY and event.object_type == "token"
    assert event.details["reason"] == reason
    assert any(r.name == "portal.security" and f"reason={reason}" in r.getMessage() for r in caplog.records)


def test_english_message_on_request(live_world, portal_server) -> None:
    token = testing.issue_token(**SCHOOL, expires_in=-120)
    response = httpx.post(portal_server.url + "/graphql", json={"query": QUERY}, timeout=30,
                          headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "The access token has expired."


def test_no_identity_provider_refuses_every_token(live_world, portal_server, settings: Any) -> None:
    """DEBUG off without DEVREALM_ALLOW_WITHOUT_DEBUG and no KEYCLOAK_URL: a token signed with the development
    key is refused, and /readyz reports the identity provider as not configured."""
    token = testing.issue_token(**SCHOOL)
    assert _post(portal_server.url + "/graphql", token).status_code == 200
    settings.DEBUG = False
    settings.DEVREALM_ALLOW_WITHOUT_DEBUG = False
    settings.KEYCLOAK_URL = ""
    response = _post(portal_server.url + "/graphql", token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["reason"] == "not_configured"
    assert AuditEvent.objects.filter(verb="token_rejected", details__reason="not_configured").exists()
    ready = httpx.get(portal_server.url + "/readyz", timeout=30).json()
    assert ready["components"]["identity"]["status"] == "down"
    assert ready["components"]["identity"]["error"] == "identity provider not configured"
