"""Generate `identity/realm/portal-realm.json` (a Keycloak 26 realm export) from `portal/demo/region.py`.

Run `python -m portal.demo.realm` after changing the demo region; the committed JSON is the artefact
that `kc.sh import --file portal-realm.json` and the development realm both read.

The redirect and post-logout URIs of `portal-web` are `<base>/*` for each base URL of the portal:
`--base-url` (repeatable, or comma-separated), else the comma-separated `PORTAL_BASE_URL`, else
DEFAULT_BASE_URLS (what the committed file holds). For an installation:

    PORTAL_BASE_URL=https://portal.region.example python -m portal.demo.realm -o /tmp/portal-realm.json
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from identity.realm.clients import (
    ADMIN_CLIENT_ID,
    ADMIN_CLIENT_ROLES,
    ADMIN_CLIENT_SECRET,
    DEFAULT_BASE_URLS,
    GATEWAY_CLIENT_ID,
    GATEWAY_CLIENT_SECRET,
    PATH,
    REALM,
    REALM_ROLES,
    WEB_CLIENT_ID,
    WEB_CLIENT_SECRET,
    stable_id,
)
from portal.demo.region import DEMO_USERS, INSTITUTIONS, OFFICERS, PARTNERS

__all__ = ["ADMIN_CLIENT_ID", "ADMIN_CLIENT_ROLES", "ADMIN_CLIENT_SECRET", "DEFAULT_BASE_URLS", "PATH",
           "build_realm", "main", "parse_base_urls", "stable_id", "write"]


def _mapper(name: str, mapper: str, config: dict[str, str]) -> dict[str, Any]:
    return {"id": stable_id("mapper", name), "name": name, "protocol": "openid-connect", "protocolMapper": mapper,
            "consentRequired": False, "config": config}


def parse_base_urls(values: Sequence[str]) -> tuple[str, ...]:
    """Comma-separated http(s) base URLs → unique, without trailing slash; ValueError on anything else."""
    bases: list[str] = []
    for value in values:
        for item in (part.strip().rstrip("/") for part in value.split(",")):
            if not item:
                continue
            parts = urlsplit(item)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
                    or "*" in item or parts.username is not None:
                raise ValueError(f"not a base URL (scheme://host[:port][/path]): {item!r}")
            bases.append(item)
    return tuple(dict.fromkeys(bases))


def _web_client(bases: Sequence[str]) -> dict[str, Any]:
    return {
        "id": stable_id("client", WEB_CLIENT_ID), "clientId": WEB_CLIENT_ID, "name": "Портал (веб)",
        "enabled": True, "protocol": "openid-connect", "publicClient": False, "bearerOnly": False,
        "clientAuthenticatorType": "client-secret", "secret": WEB_CLIENT_SECRET,
        "standardFlowEnabled": True, "implicitFlowEnabled": False, "directAccessGrantsEnabled": True,
        "serviceAccountsEnabled": False, "frontchannelLogout": True, "fullScopeAllowed": True,
        "rootUrl": "", "baseUrl": "/",
        "redirectUris": [f"{base}/*" for base in bases],
        "webOrigins": list(dict.fromkeys(f"{urlsplit(base).scheme}://{urlsplit(base).netloc}" for base in bases)),
        "attributes": {"pkce.code.challenge.method": "S256",
                       "post.logout.redirect.uris": "##".join(f"{base}/*" for base in bases)},
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


def _admin_client() -> dict[str, Any]:
    """Confidential client with a service account only (client credentials): no browser or password flow."""
    return {
        "id": stable_id("client", ADMIN_CLIENT_ID), "clientId": ADMIN_CLIENT_ID, "name": "Portal realm sync",
        "enabled": True, "protocol": "openid-connect", "publicClient": False, "bearerOnly": False,
        "clientAuthenticatorType": "client-secret", "secret": ADMIN_CLIENT_SECRET,
        "standardFlowEnabled": False, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True, "fullScopeAllowed": True, "redirectUris": [], "webOrigins": [],
        "attributes": {}, "defaultClientScopes": ["web-origins", "acr", "profile", "roles", "basic", "email"],
        "optionalClientScopes": [], "protocolMappers": [],
    }


def _service_account_user() -> dict[str, Any]:
    """The user behind `portal-admin`'s service account, as a Keycloak 26 export writes it."""
    username = f"service-account-{ADMIN_CLIENT_ID}"
    return {"id": stable_id("user", username), "username": username, "enabled": True, "emailVerified": False,
            "serviceAccountClientId": ADMIN_CLIENT_ID, "attributes": {}, "credentials": [], "requiredActions": [],
            "realmRoles": ["default-roles-portal"], "clientRoles": {"realm-management": list(ADMIN_CLIENT_ROLES)},
            "groups": []}


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
    precincts = {str(o["username"]): [str(p) for p in o["precincts"]] for o in OFFICERS}
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
    return [*users, _service_account_user()]


def build_realm(bases: Sequence[str] = DEFAULT_BASE_URLS) -> dict[str, Any]:
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
        "revokeRefreshToken": False, "refreshTokenMaxReuse": 0,
        "roles": {"realm": roles, "client": {WEB_CLIENT_ID: [], GATEWAY_CLIENT_ID: [], ADMIN_CLIENT_ID: []}},
        "defaultRole": {"name": "default-roles-portal", "composite": True, "clientRole": False, "containerId": REALM},
        "groups": _groups(),
        "users": _users(),
        "clients": [_web_client(bases), _gateway_client(), _admin_client()],
    }


def write(path: Path = PATH, bases: Sequence[str] = DEFAULT_BASE_URLS) -> Path:
    path.write_text(json.dumps(build_realm(bases), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m portal.demo.realm",
                                     description="Write the Keycloak realm export of the portal.")
    parser.add_argument("--base-url", action="append", default=[],
                        help="base URL of the portal (repeatable or comma-separated; default: PORTAL_BASE_URL)")
    parser.add_argument("-o", "--output", type=Path, default=PATH, help=f"realm file to write (default: {PATH})")
    args = parser.parse_args(argv)
    try:
        bases = parse_base_urls(args.base_url or [os.environ.get("PORTAL_BASE_URL", "")]) or DEFAULT_BASE_URLS
    except ValueError as error:
        parser.error(str(error))
    path = write(args.output, bases)
    print(f"{path} (redirect URIs for {', '.join(bases)})")
    return path


if __name__ == "__main__":
    main()
