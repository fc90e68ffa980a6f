from __future__ import annotations

import json

from identity.realm.build import PATH, build_realm
from portal.demo.region import DEMO_USERS, INSTITUTIONS, PARTNERS


def realm() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


def test_committed_file_is_in_sync_with_region() -> None:
    assert realm() == json.loads(json.dumps(build_realm()))


def test_realm_structure_for_kc_import() -> None:
    data = realm()
    assert data["realm"] == "portal" and data["enabled"] is True
    clients = {c["clientId"]: c for c in data["clients"]}
    web = clients["portal-web"]
    assert web["protocol"] == "openid-connect" and web["publicClient"] is False and web["standardFlowEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "http://127.0.0.1:8000/*" in web["redirectUris"] and "http://localhost:8000/*" in web["redirectUris"]
    assert "http://127.0.0.1:8000/*" in web["attributes"]["post.logout.redirect.uris"].split("##")
    mappers = {m["protocolMapper"]: m["config"] for m in web["protocolMappers"]}
    assert mappers["oidc-audience-mapper"]["included.client.audience"] == "portal-gateway"
    assert mappers["oidc-audience-mapper"]["access.token.claim"] == "true"
    assert mappers["oidc-group-membership-mapper"] == {**mappers["oidc-group-membership-mapper"],
                                                      "claim.name": "groups", "full.path": "true"}
    assert "oidc-usermodel-realm-role-mapper" in mappers
    assert clients["portal-gateway"]["serviceAccountsEnabled"] is False
    roles = {r["name"] for r in data["roles"]["realm"]}
    assert {"partner", "officer", "coordinator", "supervisor", "editor", "admin"} <= roles
    groups = {g["name"]: {s["path"] for s in g["subGroups"]} for g in data["groups"]}
    assert groups["partners"] == {f"/partners/{p['code']}" for p in PARTNERS}
    assert groups["institutions"] == {f"/institutions/{i['code']}" for i in INSTITUTIONS}
    users = {u["username"]: u for u in data["users"]}
    assert set(users) == {u["username"] for u in DEMO_USERS}
    all_groups = groups["partners"] | groups["institutions"]
    for demo in DEMO_USERS:
        exported = users[demo["username"]]
        assert exported["enabled"] and exported["emailVerified"] and exported["email"] == demo["email"]
        assert exported["credentials"] == [{"type": "password", "value": "demo", "temporary": False}]
        assert set(demo["roles"]) <= set(exported["realmRoles"]) <= roles
        assert exported["groups"] == demo["groups"] and set(exported["groups"]) <= all_groups
    partner_orgs = {g for u in DEMO_USERS if "partner" in u["roles"] for g in u["groups"]}
    assert len(partner_orgs) >= 3
