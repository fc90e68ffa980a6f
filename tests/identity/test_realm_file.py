from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.demo.realm import DEFAULT_BASE_URLS, PATH, build_realm, main, parse_base_urls
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
    users = {u["username"]: u for u in data["users"] if "serviceAccountClientId" not in u}
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


def test_sync_realm_service_account_client() -> None:
    """portal-admin: confidential, client credentials only, its service-account user holding the realm-management
    roles `portal sync-realm` needs (as a Keycloak 26 export writes them)."""
    data = realm()
    admin = {c["clientId"]: c for c in data["clients"]}["portal-admin"]
    assert admin["serviceAccountsEnabled"] is True and admin["publicClient"] is False and admin["secret"]
    assert admin["clientAuthenticatorType"] == "client-secret" and admin["enabled"] is True
    assert not admin["standardFlowEnabled"] and not admin["directAccessGrantsEnabled"] and not admin["redirectUris"]
    assert "portal-admin" in data["roles"]["client"]
    accounts = [u for u in data["users"] if u.get("serviceAccountClientId")]
    assert len(accounts) == 1
    account = accounts[0]
    assert account["username"] == "service-account-portal-admin" and account["serviceAccountClientId"] == "portal-admin"
    assert account["enabled"] is True and account["credentials"] == []
    assert set(account["clientRoles"]["realm-management"]) == {"query-groups", "view-users", "manage-users",
                                                                "view-realm"}
    assert data["revokeRefreshToken"] is False


def test_redirect_hosts_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.region.example, http://10.0.0.5:8001/")
    out = main(["-o", str(tmp_path / "realm.json")])
    web = {c["clientId"]: c for c in json.loads(out.read_text(encoding="utf-8"))["clients"]}["portal-web"]
    assert web["redirectUris"] == ["https://portal.region.example/*", "http://10.0.0.5:8001/*"]
    assert web["attributes"]["post.logout.redirect.uris"] == "https://portal.region.example/*##http://10.0.0.5:8001/*"
    assert web["webOrigins"] == ["https://portal.region.example", "http://10.0.0.5:8001"]
    out = main(["--base-url", "https://a.example/portal", "--base-url", "https://b.example", "-o", str(out)])
    web = {c["clientId"]: c for c in json.loads(out.read_text(encoding="utf-8"))["clients"]}["portal-web"]
    assert web["redirectUris"] == ["https://a.example/portal/*", "https://b.example/*"]
    assert web["webOrigins"] == ["https://a.example", "https://b.example"]
    monkeypatch.delenv("PORTAL_BASE_URL")
    default = {c["clientId"]: c for c in json.loads(main(["-o", str(out)]).read_text(encoding="utf-8"))["clients"]}
    assert default["portal-web"]["redirectUris"] == [f"{base}/*" for base in DEFAULT_BASE_URLS]


@pytest.mark.parametrize("value", ["portal.example.org", "ftp://portal.example.org", "https://*.example.org",
                                   "https://user@portal.example.org", "https://portal.example.org/?a=1"])
def test_bad_base_urls_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_base_urls([value])
