"""Organisations and institutions → Keycloak groups (used by `portal sync-realm`)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

from portal.partners.models import Organisation

ROOTS = ("partners", "institutions")


class SyncFailed(Exception):
    pass


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class WantedGroup:
    root: str
    code: str
    name: str
    kind: str
    active: bool

    @property
    def path(self) -> str:
        return f"/{self.root}/{self.code}"


def wanted_groups() -> list[WantedGroup]:
    """Every organisation in the registry, as the group its members belong to (sorted by path)."""
    groups = []
    for organisation in Organisation.objects.order_by("code"):
        root, _sep, code = organisation.sso_group.strip("/").partition("/")
        groups.append(WantedGroup(root=root, code=code, name=organisation.short_name or organisation.name,
                                  kind=organisation.kind, active=organisation.active))
    return sorted(groups, key=lambda group: group.path)


def default_realm_file() -> Path:
    configured = getattr(settings, "KEYCLOAK_REALM_FILE", None) or getattr(settings, "DEVREALM_REALM_FILE", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "identity" / "realm" / "portal-realm.json"


def _group_attributes(group: WantedGroup) -> dict[str, list[str]]:
    return {"kind": [group.kind], "organisation": [group.name]}


# --- Realm file --------------------------------------------------------------------


def _root_node(realm: dict[str, Any], name: str) -> dict[str, Any]:
    groups = realm.setdefault("groups", [])
    for node in groups:
        if node.get("name") == name:
            node.setdefault("subGroups", [])
            return node
    node = {"name": name, "path": f"/{name}", "attributes": {}, "realmRoles": [], "clientRoles": {}, "subGroups": []}
    groups.append(node)
    return node


def sync_realm_data(realm: dict[str, Any], wanted: list[WantedGroup]) -> SyncReport:
    """Update a realm export (dict) in place; deterministic order (roots and subgroups sorted by name)."""
    report = SyncReport()
    for group in wanted:
        root = _root_node(realm, group.root)
        node = next((child for child in root["subGroups"] if child.get("name") == group.code), None)
        if node is None:
            if not group.active:
                continue
            root["subGroups"].append({"name": group.code, "path": group.path, "attributes": _group_attributes(group),
                                      "realmRoles": [], "clientRoles": {}, "subGroups": []})
            report.added.append(group.path)
            continue
        attributes = node.setdefault("attributes", {})
        if not group.active and attributes.get("active") != ["false"]:
            attributes["active"] = ["false"]
            report.deactivated.append(group.path)
        elif group.active and "active" in attributes:
            attributes.pop("active")
            report.reactivated.append(group.path)
        else:
            report.unchanged += 1
    for root_name in ROOTS:
        root = _root_node(realm, root_name)
        root["subGroups"].sort(key=lambda child: str(child.get("name", "")))
    realm["groups"].sort(key=lambda node: str(node.get("name", "")))
    return report


def sync_file(path: Path, *, dry_run: bool = False) -> SyncReport:
    realm = json.loads(path.read_text(encoding="utf-8"))
    report = sync_realm_data(realm, wanted_groups())
    if not dry_run and (report.added or report.deactivated or report.reactivated):
        text = json.dumps(realm, ensure_ascii=False, indent=2) + "\n"
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".realm-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    return report


# --- Real Keycloak -----------------------------------------------------------------


def keycloak_admin() -> KeycloakAdmin:
    """Admin client of the `portal` realm through a service account (client credentials)."""
    secret = getattr(settings, "KEYCLOAK_ADMIN_CLIENT_SECRET", "")
    if not secret:
        raise SyncFailed("KEYCLOAK_ADMIN_CLIENT_SECRET is not set (service-account client with the "
                         "realm-management role manage-users/query-groups is needed).")
    return KeycloakAdmin(server_url=settings.KEYCLOAK_URL.rstrip("/") + "/", realm_name=settings.KEYCLOAK_REALM,
                         client_id=settings.KEYCLOAK_ADMIN_CLIENT_ID, client_secret_key=secret,
                         grant_type="client_credentials", timeout=30)


def _root_id(admin: KeycloakAdmin, name: str, *, dry_run: bool, report: SyncReport) -> str | None:
    try:
        return str(admin.get_group_by_path(f"/{name}")["id"])
    except KeycloakError as error:
        if getattr(error, "response_code", None) != 404:
            raise
    if dry_run:
        report.added.append(f"/{name}")
        return None
    group_id = admin.create_group({"name": name}, skip_exists=True)
    report.added.append(f"/{name}")
    if group_id:
        return group_id
    return str(admin.get_group_by_path(f"/{name}")["id"])


def sync_keycloak(*, admin: KeycloakAdmin, dry_run: bool = False) -> SyncReport:
    """Create the missing `/partners/<code>` and `/institutions/<code>` groups (never deletes or edits)."""
    report = SyncReport()
    wanted = wanted_groups()
    try:
        for root_name in ROOTS:
            members = [group for group in wanted if group.root == root_name]
            if not members:
                continue
            root_id = _root_id(admin, root_name, dry_run=dry_run, report=report)
            existing = ({str(child.get("name")) for child in admin.get_group_children(root_id)}
                        if root_id is not None else set())
            for group in members:
                if group.code in existing:
                    report.unchanged += 1
                    continue
                if not group.active:
                    continue
                if not dry_run:
                    admin.create_group({"name": group.code, "attributes": _group_attributes(group)},
                                       parent=root_id, skip_exists=True)
                report.added.append(group.path)
    except KeycloakError as error:
        raise SyncFailed(f"Keycloak refused the change: {error}") from error
    return report
