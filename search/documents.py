"""What each index holds, where its documents come from, and who may see them.

A *source* turns one kind of database object into search documents:

    Source(kind="street", index="streets", load=load_streets, all_ids=street_ids)

- `load(ids)` reads the database in bulk and returns the documents of the objects that must be in
  the index; an id without a document (deleted, no longer public) is removed from the index.
- `all_ids()` lists every object that belongs in the index (used by `portal reindex`).
- each document is a dict with "id" (the document id, `Source.document_id(object_id)`) and the
  fields named by its index (`IndexSpec`): searchable text fields, filter fields, display fields.

Sources of this package: "street", "organisation", "page" (public indexes) and "case", "person"
(the staff index, scoped by `precinct_id` / `institution_id`).

Other packages register their own sources from their `AppConfig.ready()`:

    from search.documents import Source, register_source

    register_source(Source(kind="consultation", index="consultations", load=load_questions, all_ids=question_ids))

or, with a per-object function (documents are then read one by one):

    register_source("need", document=need_document, all_ids=need_ids)   # document(id) -> dict | None

Their services call `search.outbox.enqueue(kind, pk)` in the same transaction as the change;
`portal search-sync` then calls `load` and writes to the engine. The public indexes
"consultations", "needs" and "benefactors" are declared here (`INDEXES`) with their searchable
and filter fields; `register_source(..., filterable=[...])` adds filter fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from search.normalise import normalise

logger = logging.getLogger("search")

Document = dict[str, Any]


@dataclass(frozen=True)
class IndexSpec:
    """One logical index: its searchable fields (most important first), filters, sorts, visibility."""

    name: str
    searchable: tuple[str, ...]
    filterable: tuple[str, ...] = ()
    sortable: tuple[str, ...] = ()
    public: bool = True
    #: Field the placeholder search (empty text) orders by.
    default_sort: str | None = None


#: Filter fields used when a registered source does not name its own.
DEFAULT_FILTERABLE: tuple[str, ...] = ("district", "kind", "status", "topic", "category", "help_kind", "help_kinds",
                                       "urgency")

INDEXES: dict[str, IndexSpec] = {
    spec.name: spec
    for spec in [
        IndexSpec("streets", searchable=("name", "kind_name", "settlement", "district_name"),
                  filterable=("district_code", "precinct_ids", "settlement"), sortable=("label",),
                  default_sort="label"),
        IndexSpec("organisations", searchable=("name", "short_name", "kind_name", "description", "help_kind_names",
                                               "district_name", "address"),
                  filterable=("kind", "district_code", "help_kinds"), sortable=("name",), default_sort="name"),
        IndexSpec("pages", searchable=("title", "search_description", "text"), filterable=("page_type",),
                  sortable=("title",), default_sort="title"),
        IndexSpec("consultations", searchable=("title", "text", "topic_name"),
                  filterable=("topic", "district"), sortable=("published_at",), default_sort="published_at"),
        IndexSpec("needs", searchable=("title", "text", "category_label", "district_name"),
                  filterable=("district", "category", "help_kind", "urgency", "status"), sortable=("title",),
                  default_sort="title"),
        IndexSpec("benefactors", searchable=("title", "text", "help_kind_labels", "district_name"),
                  filterable=("district", "kind", "help_kinds"), sortable=("title",), default_sort="title"),
        IndexSpec("staff", searchable=("title", "text"),
                  filterable=("type", "precinct_id", "institution_id", "status"), sortable=("title",),
                  default_sort="title", public=False),
    ]
}

#: Public index names callers may use, also by document kind ("consultation" → "consultations").
INDEX_ALIASES: dict[str, str] = {
    "street": "streets", "organisation": "organisations", "page": "pages", "consultation": "consultations",
    "need": "needs", "benefactor": "benefactors",
}

#: Filter fields that are not part of the public contract but always filterable (scoping).
SCOPE_FIELDS: tuple[str, ...] = ("precinct_id", "institution_id")


@dataclass(frozen=True)
class Source:
    kind: str
    index: str
    load: Callable[[Sequence[str]], list[Document]]
    all_ids: Callable[[], Iterable[int | str]]
    #: Document id of an object id: plain pk for public indexes, "case-12" in the shared staff index.
    id_prefix: str = ""
    public: bool = True

    def document_id(self, object_id: int | str) -> str:
        return f"{self.id_prefix}{object_id}"


SOURCES: dict[str, Source] = {}


def register_source(
    source: Source | str,
    *,
    document: Callable[[int | str], Document | None] | None = None,
    all_ids: Callable[[], Iterable[int | str]] | None = None,
    index: str | None = None,
    searchable: Sequence[str] | None = None,
    filterable: Sequence[str] | None = None,
    public: bool = True,
) -> Source:
    """Register (or replace) the source of a document kind; see the module docstring."""
    if isinstance(source, str):
        if document is None or all_ids is None:
            raise TypeError("register_source(kind, document=..., all_ids=...) needs both functions")
        per_object = document

        def load(ids: Sequence[str]) -> list[Document]:
            found = []
            for object_id in ids:
                doc = per_object(object_id)
                if doc is not None:
                    found.append({**doc, "id": str(doc.get("id", object_id))})
            return found

        source = Source(kind=source, index=index or INDEX_ALIASES.get(source, f"{source}s"), load=load,
                        all_ids=all_ids, public=public)
    spec = INDEXES.get(source.index)
    if spec is None:
        INDEXES[source.index] = IndexSpec(source.index, searchable=tuple(searchable or ("title", "text")),
                                          filterable=tuple(filterable or DEFAULT_FILTERABLE), public=source.public)
    elif searchable or filterable:
        INDEXES[source.index] = replace(
            spec, searchable=tuple(dict.fromkeys([*spec.searchable, *(searchable or ())])),
            filterable=tuple(dict.fromkeys([*spec.filterable, *(filterable or ())])))
    INDEX_ALIASES.setdefault(source.kind, source.index)
    SOURCES[source.kind] = source
    return source


def source_for(kind: str) -> Source | None:
    return SOURCES.get(kind)


def sources_of_index(index: str) -> list[Source]:
    return [source for source in SOURCES.values() if source.index == index]


def resolve_index(name: str) -> str:
    """Logical index name from an index name or a document kind; KeyError when unknown."""
    name = INDEX_ALIASES.get(name, name)
    if name not in INDEXES:
        raise KeyError(name)
    return name


# --- Preparing documents for the engines ---------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A document as both engines store it."""

    id: str
    title: str  # normalised text of the first searchable field
    text: str  # normalised text of the other searchable fields
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    data: Document = field(default_factory=dict)


