"""What the rest of the portal calls: `search`, `suggest_streets`, `search_staff`.

Engine chosen by settings: `MEILISEARCH_URL` set → Meilisearch, otherwise the embedded SQLite FTS5
engine in `SEARCH_EMBEDDED_PATH`. Any engine failure raises `SearchUnavailable`: callers fall back
to the database.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from search.backends.base import Filters, SearchBackend, SearchResult, SearchUnavailable
from search.documents import INDEXES, resolve_index

__all__ = ["SearchResult", "SearchUnavailable", "StaffHit", "StreetHit", "find_staff", "get_backend", "search",
           "search_staff", "set_backend", "suggest_streets"]

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
    from portal.core.viewer import Role

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
    if scope and hasattr(backend, "scoped_search"):
        if key_uid and key:
            return backend.scoped_search("staff", query, scope=scope, api_key_uid=key_uid, api_key=key, limit=limit)
        _warn_no_search_key()
    try:
        return backend.search("staff", query, filters=scope, limit=limit)
    except SearchUnavailable:
        raise
    except Exception as exc:
        raise SearchUnavailable(str(exc)) from exc


def _warn_no_search_key() -> None:
    """Deliberate choice: without a search key, scoped staff search still works, with the scope as a filter
    the portal forces on the admin-key request (the key never leaves the server); tenant tokens add the
    engine-side guarantee, so their absence is logged once per process."""
    global _warned_no_search_key
    if not _warned_no_search_key:
        _warned_no_search_key = True
        logger.warning("MEILISEARCH_SEARCH_KEY_UID/MEILISEARCH_SEARCH_KEY are not set: scoped staff search "
                       "uses the admin key with a forced filter instead of a tenant token")


@dataclass(frozen=True)
class StaffHit:
    """One case or person found by `find_staff`."""

    type: str  # "case" or "person"
    object_id: int
    title: str


#: Most hits `find_staff` returns.
STAFF_MAX = 50


def find_staff(*, viewer: Any, text: str, first: int = 20) -> list[StaffHit]:
    """Cases and persons matching `text` that the viewer may read, best first (at most `STAFF_MAX`).

    Through the scoped staff index; every hit is checked again against the database scope
    (`portal.cases.selectors`), so an index entry that lags behind never shows what the viewer may no
    longer read. With search down, or no hit, the database answers (names and case codes containing
    every word)."""
    needle = " ".join(text.split())[:200]
    first = max(1, min(first, STAFF_MAX))
    if not needle or staff_scope(viewer) == {}:
        return []
    try:
        hits = search_staff(viewer=viewer, query=needle, limit=first).hits
    except SearchUnavailable:
        hits = []
    found = _visible_hits(viewer, hits)
    return found or _staff_from_database(viewer, needle, first)


def _visible_hits(viewer: Any, hits: list[dict[str, Any]]) -> list[StaffHit]:
    from portal.cases.selectors import cases_for, persons_for

    refs: list[tuple[str, int, str]] = []
    for hit in hits:
        try:
            refs.append((str(hit["type"]), int(hit["object_id"]), str(hit.get("title", ""))))
        except (KeyError, TypeError, ValueError):
            continue
    case_ids = [pk for kind, pk, _ in refs if kind == "case"]
    person_ids = [pk for kind, pk, _ in refs if kind == "person"]
    visible = {("case", pk) for pk in cases_for(viewer).filter(pk__in=case_ids).values_list("pk", flat=True)}
    visible |= {("person", pk) for pk in persons_for(viewer).filter(pk__in=person_ids).values_list("pk", flat=True)}
    return [StaffHit(kind, pk, title) for kind, pk, title in refs if (kind, pk) in visible]


def _staff_from_database(viewer: Any, needle: str, first: int) -> list[StaffHit]:
    from django.db.models import Q

    from portal.cases.selectors import cases_for, persons_for

    cases = cases_for(viewer).select_related("applicant")
    persons = persons_for(viewer)
    for word in needle.split()[:8]:
        cases = cases.filter(Q(code__icontains=word) | Q(applicant__last_name__icontains=word)
                             | Q(applicant__first_name__icontains=word) | Q(applicant__middle_name__icontains=word))
        persons = persons.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word)
                                 | Q(middle_name__icontains=word))
    found = [StaffHit("case", case.pk, f"{case.code} {case.applicant.full_name}")
             for case in cases.order_by("-registered_on", "-pk")[:first]]
    found += [StaffHit("person", person.pk, person.full_name)
              for person in persons.order_by("last_name", "first_name", "pk")[: first - len(found)]]
    return found
