"""What the staff search index holds: case numbers with the applicant's name and the status, and persons' names
with their birth year — nothing else personal — each with the attributes `access.case_reach` scopes by.

Declared with `search.registry`; the index is not public: `search.api.search_scoped` applies the viewer's
`case_reach`, the same rule the selectors filter by. `portal.cases.staff_search` is the use case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from portal.cases.access import case_reach
from portal.cases.models import Case, Person
from search.registry import Document, DocumentType, IndexSpec, id_range, int_ids, register_index, register_type

INDEX = "staff"
CASE = "case"
PERSON = "person"


def load_cases(ids: Sequence[str]) -> list[Document]:
    """Case documents, read as plain rows in one query."""
    status_names = dict(Case.Status.choices)
    wanted = set(int_ids(ids))
    span = id_range(wanted)
    cases = Case.objects.filter(pk__range=span) if span else Case.objects.filter(pk__in=wanted)
    rows = cases.values_list("pk", "code", "status", "precinct_id", "institution_id", "precinct__district__name",
                             "applicant__last_name", "applicant__first_name", "applicant__middle_name")
    return [
        {
            "id": f"case-{pk}",
            "type": CASE,
            "object_id": pk,
            "title": f"{code} {_full_name(last, first, middle)}",
            "text": f"{district_name} {status_names.get(status, status)}",
            "code": code,
            "status": status,
            "precinct_id": [str(precinct_id)],
            "institution_id": [str(institution_id)],
        }
        for pk, code, status, precinct_id, institution_id, district_name, last, first, middle in rows if pk in wanted
    ]


def _full_name(*parts: str) -> str:
    return " ".join(filter(None, parts))  # as `Person.full_name`


def case_ids() -> Iterable[int]:
    return Case.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


def load_persons(ids: Sequence[str]) -> list[Document]:
    """Person documents, scoped like `selectors.persons_for`: the household's precinct (officers) and the
    institutions of the cases of the person or their household (coordinators). Two queries."""
    wanted = set(int_ids(ids))
    span = id_range(wanted)
    people = Person.objects.filter(pk__range=span) if span else Person.objects.filter(pk__in=wanted)
    persons = [row for row in people.values_list("pk", "last_name", "first_name", "middle_name", "birth_date",
                                                 "household_id", "household__precinct_id") if row[0] in wanted]
    household_ids = {row[5] for row in persons if row[5]}
    institutions: dict[int, set[int]] = {}
    by_household: dict[int, set[int]] = {}
    households = id_range(household_ids)
    cases = Case.objects.filter(_among("applicant_id", span, wanted)
                                | _among("household_id", households, household_ids))
    for applicant_id, household_id, institution_id in cases.order_by().values_list(
            "applicant_id", "household_id", "institution_id"):
        if applicant_id in wanted or household_id in household_ids:
            institutions.setdefault(applicant_id, set()).add(institution_id)
            by_household.setdefault(household_id, set()).add(institution_id)
    documents = []
    for pk, last, first, middle, birth_date, household_id, household_precinct in persons:
        inst = set(institutions.get(pk, set()))
        prec: set[int] = set()
        if household_id:
            prec.add(household_precinct)
            inst |= by_household.get(household_id, set())
        documents.append({
            "id": f"person-{pk}",
            "type": PERSON,
            "object_id": pk,
            "title": _full_name(last, first, middle),
            "text": str(birth_date.year) if birth_date else "",
            "precinct_id": [str(value) for value in sorted(prec)],
            "institution_id": [str(value) for value in sorted(inst)],
        })
    return documents


def _among(field: str, span: tuple[int, int] | None, ids: set[int]) -> Q:
    """Rows whose `field` is one of `ids`, or lies in their `span` (`id_range`: the caller drops the others)."""
    if span:
        return Q(**{f"{field}__gte": span[0], f"{field}__lte": span[1]})
    return Q(**{f"{field}__in": ids})


def person_ids() -> Iterable[int]:
    return Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


register_index(IndexSpec(INDEX, searchable=("title", "text"), filterable=("type", "precinct_id", "institution_id",
                                                                          "status"),
                         sortable=("title",), default_sort="title", scope=case_reach,
                         scope_fields=("precinct_id", "institution_id")))
register_type(DocumentType(kind=CASE, index=INDEX, load=load_cases, all_ids=case_ids, id_prefix="case-"))
register_type(DocumentType(kind=PERSON, index=INDEX, load=load_persons, all_ids=person_ids, id_prefix="person-"))
