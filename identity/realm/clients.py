"""The `portal` realm's fixed names: clients, their development secrets, realm roles, stable ids.

Identity reads these at run time; the realm file itself is generated from the demo region by
`python -m portal.demo.realm` (the composition root), so identity never imports the demo."""

from __future__ import annotations

import uuid
from pathlib import Path

REALM = "portal"
WEB_CLIENT_ID = "portal-web"
GATEWAY_CLIENT_ID = "portal-gateway"
WEB_CLIENT_SECRET = "portal-web-dev-secret"
GATEWAY_CLIENT_SECRET = "portal-gateway-dev-secret"
#: Service-account client of `portal sync-realm` against a real Keycloak (KEYCLOAK_ADMIN_CLIENT_ID/_SECRET).
ADMIN_CLIENT_ID = "portal-admin"
ADMIN_CLIENT_SECRET = "portal-admin-dev-secret"
ADMIN_CLIENT_ROLES = ("query-groups", "view-users", "manage-users", "view-realm")  # of client realm-management
REALM_ROLES = ("partner", "operator", "officer", "coordinator", "supervisor", "editor", "admin")
DEFAULT_BASE_URLS = ("http://127.0.0.1:8000", "http://localhost:8000", "https://portal.example.org")
PATH = Path(__file__).with_name("portal-realm.json")
_NS = uuid.UUID("6f1c7e0a-3b1d-4c55-9a43-7d3c1b2e9a10")


def stable_id(kind: str, name: str) -> str:
    """A stable UUID (Keycloak ids are UUIDs) so that `sub` does not change between builds."""
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))