def _flatten(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [item for part in value for item in _flatten(part)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def prepare(spec: IndexSpec, document: Document) -> Prepared:
    first, *rest = spec.searchable
    title = normalise(" ".join(_flatten(document.get(first))))
    text = normalise(" ".join(word for name in rest for word in _flatten(document.get(name))))
    filters = {name: _flatten(document.get(name)) for name in (*spec.filterable, *SCOPE_FIELDS) if name in document}
    sort = normalise(" ".join(_flatten(document.get(spec.default_sort)))) if spec.default_sort else ""
    return Prepared(id=str(document["id"]), title=title, text=text, filters=filters, sort=sort, data=document)


# --- Sources of this package ----------------------------------------------------------------------

_KIND_SHORT = {"ул": "ул.", "пер": "пер.", "ш": "ш.", "пл": "пл.", "наб": "наб.", "туп": "туп.", "пр-т": "пр-т",
               "б-р": "б-р", "проезд": "проезд", "мкр": "мкр", "тракт": "тракт"}
_SETTLEMENT_TYPE = re.compile(r"^(г|с|п|пгт|рп|д|х|нп|пос|село|город|деревня|поселок|посёлок)\.?\s", re.IGNORECASE)


def _int_ids(ids: Iterable[int | str]) -> list[int]:
    result = []
    for value in ids:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            continue
    return result


def settlement_label(settlement: str, district: Any) -> str:
    """«г. Заречный», «с. Берёзовка»: the settlement with its type, as people write addresses."""
    name = settlement.strip()
    if _SETTLEMENT_TYPE.match(name):
        return name
    centre = (district.centre or "").strip()
    if centre and centre != name and centre.lower().replace("ё", "е").endswith(name.lower().replace("ё", "е")):
        return centre
    return f"{'г.' if district.kind == 'urban' else 'с.'} {name}"


def street_label(street: Any) -> str:
    kind = _KIND_SHORT.get(street.kind, street.kind)
    return f"{settlement_label(street.settlement, street.district)}, {kind} {street.name}".strip()


def load_streets(ids: Sequence[str]) -> list[Document]:
    from portal.territory.addresses import STREET_KIND_NAMES
    from portal.territory.models import Street

    streets = (Street.objects.filter(pk__in=_int_ids(ids)).select_related("district")
               .prefetch_related("ranges__precinct"))
    documents = []
    for street in streets:
        precincts = sorted({r.precinct_id for r in street.ranges.all()})
        documents.append({
            "id": str(street.pk),
            "name": street.name,
            "kind": street.kind,
            "kind_name": STREET_KIND_NAMES.get(street.kind, street.kind),
            "settlement": street.settlement,
            "label": street_label(street),
            "district_code": street.district.code,
            "district_name": street.district.name,
            "precinct_ids": [str(pk) for pk in precincts],
            "ranges": [
                {"precinct_id": r.precinct_id, "precinct_number": r.precinct.number, "house_from": r.house_from,
                 "house_to": r.house_to, "parity": r.parity}
                for r in sorted(street.ranges.all(), key=lambda r: (r.house_from, r.pk))
            ],
        })
    return documents


def street_ids() -> Iterable[int]:
    from portal.territory.models import Street

    return Street.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


def load_organisations(ids: Sequence[str]) -> list[Document]:
    """Active partner registry entries, public fields only (no contact persons)."""
    from portal.partners.models import HelpKind, Organisation

    help_names = dict(HelpKind.choices)
    organisations = Organisation.objects.filter(pk__in=_int_ids(ids), active=True).select_related("district")
    return [
        {
            "id": str(org.pk),
            "code": org.code,
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "kind_name": str(org.get_kind_display()),
            "district_code": org.district.code if org.district_id else "",
            "district_name": org.district.name if org.district_id else "",
            "address": org.address,
            "phone": org.phone,
            "website": org.website,
            "description": org.description,
            "help_kinds": list(org.help_kinds),
            "help_kind_names": [str(help_names.get(kind, kind)) for kind in org.help_kinds],
        }
        for org in organisations
    ]


def organisation_ids() -> Iterable[int]:
    from portal.partners.models import Organisation

    return Organisation.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)


_TAG = re.compile(r"<[^>]+>")


def _strings(value: Any) -> Iterable[str]:
    """Every string inside StreamField raw data / rich text (HTML tags stripped)."""
    if isinstance(value, str):
        text = _TAG.sub(" ", value).strip()
        if text and not re.fullmatch(r"[0-9a-f-]{36}", text):  # skip block ids
            yield text
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "type"):
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def page_text(page: Any) -> str:
    """Body text of a specific page: its StreamField, rich-text and text fields."""
    from django.db import models as dj
    from wagtail.fields import RichTextField, StreamField
    from wagtail.models import Page

    base = {f.name for f in Page._meta.get_fields()}
    parts: list[str] = []
    for model_field in type(page)._meta.get_fields():
        if model_field.name in base:
            continue
        if isinstance(model_field, StreamField):
            value = getattr(page, model_field.name)
            parts.extend(_strings(getattr(value, "raw_data", None) and list(value.raw_data)))
        elif isinstance(model_field, RichTextField | dj.TextField):
            parts.extend(_strings(getattr(page, model_field.name) or ""))
    return " ".join(parts)[:20000]


