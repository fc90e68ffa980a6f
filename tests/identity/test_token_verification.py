"""Token verification through python-keycloak's KeycloakOpenID against the dev realm served over HTTP."""

from __future__ import annotations

import logging
import time

import pytest
from jwcrypto import jwk

from identity.devrealm import app as devrealm
from identity.devrealm.keys import signing_key
from identity.keycloak import TokenRejected, TokenVerifier, make_verifier, verify_access_token
from identity.testing import issue_token
from portal.core.viewer import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verifier(portal_server, region_orgs) -> TokenVerifier:
    return make_verifier(portal_server.url)


def _rejected(verifier: TokenVerifier, token: str, reason: str, caplog: pytest.LogCaptureFixture) -> TokenRejected:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal.security"), pytest.raises(TokenRejected) as info:
        verify_access_token(token, verifier=verifier)
    assert info.value.reason == reason, info.value
    assert str(info.value.message)
    assert any(r.name == "portal.security" and reason in r.getMessage() for r in caplog.records)
    return info.value


def test_valid_partner_and_officer(verifier: TokenVerifier) -> None:
    viewer = verify_access_token(issue_token(username="partner.school"), verifier=verifier)
    assert viewer.roles == {Role.PARTNER} and viewer.organisation_code == "school-7" and viewer.is_partner
    assert viewer.display_name == "Ольга Смирнова"
    officer = verify_access_token(issue_token(username="officer.ivanova"), verifier=verifier)
    assert officer.institution_code == "kcson-zarechny" and officer.organisation_id is None


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"expires_in": -120}, "expired"),
    ({"not_before_in": 600}, "not_yet_valid"),  # relative: the suite may run longer than that after collection
    ({"issuer": "http://evil.example/realms/portal"}, "wrong_issuer"),
    ({"audience": "someone-else"}, "wrong_audience"),
    ({"omit": ("iss",)}, "wrong_issuer"),  # a missing claim is reported as the wrong one, not "malformed"
    ({"omit": ("aud",)}, "wrong_audience"),
    ({"omit": ("exp",)}, "malformed"),
    ({"alg": "none"}, "bad_algorithm"),
    ({"kid": "unknown-kid"}, "unknown_key"),
    ({"extra": {"typ": "Refresh"}}, "wrong_type"),
])
def test_rejections(verifier: TokenVerifier, caplog: pytest.LogCaptureFixture, kwargs: dict, reason: str) -> None:
    if "not_before_in" in kwargs:
        kwargs = {"not_before": int(time.time()) + kwargs["not_before_in"]}
    _rejected(verifier, issue_token(username="partner.school", **kwargs), reason, caplog)


def test_hs256_with_public_key_pem(verifier: TokenVerifier, caplog: pytest.LogCaptureFixture) -> None:
    pem = signing_key().export_to_pem()
    forged = issue_token(username="admin.portal", alg="HS256", key=jwk.JWK.from_password(pem.decode()))
    _rejected(verifier, forged, "bad_algorithm", caplog)


def test_tampered_payload(verifier: TokenVerifier, caplog: pytest.LogCaptureFixture) -> None:
    good = issue_token(username="partner.school")
    other = issue_token(username="admin.portal")
    header, _, signature = good.split(".")
    tampered = f"{header}.{other.split('.')[1]}.{signature}"
    _rejected(verifier, tampered, "bad_signature", caplog)


def test_partner_of_inactive_or_unknown_org_and_no_groups(verifier: TokenVerifier,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    _rejected(verifier, issue_token(username="partner.clinic"), "no_organisation", caplog)  # clinic-2 inactive
    _rejected(verifier, issue_token(username="x", roles=["partner"], groups=["/partners/nowhere"]),
              "no_organisation", caplog)
    _rejected(verifier, issue_token(username="x", roles=["partner"], groups=[]), "no_organisation", caplog)
    _rejected(verifier, issue_token(username="x", roles=[], groups=[]), "no_roles", caplog)


def test_jwks_fetched_once(verifier: TokenVerifier, caplog: pytest.LogCaptureFixture) -> None:
    before = devrealm.CERTS_REQUESTS[0]
    for _ in range(25):
        verify_access_token(issue_token(username="coordinator.petrova"), verifier=verifier)
    assert verifier.fetches == 1
    assert devrealm.CERTS_REQUESTS[0] - before == 1
    # unknown kid: no refetch inside the window, then at most one refetch per window
    with pytest.raises(TokenRejected):
        verify_access_token(issue_token(username="coordinator.petrova", kid="rotated"), verifier=verifier)
    assert devrealm.CERTS_REQUESTS[0] - before == 1
    verifier._fetched_at -= verifier.refetch_seconds + 1
    for _ in range(5):
        with pytest.raises(TokenRejected):
            verify_access_token(issue_token(username="coordinator.petrova", kid="rotated"), verifier=verifier)
    assert devrealm.CERTS_REQUESTS[0] - before == 2


def test_default_verifier_uses_dev_realm_key(region_orgs: None) -> None:
    viewer = verify_access_token(issue_token(username="supervisor.region"))
    assert viewer.roles == {Role.SUPERVISOR}


@pytest.mark.parametrize("claims", [
    {"realm_access": "admin"},
    {"realm_access": {"roles": "admin"}},
    {"realm_access": {"roles": [["admin"]]}},
    {"exp": "9999999999"},
    {"nbf": "soon"},
    {"iat": {"at": 1}},
    {"groups": "/partners/school-7"},
    {"preferred_username": 7},
    {"sub": ["a", "b"]},
    {"typ": ["Bearer"]},
])
def test_validly_signed_claims_of_the_wrong_type_are_malformed(verifier: TokenVerifier,
                                                               caplog: pytest.LogCaptureFixture,
                                                               claims: dict) -> None:
    from portal.audit.models import AuditEvent

    before = AuditEvent.objects.filter(verb="token_rejected").count()
    _rejected(verifier, issue_token(username="partner.school", extra=claims), "malformed", caplog)
    audited = AuditEvent.objects.filter(verb="token_rejected").order_by("-pk").first()
    assert AuditEvent.objects.filter(verb="token_rejected").count() == before + 1
    assert audited is not None and audited.details["reason"] == "malformed"
