"""Meilisearch adapter on the official client. Index settings live in code (`settings_for`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import meilisearch
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchError

from search.backends.base import Document, Filters, SearchResult, SearchUnavailable, as_values
from search.documents import INDEXES, SCOPE_FIELDS, IndexSpec
from search.normalise import synonyms

TASK_TIMEOUT_MS = 60_000
_ERRORS = (MeilisearchError, MeilisearchCommunicationError, MeilisearchApiError, requests.RequestException)


def settings_for(spec: IndexSpec) -> dict[str, Any]:
    table = synonyms()
    table.update({"ё": ["е"], "е": ["ё"]})
    return {
        "searchableAttributes": list(spec.searchable),
        "filterableAttributes": sorted({*spec.filterable, *SCOPE_FIELDS}),
        "sortableAttributes": list(spec.sortable),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 7}},
        "synonyms": table,
    }


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


class MeilisearchBackend:
    def __init__(self, url: str, api_key: str = "", *, prefix: str = "portal", timeout: int = 10) -> None:
        self.url = url
        self.api_key = api_key
        self.prefix = prefix
        self.client = meilisearch.Client(url, api_key or None, timeout=timeout)

    def uid(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def _wait(self, task: Any) -> None:
        uid = getattr(task, "task_uid", None)
        if uid is None and isinstance(task, dict):
            uid = task.get("taskUid")
        done = self.client.wait_for_task(uid, timeout_in_ms=TASK_TIMEOUT_MS)
        status = getattr(done, "status", None) or (done.get("status") if isinstance(done, dict) else None)
        if status != "succeeded":
            error = getattr(done, "error", None) or (done.get("error") if isinstance(done, dict) else None)
            if error and isinstance(error, dict) and error.get("code") == "index_already_exists":
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
        self._wait(self._call(self.client.create_index, self.uid(name), {"primaryKey": "id"}))
        self._wait(self._call(self.client.index(self.uid(name)).update_settings, settings_for(spec)))

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        if not documents:
            return
        docs = [{**doc, "id": str(doc["id"]).replace(":", "-")} for doc in documents]
        self._wait(self._call(self.client.index(self.uid(index)).add_documents, docs, primary_key="id"))

    def delete(self, index: str, ids: Sequence[str]) -> None:
        if not ids:
            return
        self._wait(self._call(self.client.index(self.uid(index)).delete_documents, [str(i) for i in ids]))

    def search_params(self, *, filters: Filters | None, limit: int, offset: int, sort: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        expression = filter_expression(filters)
        if expression:
            params["filter"] = expression
        if sort:
            params["sort"] = [sort if ":" in sort else f"{sort}:asc"]
        return params

    def search(self, index: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
               sort: str | None = None, client: meilisearch.Client | None = None) -> SearchResult:
        params = self.search_params(filters=filters, limit=limit, offset=offset, sort=sort)
        response = self._call((client or self.client).index(self.uid(index)).search, query, params)
        return SearchResult(hits=list(response.get("hits", [])),
                            total=int(response.get("estimatedTotalHits", response.get("totalHits", 0)) or 0),
                            limit=limit, offset=offset)

    # --- scoped search with tenant tokens ---------------------------------------------------------
    def tenant_token(self, index: str, filters: Mapping[str, Any], *, api_key_uid: str, api_key: str,
                     expires_at: dt.datetime | None = None) -> str:
        """A token that can only search `index` with the forced `filters` (e.g. the viewer's precincts)."""
        expires_at = expires_at or dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        expression = filter_expression(filters)
        rule = " AND ".join(f"({' OR '.join(part)})" if isinstance(part, list) else part for part in expression)
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
        try:
            self._wait(self.client.delete_index(self.uid(new)))
        except _ERRORS:
            pass
        self.ensure_index(name, spec)
        self.ensure_index(new, spec or self._spec(name))
        return new

    def finish_rebuild(self, name: str, new: str) -> None:
        self._wait(self._call(self.client.swap_indexes, [{"indexes": [self.uid(name), self.uid(new)]}]))
        self._wait(self._call(self.client.delete_index, self.uid(new)))

    def health(self) -> bool:
        try:
            return bool(self.client.is_healthy())
        except Exception:
            return False
