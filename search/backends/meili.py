"""Meilisearch adapter on the official client. Index settings live in code (`settings_for`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import meilisearch
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchError

from search.backends.base import Document, Filters, SearchResult, SearchUnavailable, as_values
from search.normalise import synonyms
from search.registry import INDEXES, IndexSpec, Scope, scope_fields

TASK_TIMEOUT_MS = 60_000
_ERRORS = (MeilisearchError, MeilisearchCommunicationError, MeilisearchApiError, requests.RequestException)
#: Index (after the prefix) holding one document per logical index: {"id": name, "token": build token}.
STAMPS = "_stamps"
#: Page size when listing document ids.
PAGE = 1000
#: Suffix of the hidden copy of a searchable field with ё written as е (only added when the field has a ё).
FOLDED = "__e"


def settings_for(spec: IndexSpec) -> dict[str, Any]:
    """Index settings. ё/е: synonyms only match whole words, so instead every searchable field holding a ё
    gets a folded copy (`<field>__e`, right after it in ranking order) and queries are folded the same way."""
    return {
        "searchableAttributes": [name for field in spec.searchable for name in (field, f"{field}{FOLDED}")],
        "filterableAttributes": sorted({"id", *spec.filterable, *scope_fields()}),  # "id": delete by filter
        "sortableAttributes": list(spec.sortable),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 7}},
        "synonyms": synonyms(),
    }


def fold_yo(value: Any) -> Any:
    """ё→е in a string or a list of strings; other values unchanged."""
    if isinstance(value, str):
        return value.replace("ё", "е").replace("Ё", "Е")
    if isinstance(value, list | tuple):
        return [fold_yo(item) for item in value]
    return value


def with_folded(spec: IndexSpec, document: Document) -> Document:
    """The document as stored: ":" is not allowed in ids, and folded copies of searchable fields with a ё."""
    stored = {**document, "id": engine_id(document["id"])}
    for name in spec.searchable:
        value = document.get(name)
        folded = fold_yo(value)
        if folded != value:
            stored[f"{name}{FOLDED}"] = folded
    return stored


def engine_id(doc_id: Any) -> str:
    return str(doc_id).replace(":", "-")


def _quote(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def filter_expression(filters: Mapping[str, Any] | None) -> list[str | list[str]]:
    """Meilisearch filter array: each field ANDed, the values of one field ORed."""
    result: list[str | list[str]] = []
    for name, value in (filters or {}).items():
        if value is None or value == "" or value == []:
            continue
        values = as_values(value)
        clauses = [f"{name} = {_quote(v)}" for v in values]
        result.append(clauses[0] if len(clauses) == 1 else clauses)
    return result


def scope_expression(scope: Mapping[str, Any]) -> list[str | list[str]]:
    """Meilisearch filter array for a scope: one entry ORing every field's values (any of them grants access)."""
    clauses = [f"{name} = {_quote(v)}" for name, value in scope.items() for v in as_values(value)]
    if not clauses:
        return []
    return [clauses[0] if len(clauses) == 1 else clauses]


def _rule(expression: list[str | list[str]]) -> str:
    return " AND ".join(f"({' OR '.join(part)})" if isinstance(part, list) else part for part in expression)


