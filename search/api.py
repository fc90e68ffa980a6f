"""What the rest of the portal calls: `search` (public indexes), `search_ids` (ids, or None for the database to
answer), `search_scoped` (an index only some viewers may see, under the scope its declaring app gives).

Engine chosen by settings: `MEILISEARCH_URL` set → Meilisearch, otherwise the embedded SQLite FTS5
engine in `SEARCH_EMBEDDED_PATH`. Any engine failure raises `SearchUnavailable`: callers fall back
to the database.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings

from search.backends.base import Filters, SearchBackend, SearchResult, SearchUnavailable
from search.registry import INDEXES, resolve_index

__all__ = ["SearchResult", "SearchUnavailable", "get_backend", "search", "search_ids", "search_scoped",
           "set_backend"]

logger = logging.getLogger("search")
_lock = threading.Lock()
_warned_no_search_key = False
_backend: SearchBackend | None = None
_ready: set[str] = set()


def get_backend() -> SearchBackend:
    global _backend
    with _lock:
        if _backend is None:
            if settings.MEILISEARCH_URL:
                from search.backends.meili import MeilisearchBackend  # only the configured engine's client is loaded

                _backend = MeilisearchBackend(settings.MEILISEARCH_URL, settings.MEILISEARCH_API_KEY,
                                              prefix=settings.SEARCH_INDEX_PREFIX)
            else:
                from search.backends.embedded import EmbeddedBackend  # only the configured engine is loaded

                _backend = EmbeddedBackend(settings.SEARCH_EMBEDDED_PATH)
        return _backend


def set_backend(backend: SearchBackend | None) -> None:
    """Replace the engine (tests); None → chosen again from settings on next use."""
    global _backend
    with _lock:
        _backend = backend
        _ready.clear()


def ensure_indexes(backend: SearchBackend | None = None) -> None:
    backend = backend or get_backend()
    for name, spec in INDEXES.items():
        if name not in _ready:
            backend.ensure_index(name, spec)
            _ready.add(name)


def search(index_name: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
           sort: str | None = None) -> SearchResult:
    """Search a public index (name or document kind: "organisations" / "organisation")."""
    name = resolve_index(index_name)
    if not INDEXES[name].public:
        raise PermissionError(f"the {name} index is reached only through search_scoped")
    backend = get_backend()
    try:
        return backend.search(name, query, filters=filters, limit=limit, offset=offset, sort=sort)
    except SearchUnavailable:
        raise
    except (KeyError, ValueError):
        raise
    except Exception as exc:
        raise SearchUnavailable(str(exc)) from exc


def search_ids(kind: str, text: str, *, filters: Filters | None = None, limit: int = 200) -> list[str] | None:
    """Ids of public documents of `kind` matching `text`, best first; None when search cannot answer (engine
    down, or no hit: an empty answer may only mean the index lags behind) — the caller filters in the database."""
    try:
        result = search(kind, text, filters=filters or {}, limit=limit)
    except SearchUnavailable:
        return None
    except Exception:  # never let search break a public page
        logger.exception("search for %s failed", kind)
        return None
    ids = [str(hit["id"]).split(":")[-1] for hit in result.hits if hit.get("id") is not None]
    return ids or None


def search_scoped(index_name: str, query: str, *, viewer: Any, limit: int = 20) -> SearchResult:
    """Search an index that is not public, showing only what the viewer may see: the index's `scope(viewer)`
    (declared by the app that owns it, the same rule its selectors use) — any of its field values matching.
    With Meilisearch and a search key the scope is a tenant token, otherwise a forced filter."""
    name = resolve_index(index_name)
    spec = INDEXES[name]
    if spec.scope is None:
        raise PermissionError(f"the {name} index is public: use search")
    scope = spec.scope(viewer)
    if scope is not None and not any(scope.values()):
        return SearchResult(hits=[], total=0, limit=limit)
    backend = get_backend()
    key_uid = getattr(settings, "MEILISEARCH_SEARCH_KEY_UID", "")
    key = getattr(settings, "MEILISEARCH_SEARCH_KEY", "")
    if scope and hasattr(backend, "scoped_search"):
        if key_uid and key:
            return backend.scoped_search(name, query, scope=scope, api_key_uid=key_uid, api_key=key, limit=limit)
        _warn_no_search_key()
    try:
        return backend.search(name, query, scope=scope, limit=limit)
    except SearchUnavailable:
        raise
    except Exception as exc:
        raise SearchUnavailable(str(exc)) from exc


def _warn_no_search_key() -> None:
    """Deliberate choice: without a search key, scoped search still works, with the scope as a filter the
    portal forces on the admin-key request (the key never leaves the server); tenant tokens add the
    engine-side guarantee, so their absence is logged once per process."""
    global _warned_no_search_key
    if not _warned_no_search_key:
        _warned_no_search_key = True
        logger.warning("MEILISEARCH_SEARCH_KEY_UID/MEILISEARCH_SEARCH_KEY are not set: scoped staff search "
                       "uses the admin key with a forced filter instead of a tenant token")
