"""Generate `portal-realm.json` (a Keycloak 26 realm export) from `portal/demo/region.py`.

Run `python -m identity.realm.build` after changing the demo region; the committed JSON is the artefact
that `kc.sh import --file portal-realm.json` and the development realm both read.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from portal.demo.region import DEMO_USERS, INSTITUTIONS, OFFICERS, PARTNERS

REALM = "portal"
WEB_CLIENT_ID = "portal-web"
GATEWAY_CLIENT_ID = "portal-gateway"
WEB_CLIENT_SECRET = "portal-web-dev-secret"
GATEWAY_CLIENT_SECRET = "portal-gateway-dev-secret"
REALM_ROLES = ("partner", "officer", "coordinator", "supervisor", "editor", "admin")
LOCAL_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000", "https://portal.example.org")
PATH = Path(__file__).with_name("portal-realm.json")
_NS = uuid.UUID("6f1c7e0a-3b1d-4c55-9a43-7d3c1b2e9a10")


def stable_id(kind: str, name: str) -> str:
    """A stable UUID (Keycloak ids are UUIDs) so that `sub` does not change between builds."""
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))


def _mapper(name: str, mapper: str, config: dict[str, str]) -> dict[str, Any]:
    return {"id": stable_id("mapper", name), "name": name, "protocol": "openid-connect", "protocolMapper": mapper,
            "consentRequired": False, "config": config}


def _web_client() -> dict[str, Any]:
    return {
        "id": stable_id("client", WEB_CLIENT_ID), "clientId": WEB_CLIENT_ID, "name": "Портал (веб)",
        "enabled": True, "protocol": "openid-connect", "publicClient": False, "bearerOnly": False,
        "clientAuthenticatorType": "client-secret", "secret": WEB_CLIENT_SECRET,
        "standardFlowEnabled": True, "implicitFlowEnabled": False, "directAccessGrantsEnabled": True,
        "serviceAccountsEnabled": False, "frontchannelLogout": True, "fullScopeAllowed": True,
        "rootUrl": "", "baseUrl": "/",
        "redirectUris": [f"{origin}/*" for origin in LOCAL_ORIGINS],
        "webOrigins": list(LOCAL_ORIGINS),
        "attributes": {"pkce.code.challenge.method": "S256",
                       "post.logout.redirect.uris": "##".join(f"{origin}/*" for origin in LOCAL_ORIGINS)},
        "defaultClientScopes": ["web-origins", "acr", "profile", "roles", "basic", "email"],
        "optionalClientScopes": ["address", "phone", "offline_access", "microprofile-jwt"],
        "protocolMappers": [
            _mapper("portal-gateway audience", "oidc-audience-mapper",
                    {"included.client.audience": GATEWAY_CLIENT_ID, "id.token.claim": "false",
                     "access.token.claim": "true", "introspection.token.claim": "true"}),
            _mapper("groups", "oidc-group-membership-mapper",
                    {"claim.name": "groups", "full.path": "true", "id.token.claim": "true",
                     "access.token.claim": "true", "userinfo.token.claim": "true",
                     "introspection.token.claim": "true"}),
            _mapper("realm roles", "oidc-usermodel-realm-role-mapper",
                    {"claim.name": "realm_access.roles", "multivalued": "true", "jsonType.label": "String",
                     "id.token.claim": "false", "access.token.claim": "true", "userinfo.token.claim": "false",
                     "introspection.token.claim": "true"}),
        ],
    }


def _gateway_client() -> dict[str, Any]:
    return {
        "id": stable_id("client", GATEWAY_CLIENT_ID), "clientId": GATEWAY_CLIENT_ID, "name": "GraphQL gateway (API)",
        "enabled": True, "protocol": "openid-connect", "publicClient": False, "bearerOnly": False,
        "clientAuthenticatorType": "client-secret", "secret": GATEWAY_CLIENT_SECRET,
        "standardFlowEnabled": False, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False, "redirectUris": [], "webOrigins": [], "attributes": {},
        "protocolMappers": [],
    }


def _groups() -> list[dict[str, Any]]:
    def node(root: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"id": stable_id("group", f"/{root}/{spec['code']}"), "name": spec["code"],
                "path": f"/{root}/{spec['code']}",
                "attributes": {"kind": [spec["kind"]], "organisation": [spec["name"]]}, "subGroups": []}

    return [
        {"id": stable_id("group", "/institutions"), "name": "institutions", "path": "/institutions",
         "attributes": {}, "subGroups": [node("institutions", dict(spec)) for spec in INSTITUTIONS]},
        {"id": stable_id("group", "/partners"), "name": "partners", "path": "/partners",
         "attributes": {}, "subGroups": [node("partners", dict(spec)) for spec in PARTNERS]},
    ]


def _users() -> list[dict[str, Any]]:
    precincts = {str(o["username"]): [str(p) for p in o["precincts"]] for o in OFFICERS}  # type: ignore[attr-defined]
    users = []
    for user in DEMO_USERS:
        attributes: dict[str, list[str]] = {"locale": ["ru"]}
        if user["username"] in precincts:
            attributes["precincts"] = precincts[user["username"]]
        users.append({
            "id": stable_id("user", user["username"]), "username": user["username"], "enabled": True,
            "emailVerified": True, "firstName": user["first_name"], "lastName": user["last_name"],
            "email": user["email"], "attributes": attributes,
            "credentials": [{"type": "password", "value": user["password"], "temporary": False}],
            "requiredActions": [], "realmRoles": ["default-roles-portal", *user["roles"]],
            "groups": list(user["groups"]),
        })
    return users


def build_realm() -> dict[str, Any]:
    roles = [{"id": stable_id("role", name), "name": name, "composite": False, "clientRole": False,
              "containerId": REALM} for name in REALM_ROLES]
    roles.append({"id": stable_id("role", "default-roles-portal"), "name": "default-roles-portal",
                  "description": "${role_default-roles}", "composite": True, "clientRole": False,
                  "containerId": REALM, "composites": {"realm": ["offline_access", "uma_authorization"]}})
    roles += [{"id": stable_id("role", name), "name": name, "composite": False, "clientRole": False,
               "containerId": REALM} for name in ("offline_access", "uma_authorization")]
    return {
        "id": REALM, "realm": REALM, "displayName": "Портал социального сопровождения", "enabled": True,
        "sslRequired": "external", "registrationAllowed": False, "loginWithEmailAllowed": True,
        "internationalizationEnabled": True, "supportedLocales": ["ru", "en"], "defaultLocale": "ru",
        "accessTokenLifespan": 300, "ssoSessionIdleTimeout": 1800, "ssoSessionMaxLifespan": 36000,
        "defaultSignatureAlgorithm": "RS256", "bruteForceProtected": True,
        "roles": {"realm": roles, "client": {WEB_CLIENT_ID: [], GATEWAY_CLIENT_ID: []}},
        "defaultRole": {"name": "default-roles-portal", "composite": True, "clientRole": False, "containerId": REALM},
        "groups": _groups(),
        "users": _users(),
        "clients": [_web_client(), _gateway_client()],
    }


def write(path: Path = PATH) -> Path:
    path.write_text(json.dumps(build_realm(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
