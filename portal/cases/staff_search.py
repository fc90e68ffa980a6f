"""Staff search (поиск дел и получателей): cases and persons matching a text that the viewer may read.

Through the scoped staff index (`search_documents`), and every hit is checked again against the database scope
(`selectors.cases_for` / `persons_for`), so an index entry that lags behind never shows what the viewer may no
longer read. With search down, or no hit, the database answers (names and case codes containing every word)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from portal.cases.access import case_reach
from portal.cases.search_documents import INDEX
from portal.cases.selectors import cases_for, persons_for
from portal.core.viewer import Viewer
from search.api import SearchUnavailable, search_scoped


@dataclass(frozen=True)
class StaffHit:
    """One case or person found by `find_staff`."""

    type: str  # "case" or "person"
    object_id: int
    title: str


#: Most hits `find_staff` returns.
STAFF_MAX = 50


def find_staff(*, viewer: Viewer, text: str, first: int = 20) -> list[StaffHit]:
    """Cases and persons matching `text` that the viewer may read, best first (at most `STAFF_MAX`)."""
    needle = " ".join(text.split())[:200]
    first = max(1, min(first, STAFF_MAX))
    if not needle or case_reach(viewer) == {}:
        return []
    try:
        hits = search_scoped(INDEX, needle, viewer=viewer, limit=first).hits
    except SearchUnavailable:
        hits = []
    found = _visible_hits(viewer, hits)
    return found or _staff_from_database(viewer, needle, first)


def _visible_hits(viewer: Viewer, hits: list[dict[str, Any]]) -> list[StaffHit]:
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


def _staff_from_database(viewer: Viewer, needle: str, first: int) -> list[StaffHit]:
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
