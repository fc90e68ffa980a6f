"""The Meilisearch adapter's exact HTTP requests, checked against a recording transport (no server)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from identity.viewer import Role, Viewer
from search import api
from search.backends.meili import MeilisearchBackend, settings_for
from search.documents import INDEXES

KEY_UID = "3b1f0a2e-6c4d-4e8f-9a0b-1c2d3e4f5a6b"
ENQUEUED = "2026-01-01T00:00:00.000000Z"


@dataclass
class Recorder:
    requests: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    fail: bool = False
    search_hits: list[dict[str, Any]] = field(default_factory=list)
    task: int = 0

    def send(self, request: requests.PreparedRequest, **_kwargs: Any) -> requests.Response:
        if self.fail:
            raise requests.ConnectionError("meilisearch down")
        path = request.path_url
        body = json.loads(request.body) if request.body not in (None, b"", "") else None
        self.requests.append((request.method or "", path, body, dict(request.headers)))
        response = requests.Response()
        response.status_code = 200
        response.request = request
        if request.method == "GET" and path.startswith("/tasks/"):
            uid = int(path.rsplit("/", 1)[1])
            payload: Any = {"uid": uid, "indexUid": "x", "status": "succeeded", "type": "x", "enqueuedAt": ENQUEUED}
        elif path.endswith("/search"):
            payload = {"hits": self.search_hits, "estimatedTotalHits": len(self.search_hits), "query": body["q"]}
        elif path == "/health":
            payload = {"status": "available"}
        else:
            self.task += 1
            response.status_code = 202
            payload = {"taskUid": self.task, "indexUid": "x", "status": "enqueued", "type": "x",
                       "enqueuedAt": ENQUEUED}
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json"
        return response

    def calls(self, method: str | None = None) -> list[tuple[str, str, Any]]:
        return [(m, p, b) for m, p, b, _ in self.requests
                if not p.startswith("/tasks/") and (not method or m == method)]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    monkeypatch.setattr(HTTPAdapter, "send", lambda _self, request, **kw: rec.send(request, **kw))
    yield rec


@pytest.fixture
def meili(recorder: Recorder) -> Iterator[MeilisearchBackend]:
    backend = MeilisearchBackend("http://meili.test:7700", "master", prefix="portal")
    api.set_backend(backend)
    yield backend
    api.set_backend(None)


def test_index_settings_payload(meili: MeilisearchBackend, recorder: Recorder) -> None:
    meili.ensure_index("streets", INDEXES["streets"])
    (m1, p1, b1), (m2, p2, b2) = recorder.calls()
    assert (m1, p1, b1) == ("POST", "/indexes", {"uid": "portal_streets", "primaryKey": "id"})
    assert (m2, p2) == ("PATCH", "/indexes/portal_streets/settings")
    assert b2 == settings_for(INDEXES["streets"])
    assert b2["searchableAttributes"] == ["name", "kind_name", "settlement", "district_name"]
    assert "district_code" in b2["filterableAttributes"] and "precinct_id" in b2["filterableAttributes"]
    assert b2["typoTolerance"]["enabled"] is True
    assert b2["synonyms"]["ул"] == ["улица"] and "пр-т" in b2["synonyms"]["проспект"]
    assert b2["synonyms"]["ё"] == ["е"]
    # every task was waited for
    assert [p for m, p, _b, _h in recorder.requests if p.startswith("/tasks/")] == ["/tasks/1", "/tasks/2"]


def test_documents_and_deletes(meili: MeilisearchBackend, recorder: Recorder) -> None:
    meili.upsert("organisations", [{"id": 5, "name": "ЦСОН"}])
    meili.delete("organisations", ["6", "7"])
    assert recorder.calls() == [
        ("POST", "/indexes/portal_organisations/documents?primaryKey=id", [{"id": "5", "name": "ЦСОН"}]),
        ("POST", "/indexes/portal_organisations/documents/delete-batch", ["6", "7"]),
    ]


def test_search_filter_strings(meili: MeilisearchBackend, recorder: Recorder) -> None:
    recorder.search_hits = [{"id": "3", "name": "Лесная", "label": "пер. Лесная", "precinct_ids": ["13"]}]
    result = api.search("needs", "продукты", filters={"district": "zar", "help_kind": ["food", 'a"b']}, limit=5)
    assert result.total == 1
    (_m, path, body), = recorder.calls()
    assert path == "/indexes/portal_needs/search"
    assert body == {"q": "продукты", "limit": 5, "offset": 0,
                    "filter": ['district = "zar"', ['help_kind = "food"', 'help_kind = "a\\"b"']]}
    assert api.suggest_streets("Лесная")[0].street_id == 3


def _decode(token: str) -> tuple[dict[str, Any], bytes, bytes]:
    header, payload, signature = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(payload))), f"{header}.{payload}".encode(), \
        base64.urlsafe_b64decode(pad(signature))


def test_staff_search_uses_tenant_token(meili: MeilisearchBackend, recorder: Recorder,
                                        settings: Any) -> None:
    settings.MEILISEARCH_SEARCH_KEY_UID = KEY_UID
    settings.MEILISEARCH_SEARCH_KEY = "search-secret"
    officer = Viewer(username="o", roles=frozenset({Role.OFFICER}), precinct_ids=frozenset({11, 4}))
    before = dt.datetime.now(dt.UTC)
    api.search_staff(viewer=officer, query="Иванов")
    (_m, path, body, headers), = [r for r in recorder.requests]
    assert path == "/indexes/portal_staff/search" and body["q"] == "Иванов" and "filter" not in body
    token = headers["Authorization"].removeprefix("Bearer ")
    payload, signed, signature = _decode(token)
    assert payload["apiKeyUid"] == KEY_UID
    assert payload["searchRules"] == {"portal_staff": {"filter": '(precinct_id = "4" OR precinct_id = "11")'}} or \
        payload["searchRules"] == {"portal_staff": {"filter": '(precinct_id = "11" OR precinct_id = "4")'}}
    expiry = dt.datetime.fromtimestamp(payload["exp"], dt.UTC)
    assert before < expiry <= before + dt.timedelta(minutes=11)
    assert hmac.compare_digest(signature, hmac.new(b"search-secret", signed, hashlib.sha256).digest())


def test_staff_search_without_key_forces_filter(meili: MeilisearchBackend, recorder: Recorder) -> None:
    coordinator = Viewer(username="c", roles=frozenset({Role.COORDINATOR}), institution_id=8)
    api.search_staff(viewer=coordinator, query="Иван")
    (_m, _p, body), = recorder.calls()
    assert body["filter"] == ['institution_id = "8"']


def test_tenant_token_expiry_is_utc_aware(meili: MeilisearchBackend) -> None:
    expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    token = meili.tenant_token("staff", {"institution_id": [8]}, api_key_uid=KEY_UID, api_key="k",
                               expires_at=expires)
    payload, _, _ = _decode(token)
    assert payload["exp"] == int(expires.timestamp())
    assert payload["searchRules"] == {"portal_staff": {"filter": 'institution_id = "8"'}}


def test_swap_for_reindex(meili: MeilisearchBackend, recorder: Recorder) -> None:
    meili.finish_rebuild("streets", "streets__new")
    assert recorder.calls() == [("POST", "/swap-indexes", [{"indexes": ["portal_streets", "portal_streets__new"]}]),
                                ("DELETE", "/indexes/portal_streets__new", None)]


def test_outage_raises_search_unavailable(meili: MeilisearchBackend, recorder: Recorder) -> None:
    recorder.fail = True
    with pytest.raises(api.SearchUnavailable):
        api.search("streets", "Лени")
    with pytest.raises(api.SearchUnavailable):
        meili.upsert("streets", [{"id": "1"}])
    assert meili.health() is False
