"""The Meilisearch adapter's exact HTTP requests, checked against a recording transport (no server)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from django.core.management import call_command
from requests.adapters import HTTPAdapter

from portal.core.viewer import Role, Viewer
from portal.territory.search_documents import suggest_streets
from search import api
from search.backends.meili import MeilisearchBackend, settings_for
from search.models import IndexStamp
from search.registry import INDEXES
from search.sync import sync

KEY_UID = "3b1f0a2e-6c4d-4e8f-9a0b-1c2d3e4f5a6b"
ENQUEUED = "2026-01-01T00:00:00.000000Z"


@dataclass
class Recorder:
    requests: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    fail: bool = False
    search_hits: list[dict[str, Any]] = field(default_factory=list)
    task: int = 0
    #: (method, path) → error code of the task the next such request enqueues (that task then fails).
    task_errors: dict[tuple[str, str], str] = field(default_factory=dict)
    failed_tasks: dict[int, str] = field(default_factory=dict)
    #: index uid → its documents, answered to POST /indexes/<uid>/documents/fetch (absent: index_not_found).
    stored: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

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
            if uid in self.failed_tasks:
                code = self.failed_tasks[uid]
                payload.update(status="failed", error={"message": code, "code": code, "type": "invalid_request",
                                                       "link": f"https://docs.meilisearch.com/errors#{code}"})
        elif request.method == "POST" and path.endswith("/documents/fetch"):
            uid = path.split("/")[2]
            if uid in self.stored:
                offset, limit = body.get("offset", 0), body.get("limit", 20)
                docs = self.stored[uid]
                fields = body.get("fields")
                page = [{k: v for k, v in d.items() if not fields or k in fields} for d in docs[offset: offset + limit]]
                payload = {"results": page, "offset": offset, "limit": limit, "total": len(docs)}
            else:
                response.status_code = 404
                payload = {"message": f"Index `{uid}` not found.", "code": "index_not_found",
                           "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#index_not_found"}
        elif path.endswith("/search"):
            payload = {"hits": self.search_hits, "estimatedTotalHits": len(self.search_hits), "query": body["q"]}
        elif path == "/health":
            payload = {"status": "available"}
        else:
            self.task += 1
            code = self.task_errors.pop((request.method or "", path), None)  # one-shot
            if code:
                self.failed_tasks[self.task] = code
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
    assert b2["searchableAttributes"] == ["name", "name__e", "kind_name", "kind_name__e", "settlement",
                                          "settlement__e", "district_name", "district_name__e"]
    assert "district_code" in b2["filterableAttributes"] and "precinct_id" in b2["filterableAttributes"]
    assert "id" in b2["filterableAttributes"]  # deletes go by filter
    assert b2["typoTolerance"]["enabled"] is True
    assert b2["synonyms"]["ул"] == ["улица"] and "пр-т" in b2["synonyms"]["проспект"]
    # single letters never match as synonyms (whole words only): ё/е is folded in documents and queries instead
    assert "ё" not in b2["synonyms"] and "е" not in b2["synonyms"]
    # every task was waited for
    assert [p for m, p, _b, _h in recorder.requests if p.startswith("/tasks/")] == ["/tasks/1", "/tasks/2"]


def test_documents_and_deletes(meili: MeilisearchBackend, recorder: Recorder) -> None:
    meili.upsert("organisations", [{"id": 5, "name": "ЦСОН"}])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the client's delete-by-ids is deprecated
        meili.delete("organisations", ["6", "7"])
        meili.delete("staff", ["case:8"])
    assert recorder.calls() == [
        ("POST", "/indexes/portal_organisations/documents?primaryKey=id", [{"id": "5", "name": "ЦСОН"}]),
        ("POST", "/indexes/portal_organisations/documents/delete", {"filter": 'id IN ["6", "7"]'}),
        ("POST", "/indexes/portal_staff/documents/delete", {"filter": 'id IN ["case-8"]'}),
    ]


def test_yo_is_folded_in_documents_and_queries(meili: MeilisearchBackend, recorder: Recorder) -> None:
    meili.upsert("streets", [{"id": 3, "name": "Лесная", "settlement": "Берёзовка", "kind_name": "переулок",
                              "district_name": "Березовский район"}])
    (_m, _p, docs), = recorder.calls()
    assert docs == [{"id": "3", "name": "Лесная", "settlement": "Берёзовка", "settlement__e": "Березовка",
                     "kind_name": "переулок", "district_name": "Березовский район"}]
    recorder.search_hits = [{**docs[0], "precinct_ids": ["13"]}]
    result = api.search("streets", "Лесная Берёзовка")
    assert recorder.calls()[-1][2]["q"] == "Лесная Березовка"
    assert result.hits == [{"id": "3", "name": "Лесная", "settlement": "Берёзовка", "kind_name": "переулок",
                            "district_name": "Березовский район", "precinct_ids": ["13"]}]


def test_search_filter_strings(meili: MeilisearchBackend, recorder: Recorder) -> None:
    recorder.search_hits = [{"id": "3", "name": "Лесная", "label": "пер. Лесная", "precinct_ids": ["13"]}]
    result = api.search("needs", "продукты", filters={"district": "zar", "help_kind": ["food", 'a"b']}, limit=5)
    assert result.total == 1
    (_m, path, body), = recorder.calls()
    assert path == "/indexes/portal_needs/search"
    assert body == {"q": "продукты", "limit": 5, "offset": 0,
                    "filter": ['district = "zar"', ['help_kind = "food"', 'help_kind = "a\\"b"']]}
    assert suggest_streets("Лесная")[0].street_id == 3


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
    api.search_scoped("staff", "Иванов", viewer=officer)
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


def test_staff_search_without_key_forces_filter(meili: MeilisearchBackend, recorder: Recorder,
                                               caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_warned_no_search_key", False)
    coordinator = Viewer(username="c", roles=frozenset({Role.COORDINATOR}), institution_id=8)
    with caplog.at_level(logging.WARNING, logger="search"):
        api.search_scoped("staff", "Иван", viewer=coordinator)
        api.search_scoped("staff", "Петр", viewer=coordinator)
    first, second = recorder.requests
    assert first[2]["filter"] == ['institution_id = "8"'] and second[2]["filter"] == ['institution_id = "8"']
    assert first[3]["Authorization"] == "Bearer master"  # the admin key, never handed out
    warned = [r for r in caplog.records if "MEILISEARCH_SEARCH_KEY" in r.getMessage()]
    assert len(warned) == 1  # once per process


def test_tenant_token_expiry_is_utc_aware(meili: MeilisearchBackend) -> None:
    expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    token = meili.tenant_token("staff", {"institution_id": [8]}, api_key_uid=KEY_UID, api_key="k",
                               expires_at=expires)
    payload, _, _ = _decode(token)
    assert payload["exp"] == int(expires.timestamp())
    assert payload["searchRules"] == {"portal_staff": {"filter": 'institution_id = "8"'}}


def test_rebuild_proceeds_when_there_is_no_leftover_new_index(meili: MeilisearchBackend,
                                                              recorder: Recorder) -> None:
    recorder.task_errors[("DELETE", "/indexes/portal_streets__new")] = "index_not_found"
    assert meili.begin_rebuild("streets", INDEXES["streets"]) == "streets__new"
    assert [(m, p) for m, p, _b in recorder.calls()] == [
        ("DELETE", "/indexes/portal_streets__new"),
        ("POST", "/indexes"), ("PATCH", "/indexes/portal_streets/settings"),
        ("POST", "/indexes"), ("PATCH", "/indexes/portal_streets__new/settings"),
    ]
    assert recorder.calls()[3][2] == {"uid": "portal_streets__new", "primaryKey": "id"}


def test_rebuild_stops_when_the_leftover_cannot_be_deleted(meili: MeilisearchBackend, recorder: Recorder) -> None:
    recorder.task_errors[("DELETE", "/indexes/portal_streets__new")] = "internal"
    with pytest.raises(api.SearchUnavailable):  # building into a stale leftover would keep deleted documents
        meili.begin_rebuild("streets", INDEXES["streets"])
    assert [(m, p) for m, p, _b in recorder.calls()] == [("DELETE", "/indexes/portal_streets__new")]


@pytest.mark.django_db
def test_reindex_command_on_meilisearch_without_leftover(meili: MeilisearchBackend, recorder: Recorder) -> None:
    from portal.testing import factories

    district = factories.district(code="meili-zar", name="Заречный район")
    street = factories.street(district_obj=district, name="Лесная", settlement="Берёзовка")
    recorder.task_errors[("DELETE", "/indexes/portal_streets__new")] = "index_not_found"
    call_command("reindex", "streets", verbosity=0)
    calls = recorder.calls()
    start = calls.index(("DELETE", "/indexes/portal_streets__new", None))
    written = [b for m, p, b in calls[start:] if p == "/indexes/portal_streets__new/documents?primaryKey=id"]
    assert [doc["id"] for doc in written[0]] == [str(street.pk)]
    assert written[0][0]["settlement__e"] == "Березовка"
    swap = calls.index(("POST", "/swap-indexes", [{"indexes": ["portal_streets", "portal_streets__new"]}]))
    assert calls[swap + 1] == ("DELETE", "/indexes/portal_streets__new", None)
    stamp = calls[swap + 3]  # after the swap: the build token (create the stamps index, then the document)
    assert stamp[1] == "/indexes/portal__stamps/documents?primaryKey=id"
    assert stamp[2] == [{"id": "streets", "token": IndexStamp.objects.get(name="streets").token}]


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


def test_stamps_are_read_from_their_own_index(meili: MeilisearchBackend, recorder: Recorder) -> None:
    assert meili.read_stamps() == {}  # no stamps index at all: everything counts as lost
    recorder.stored["portal__stamps"] = [{"id": "streets", "token": "abc"}, {"id": "pages", "token": "def"}]
    assert meili.read_stamps() == {"streets": "abc", "pages": "def"}
    assert recorder.calls()[-1] == ("POST", "/indexes/portal__stamps/documents/fetch", {"limit": 1000, "offset": 0})
    recorder.fail = True
    with pytest.raises(api.SearchUnavailable):
        meili.read_stamps()


def test_document_ids_page_through_the_index(meili: MeilisearchBackend, recorder: Recorder,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import search.backends.meili as meili_module

    monkeypatch.setattr(meili_module, "PAGE", 2)
    recorder.stored["portal_streets"] = [{"id": str(n), "name": "x"} for n in range(5)]
    assert meili.document_ids("streets") == {"0", "1", "2", "3", "4"}
    fetches = [b for m, p, b in recorder.calls() if p == "/indexes/portal_streets/documents/fetch"]
    assert fetches == [{"fields": ["id"], "limit": 2, "offset": o} for o in (0, 2, 4)]


@pytest.mark.django_db
def test_sync_rebuilds_indexes_the_engine_lost(meili: MeilisearchBackend, recorder: Recorder) -> None:
    """The Meilisearch data was wiped (no stamps index): sync alone rebuilds every index and stamps it."""
    from portal.testing import factories

    district = factories.district(code="meili-lost", name="Заречный район")
    street = factories.street(district_obj=district, name="Лесная", settlement="Заречный")
    IndexStamp.objects.all().delete()
    report = sync()
    assert report.ok and set(report.rebuilt) == set(INDEXES)
    calls = recorder.calls()
    written = [b for m, p, b in calls if p == "/indexes/portal_streets__new/documents?primaryKey=id"]
    assert [doc["id"] for doc in written[0]] == [str(street.pk)]
    stamps = [b[0] for m, p, b in calls if p == "/indexes/portal__stamps/documents?primaryKey=id"]
    assert {s["id"]: s["token"] for s in stamps} == dict(IndexStamp.objects.values_list("name", "token"))
    # the engine now holds the stamps: nothing is lost, nothing is rebuilt again
    recorder.stored["portal__stamps"] = stamps
    recorder.requests.clear()
    assert sync().rebuilt == []
    assert not any(p.endswith("/swap-indexes") for m, p, b in recorder.calls())