def load_pages(ids: Sequence[str]) -> list[Document]:
    """Live, public Wagtail pages (not the root, not private)."""
    from wagtail.models import Page, PageViewRestriction

    pages = Page.objects.live().filter(pk__in=_int_ids(ids), depth__gt=1).specific()
    restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
    private_paths = list(restricted)
    documents = []
    for page in pages:
        if any(page.path.startswith(path) for path in private_paths):
            continue
        documents.append({
            "id": str(page.pk),
            "title": page.title,
            "search_description": page.search_description,
            "text": page_text(page),
            "url": page.url or "",
            "page_type": page._meta.model_name,
        })
    return documents


def page_ids() -> Iterable[int]:
    from wagtail.models import Page

    return Page.objects.live().filter(depth__gt=1).order_by("pk").values_list("pk", flat=True)


def load_cases(ids: Sequence[str]) -> list[Document]:
    """Staff index: case number, status, applicant name, scoping attributes. Nothing else personal."""
    from portal.cases.models import Case

    cases = Case.objects.filter(pk__in=_int_ids(ids)).select_related("applicant", "precinct__district",
                                                                      "institution")
    return [
        {
            "id": f"case-{case.pk}",
            "type": "case",
            "object_id": case.pk,
            "title": f"{case.code} {case.applicant.full_name}",
            "text": f"{case.precinct.district.name} {case.get_status_display()}",
            "code": case.code,
            "status": case.status,
            "precinct_id": [str(case.precinct_id)],
            "institution_id": [str(case.institution_id)],
        }
        for case in cases
    ]


