"""`portal sync-realm`: organisations → realm-file groups, or Keycloak admin API calls (recorded)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from django.core.management import call_command
from requests.adapters import HTTPAdapter

from portal.partners.models import Organisation

pytestmark = pytest.mark.django_db

BASE_REALM: dict[str, Any] = {
    "realm": "portal",
    "groups": [
        {"name": "partners", "path": "/partners", "subGroups": [
            {"name": "zz-manual", "path": "/partners/zz-manual", "attributes": {}, "subGroups": []},
            {"name": "police", "path": "/partners/police", "attributes": {}, "subGroups": []},
        ]},
    ],
}


@pytest.fixture
def organisations() -> None:
    Organisation.objects.create(code="school-7", name="СОШ № 7", kind="school")
    Organisation.objects.create(code="police", name="ОМВД", kind="police")
    Organisation.objects.create(code="closed-ngo", name="Закрытый фонд", kind="ngo", active=False)
    Organisation.objects.create(code="kcson", name="КЦСОН", kind="social_service")


def _subgroups(realm: dict[str, Any], root: str) -> list[str]:
    node = next(group for group in realm["groups"] if group["name"] == root)
    return [child["name"] for child in node["subGroups"]]


def test_file_mode_adds_missing_groups_in_order_and_keeps_manual_ones(tmp_path: Path, organisations: None,
                                                                      settings: Any) -> None:
    settings.KEYCLOAK_URL = ""
    realm_file = tmp_path / "portal-realm.json"
    realm_file.write_text(json.dumps(BASE_REALM), encoding="utf-8")
    out = StringIO()
    call_command("sync_realm", realm_file=realm_file, stdout=out)
    realm = json.loads(realm_file.read_text(encoding="utf-8"))
    assert [group["name"] for group in realm["groups"]] == ["institutions", "partners"]
    assert _subgroups(realm, "partners") == ["police", "school-7", "zz-manual"]  # inactive closed-ngo not added
    assert _subgroups(realm, "institutions") == ["kcson"]
    school = next(c for c in realm["groups"][1]["subGroups"] if c["name"] == "school-7")
    assert school["path"] == "/partners/school-7" and school["attributes"]["kind"] == ["school"]
    assert "added 2 group(s)" in out.getvalue()
    first = realm_file.read_bytes()
    call_command("sync_realm", realm_file=realm_file, stdout=StringIO())
    assert realm_file.read_bytes() == first  # idempotent, deterministic


def test_file_mode_marks_deactivated_organisations_and_clears_the_mark(tmp_path: Path, organisations: None,
                                                                       settings: Any) -> None:
    settings.KEYCLOAK_URL = ""
    realm_file = tmp_path / "portal-realm.json"
    realm_file.write_text(json.dumps(BASE_REALM), encoding="utf-8")
    Organisation.objects.filter(code="police").update(active=False)
    call_command("sync_realm", realm_file=realm_file, stdout=StringIO())
    police = next(c for c in json.loads(realm_file.read_text())["groups"][1]["subGroups"] if c["name"] == "police")
    assert police["attributes"]["active"] == ["false"]
    Organisation.objects.filter(code="police").update(active=True)
    call_command("sync_realm", realm_file=realm_file, stdout=StringIO())
    police = next(c for c in json.loads(realm_file.read_text())["groups"][1]["subGroups"] if c["name"] == "police")
    assert "active" not in police["attributes"]


def test_dry_run_writes_nothing(tmp_path: Path, organisations: None, settings: Any) -> None:
    settings.KEYCLOAK_URL = ""
    realm_file = tmp_path / "portal-realm.json"
    realm_file.write_text(json.dumps(BASE_REALM), encoding="utf-8")
    before = realm_file.read_bytes()
    out = StringIO()
    call_command("sync_realm", realm_file=realm_file, dry_run=True, stdout=out)
    assert realm_file.read_bytes() == before
    assert "would add 2 group(s)" in out.getvalue()


class RecordingKeycloak:
    """Stands in for Keycloak's HTTP API below python-keycloak (requests' adapter), recording every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.groups: dict[str, dict[str, Any]] = {"id-partners": {"id": "id-partners", "name": "partners",
                                                                  "path": "/partners", "children": ["police"]}}

    def send(self, adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        body: Any = request.body
        if isinstance(body, bytes):
            body = body.decode()
        if body and request.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(body)
        elif body:
            body = {key: values[0] for key, values in parse_qs(body).items()}
        path = unquote(parts.path)
        self.calls.append((request.method or "", path, body))
        status, payload, headers = self.answer(request.method or "", path, body)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode() if payload is not None else b""
        response.headers.update({"Content-Type": "application/json", **headers})
        response.url = request.url or ""
        response.request = request
        return response

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if path == "/kc/realms/portal/protocol/openid-connect/token":
            return 200, {"access_token": "admin-token", "expires_in": 300, "token_type": "Bearer"}, {}
        if method == "GET" and path.startswith("/kc/admin/realms/portal/group-by-path/"):
            name = path.rsplit("/", 1)[1]
            for group in self.groups.values():
                if group["path"] == f"/{name}":
                    return 200, {"id": group["id"], "name": name, "path": group["path"]}, {}
            return 404, {"error": "Group path does not exist"}, {}
        if method == "GET" and path.endswith("/children"):
            group = self.groups[path.split("/")[-2]]
            return 200, [{"id": f"id-{name}", "name": name} for name in group["children"]], {}
        if method == "POST" and path == "/kc/admin/realms/portal/groups":
            group_id = f"id-{body['name']}"
            self.groups[group_id] = {"id": group_id, "name": body["name"], "path": f"/{body['name']}", "children": []}
            return 201, None, {"Location": f"http://kc/admin/realms/portal/groups/{group_id}"}
        if method == "POST" and path.endswith("/children"):
            self.groups[path.split("/")[-2]]["children"].append(body["name"])
            return 201, None, {"Location": f"http://kc/admin/realms/portal/groups/id-{body['name']}"}
        return 500, {"error": f"unexpected {method} {path}"}, {}


def test_keycloak_mode_creates_only_missing_groups_through_the_admin_api(organisations: None, settings: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings.KEYCLOAK_URL = "http://kc.example/kc"
    settings.KEYCLOAK_ADMIN_CLIENT_ID = "portal-admin"
    settings.KEYCLOAK_ADMIN_CLIENT_SECRET = "s3cret"
    fake = RecordingKeycloak()
    monkeypatch.setattr(HTTPAdapter, "send", lambda adapter, request, **kw: fake.send(adapter, request, **kw))
    out = StringIO()
    call_command("sync_realm", stdout=out)
    calls = [(method, path) for method, path, _body in fake.calls]
    assert calls == [
        ("POST", "/kc/realms/portal/protocol/openid-connect/token"),
        ("GET", "/kc/admin/realms/portal/group-by-path/partners"),
        ("GET", "/kc/admin/realms/portal/groups/id-partners/children"),
        ("POST", "/kc/admin/realms/portal/groups/id-partners/children"),
        ("GET", "/kc/admin/realms/portal/group-by-path/institutions"),
        ("POST", "/kc/admin/realms/portal/groups"),
        ("GET", "/kc/admin/realms/portal/groups/id-institutions/children"),
        ("POST", "/kc/admin/realms/portal/groups/id-institutions/children"),
    ]
    token_body = fake.calls[0][2]
    assert token_body["grant_type"] == "client_credentials"
    assert (token_body["client_id"], token_body["client_secret"]) == ("portal-admin", "s3cret")
    assert fake.calls[3][2] == {"name": "school-7", "attributes": {"kind": ["school"], "organisation": ["СОШ № 7"]}}
    assert fake.calls[5][2] == {"name": "institutions"}
    assert fake.calls[7][2]["name"] == "kcson"
    assert "added 3 group(s)" in out.getvalue()
    # Second run: everything exists, nothing is created.
    fake.calls.clear()
    call_command("sync_realm", stdout=StringIO())
    assert [method for method, _path, _body in fake.calls if method == "POST" and "token" not in _path] == []


def test_keycloak_mode_without_secret_is_a_clear_error(settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.KEYCLOAK_URL = "http://kc.example"
    settings.KEYCLOAK_ADMIN_CLIENT_SECRET = ""
    with pytest.raises(CommandError, match="KEYCLOAK_ADMIN_CLIENT_SECRET"):
        call_command("sync_realm", stdout=StringIO())
