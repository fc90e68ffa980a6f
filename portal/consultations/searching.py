"""Full-text search of public documents through `search.api`, with a database fallback.

The search package may be absent or unavailable: callers get `None` and filter in the database.
Shared by `consultations` and `community`.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("portal.consultations")


def search_ids(kind: str, text: str, *, filters: dict[str, Any] | None = None, limit: int = 200) -> list[str] | None:
    """Ids of public documents of `kind` matching `text`, best first; None when search cannot answer."""
    try:
        from search import api
    except ImportError:
        return None
    unavailable: type[Exception] = getattr(api, "SearchUnavailable", RuntimeError)
    try:
        result = api.search(kind, text, filters=filters or {}, limit=limit)
    except unavailable:
        return None
    except Exception:  # never let search break a public page
        logger.exception("search for %s failed", kind)
        return None
    hits = getattr(result, "hits", result)
    ids: list[str] = []
    for hit in hits or []:
        value = hit.get("id") if isinstance(hit, dict) else getattr(hit, "id", None) or getattr(hit, "object_id", None)
        if value is not None:
            ids.append(str(value).split(":")[-1])
    # An empty answer may only mean the index lags behind (outbox not synced yet): let the database answer.
    return ids or None


def enqueue(kind: str, object_id: int | str) -> None:
    """Queue a re-index through `search.outbox` (same transaction); nothing when search is absent."""
    try:
        from search import outbox
    except ImportError:
        return
    outbox.enqueue(kind, object_id)


def enqueue_many(kind: str, object_ids: Any) -> None:
    try:
        from search import outbox
    except ImportError:
        return
    many = getattr(outbox, "enqueue_many", None)
    if many is not None:
        many(kind, object_ids)
        return
    for object_id in object_ids:
        outbox.enqueue(kind, object_id)


def register_search_source(kind: str, document: Any, all_ids: Any) -> None:
    """Register a document source with `search.documents` when the search package provides it."""
    try:
        from search import documents
    except ImportError:
        return
    register = getattr(documents, "register_source", None)
    if register is None:
        return
    register(kind, document=document, all_ids=all_ids)