def case_ids() -> Iterable[int]:
    from portal.cases.models import Case

    return Case.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


def load_persons(ids: Sequence[str]) -> list[Document]:
    """Staff index: full name and birth year; scoped like `cases.selectors.persons_for`: the household's
    precinct (officers) and the institutions of the cases of the person or their household (coordinators)."""
    from django.db.models import Q

    from portal.cases.models import Case, Person

    pks = _int_ids(ids)
    persons = list(Person.objects.filter(pk__in=pks).select_related("household"))
    household_ids = {p.household_id for p in persons if p.household_id}
    institutions: dict[int, set[int]] = {}
    by_household: dict[int, set[int]] = {}
    rows = Case.objects.filter(Q(applicant_id__in=pks) | Q(household_id__in=household_ids)).values_list(
        "applicant_id", "household_id", "institution_id")
    for applicant_id, household_id, institution_id in rows:
        institutions.setdefault(applicant_id, set()).add(institution_id)
        by_household.setdefault(household_id, set()).add(institution_id)
    documents = []
    for person in persons:
        inst = set(institutions.get(person.pk, set()))
        prec: set[int] = set()
        if person.household_id:
            prec.add(person.household.precinct_id)
            inst |= by_household.get(person.household_id, set())
        documents.append({
            "id": f"person-{person.pk}",
            "type": "person",
            "object_id": person.pk,
            "title": person.full_name,
            "text": str(person.birth_date.year) if person.birth_date else "",
            "precinct_id": [str(pk) for pk in sorted(prec)],
            "institution_id": [str(pk) for pk in sorted(inst)],
        })
    return documents


def person_ids() -> Iterable[int]:
    from portal.cases.models import Person

    return Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


def register_builtin_sources() -> None:
    register_source(Source(kind="street", index="streets", load=load_streets, all_ids=street_ids))
    register_source(Source(kind="organisation", index="organisations", load=load_organisations,
                           all_ids=organisation_ids))
    register_source(Source(kind="page", index="pages", load=load_pages, all_ids=page_ids))
    register_source(Source(kind="case", index="staff", load=load_cases, all_ids=case_ids, id_prefix="case-",
                           public=False))
    register_source(Source(kind="person", index="staff", load=load_persons, all_ids=person_ids,
                           id_prefix="person-", public=False))


register_builtin_sources()
