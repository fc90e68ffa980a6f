"""What the rest of the portal calls: `search`, `suggest_streets`, `search_staff`.

Engine chosen by settings: `MEILISEARCH_URL` set → Meilisearch, otherwise the embedded SQLite FTS5
engine in `SEARCH_EMBEDDED_PATH`. Any engine failure raises `SearchUnavailable`: callers fall back
to the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from search.backends.base import Filters, SearchBackend, SearchResult, SearchUnavailable
from search.documents import INDEXES, resolve_index

__all__ = ["SearchResult", "SearchUnavailable", "StreetHit", "get_backend", "search", "search_staff",
           "set_backend", "suggest_streets"]

_lock = threading.Lock()
_backend: SearchBackend | None = None
_ready: set[str] = set()


def get_backend() -> SearchBackend:
    global _backend
    with _lock:
        if _backend is None:
            if settings.MEILISEARCH_URL:
                from search.backends.meili import MeilisearchBackend

                _backend = MeilisearchBackend(settings.MEILISEARCH_URL, settings.MEILISEARCH_API_KEY,
                                              prefix=settings.SEARCH_INDEX_PREFIX)
            else:
                from search.backends.embedded import EmbeddedBackend

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
        raise PermissionError("the staff index is reached only through search_staff")
    backend = get_backend()
    try:
        return backend.search(name, query, filters=filters, limit=limit, offset=offset, sort=sort)
    except SearchUnavailable:
        raise
    except (KeyError, ValueError):
        raise
    except Exception as exc:
        raise SearchUnavailable(str(exc)) from exc


@dataclass(frozen=True)
class StreetHit:
    street_id: int
    label: str
    precinct_ids: tuple[int, ...]


def suggest_streets(prefix_or_text: str, *, settlement: str | None = None, limit: int = 10) -> list[StreetHit]:
    """Streets for the officer finder (prefix and typo tolerant), best first: hits with `.street_id`."""
    filters = {"settlement": settlement} if settlement else None
    result = search("streets", prefix_or_text, filters=filters, limit=limit)
    if not result.hits:
        from search.normalise import query_terms

        terms = sorted(query_terms(prefix_or_text), key=lambda t: len(t.text), reverse=True)
        if len(terms) > 1:  # kind or settlement words did not match: the street name alone
            result = search("streets", terms[0].text, filters=filters, limit=limit)
    return [StreetHit(street_id=int(hit["id"]), label=str(hit.get("label", "")),
                      precinct_ids=tuple(int(p) for p in hit.get("precinct_ids", [])))
            for hit in result.hits]


def staff_scope(viewer: Any) -> dict[str, list[str]] | None:
    """Forced filter of the staff index for a viewer; None = everything (supervisor/admin); {} = nothing."""
    from identity.viewer import Role

    roles = set(getattr(viewer, "roles", ()) or ())
    if roles & {Role.SUPERVISOR, Role.ADMIN}:
        return None
    if getattr(viewer, "institution_id", None) and Role.COORDINATOR in roles:
        return {"institution_id": [str(viewer.institution_id)]}
    if Role.OFFICER in roles and getattr(viewer, "precinct_ids", None):
        return {"precinct_id": [str(pk) for pk in viewer.precinct_ids]}
    return {}


def search_staff(*, viewer: Any, query: str, limit: int = 20) -> SearchResult:
    """Cases and persons the viewer may see: an officer its precincts, a coordinator its institution."""
    scope = staff_scope(viewer)
    if scope == {}:
        return SearchResult(hits=[], total=0, limit=limit)
    backend = get_backend()
    key_uid = getattr(settings, "MEILISEARCH_SEARCH_KEY_UID", "")
    key = getattr(settings, "MEILISEARCH_SEARCH_KEY", "")
    if scope and key_uid and key and hasattr(backend, "scoped_search"):
        return backend.scoped_search("staff", query, scope=scope, api_key_uid=key_uid, api_key=key, limit=limit)
    try:
        return backend.search("staff", query, filters=scope, limit=limit)
    except SearchUnavailable:
        raise
    except Exception as exc:
        raise SearchUnavailable(str(exc)) from exc
