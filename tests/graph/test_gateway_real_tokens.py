"""The production token path: tokens signed with the development realm's key (identity.testing) verified by
identity.keycloak.verify_access_token inside the gateway; rejected tokens are answered 401 with the reason.
Skipped until the identity package provides identity.testing and identity.keycloak."""

from __future__ import annotations

import httpx
import pytest

testing = pytest.importorskip("identity.testing")
pytest.importorskip("identity.keycloak")

QUERY = "{ viewer { signedIn roles } myMeasures(first: 100) { totalCount nodes { id organisation { code } } } }"


def _post(url: str, token: str) -> httpx.Response:
    return httpx.post(url, json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_partner_token_sees_own_measures(live_world, portal_server) -> None:
    world = live_world
    url = portal_server.url + "/graphql"
    token = testing.issue_token(username="partner.school7", roles=("partner",), groups=("/partners/school-7",))
    response = _post(url, token)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["viewer"]["signedIn"] is True
    assert {node["id"] for node in data["myMeasures"]["nodes"]} == {str(world.m_school.pk),
                                                                   str(world.m_school_other.pk)}


@pytest.mark.parametrize("claims", [{"expires_in": -120}, {"audience": "someone-else"}])
def test_expired_or_foreign_tokens_are_401(live_world, portal_server, claims) -> None:
    token = testing.issue_token(username="partner.school7", roles=("partner",), groups=("/partners/school-7",),
                                **claims)
    response = _post(portal_server.url + "/graphql", token)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "unauthenticated" and body["errors"][0]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