class MeilisearchBackend:
    def __init__(self, url: str, api_key: str = "", *, prefix: str = "portal", timeout: int = 10) -> None:
        self.url = url
        self.api_key = api_key
        self.prefix = prefix
        self.client = meilisearch.Client(url, api_key or None, timeout=timeout)
        #: Additions queued to a version being rebuilt, waited for by `finish_rebuild` (`upsert`).
        self._pending: dict[str, list[Any]] = {}

    def uid(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def _wait(self, task: Any, *, ignore: Collection[str] = ()) -> None:
        """Wait for a task; a failed task raises SearchUnavailable unless its error code is in `ignore`."""
        uid = getattr(task, "task_uid", None)
        if uid is None and isinstance(task, dict):
            uid = task.get("taskUid")
        done = self._call(self.client.wait_for_task, uid, timeout_in_ms=TASK_TIMEOUT_MS)
        status = getattr(done, "status", None) or (done.get("status") if isinstance(done, dict) else None)
        if status != "succeeded":
            error = getattr(done, "error", None) or (done.get("error") if isinstance(done, dict) else None)
            if isinstance(error, dict) and error.get("code") in ignore:
                return
            raise SearchUnavailable(f"meilisearch task {uid} {status}: {error}")

    def _call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def _spec(self, index: str) -> IndexSpec:
        return INDEXES[index if index in INDEXES else index.rsplit("__", 1)[0]]

    def ensure_index(self, name: str, spec: IndexSpec | None = None) -> None:
        spec = spec or self._spec(name)
        self._wait(self._call(self.client.create_index, self.uid(name), {"primaryKey": "id"}),
                   ignore={"index_already_exists"})
        self._wait(self._call(self.client.index(self.uid(name)).update_settings, settings_for(spec)))

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        if not documents:
            return
        spec = self._spec(index)
        docs = [with_folded(spec, doc) for doc in documents]
        task = self._call(self.client.index(self.uid(index)).add_documents, docs, primary_key="id")
        if index.endswith("__new"):  # a rebuild: Meilisearch batches queued additions; finish_rebuild waits
            self._pending.setdefault(index, []).append(task)
        else:
            self._wait(task)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        """Delete by a filter on "id" (deleting by a list of ids is deprecated in the client)."""
        if not ids:
            return
        expression = f"id IN [{', '.join(_quote(engine_id(i)) for i in ids)}]"
        self._wait(self._call(self.client.index(self.uid(index)).delete_documents, filter=expression))

    def search_params(self, *, filters: Filters | None, limit: int, offset: int, sort: str | None,
                      scope: Scope = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        expression = [*(scope_expression(scope) if scope is not None else []), *filter_expression(filters)]
        if expression:
            params["filter"] = expression
        if sort:
            params["sort"] = [sort if ":" in sort else f"{sort}:asc"]
        return params

    def search(self, index: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
               sort: str | None = None, scope: Scope = None, client: meilisearch.Client | None = None) -> SearchResult:
        params = self.search_params(filters=filters, limit=limit, offset=offset, sort=sort, scope=scope)
        response = self._call((client or self.client).index(self.uid(index)).search, fold_yo(query), params)
        hits = [{k: v for k, v in hit.items() if not k.endswith(FOLDED)} for hit in response.get("hits", [])]
        return SearchResult(hits=hits,
                            total=int(response.get("estimatedTotalHits", response.get("totalHits", 0)) or 0),
                            limit=limit, offset=offset)

    # --- scoped search with tenant tokens ---------------------------------------------------------
    def tenant_token(self, index: str, scope: Mapping[str, Any], *, api_key_uid: str, api_key: str,
                     expires_at: dt.datetime | None = None) -> str:
        """A token that can only search `index` within the forced `scope` (e.g. the viewer's precincts or its
        institution: any of them)."""
        expires_at = expires_at or dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        rule = _rule(scope_expression(scope))
        return self.client.generate_tenant_token(api_key_uid, {self.uid(index): {"filter": rule}},
                                                 expires_at=expires_at, api_key=api_key)

    def scoped_search(self, index: str, query: str, *, scope: Mapping[str, Any], api_key_uid: str, api_key: str,
                      filters: Filters | None = None, limit: int = 20) -> SearchResult:
        token = self.tenant_token(index, scope, api_key_uid=api_key_uid, api_key=api_key)
        client = meilisearch.Client(self.url, token)
        return self.search(index, query, filters=filters, limit=limit, client=client)

    # --- rebuild: build "<name>__new", then swap ------------------------------------------------
    def begin_rebuild(self, name: str, spec: IndexSpec | None = None) -> str:
        new = f"{name}__new"
        self._pending[new] = []
        # A leftover "__new" of an interrupted rebuild must go; none at all is the normal case.
        self._wait(self._call(self.client.delete_index, self.uid(new)), ignore={"index_not_found"})
        self.ensure_index(name, spec)
        self.ensure_index(new, spec or self._spec(name))
        return new

    def finish_rebuild(self, name: str, new: str) -> None:
        pending, self._pending[new] = self._pending.get(new, []), []
        for task in pending:  # every queued write of the new version, before the swap
            self._wait(task)
        self._wait(self._call(self.client.swap_indexes, [{"indexes": [self.uid(name), self.uid(new)]}]))
        self._wait(self._call(self.client.delete_index, self.uid(new)))

    # --- build stamps (`search.sync`): a wiped or restored engine is told apart by them --------------
    def read_stamps(self) -> dict[str, str]:
        index = self.client.index(self.uid(STAMPS))
        stamps: dict[str, str] = {}
        offset = 0
        while True:
            try:
                page = index.get_documents({"limit": PAGE, "offset": offset})
            except MeilisearchApiError as exc:
                if exc.code == "index_not_found":
                    return {}
                raise SearchUnavailable(str(exc)) from exc
            except _ERRORS as exc:
                raise SearchUnavailable(str(exc)) from exc
            for document in page.results:
                values = dict(document)
                stamps[str(values.get("id"))] = str(values.get("token", ""))
            offset += PAGE
            if offset >= page.total or not page.results:
                return stamps

    def write_stamp(self, name: str, token: str) -> None:
        self._wait(self._call(self.client.create_index, self.uid(STAMPS), {"primaryKey": "id"}),
                   ignore={"index_already_exists"})
        self._wait(self._call(self.client.index(self.uid(STAMPS)).add_documents, [{"id": name, "token": token}],
                              primary_key="id"))

    def document_ids(self, index: str) -> set[str]:
        """Every document id of an index, as stored (":" written as "-", see `engine_id`)."""
        target = self.client.index(self.uid(index))
        ids: set[str] = set()
        offset = 0
        while True:
            page = self._call(target.get_documents, {"fields": ["id"], "limit": PAGE, "offset": offset})
            ids.update(str(dict(document).get("id")) for document in page.results)
            offset += PAGE
            if offset >= page.total or not page.results:
                return ids

    def stored_id(self, doc_id: Any) -> str:
        return engine_id(doc_id)

    def health(self) -> bool:
        try:
            return bool(self.client.is_healthy())
        except Exception:
            return False
