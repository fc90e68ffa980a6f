"""What the search index holds for the partner registry: active organisations, public fields only (no contact
persons). Declared with `search.registry`; `portal.partners.services` queue an organisation's document in the
transaction that changes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from portal.partners.models import HelpKind, Organisation, OrganisationKind
from search.registry import Document, DocumentType, IndexSpec, int_ids, register_index, register_type

KIND = "organisation"
INDEX = "organisations"


def load_organisations(ids: Sequence[str]) -> list[Document]:
    """Documents of the active organisations among `ids` (one query)."""
    help_names = dict(HelpKind.choices)
    kind_names = dict(OrganisationKind.choices)
    rows = Organisation.objects.filter(pk__in=int_ids(ids), active=True).values_list(
        "pk", "code", "name", "short_name", "kind", "district__code", "district__name", "address", "phone",
        "website", "description", "help_kinds")
    return [
        {
            "id": str(pk),
            "code": code,
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "kind_name": str(kind_names.get(kind, kind)),
            "district_code": district_code or "",
            "district_name": district_name or "",
            "address": address,
            "phone": phone,
            "website": website,
            "description": description,
            "help_kinds": list(help_kinds),
            "help_kind_names": [str(help_names.get(help_kind, help_kind)) for help_kind in help_kinds],
        }
        for (pk, code, name, short_name, kind, district_code, district_name, address, phone, website, description,
             help_kinds) in rows
    ]


def organisation_ids() -> Iterable[int]:
    return Organisation.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)


register_index(IndexSpec(INDEX, searchable=("name", "short_name", "kind_name", "description", "help_kind_names",
                                            "district_name", "address"),
                         filterable=("kind", "district_code", "help_kinds"), sortable=("name",), default_sort="name"))
register_type(DocumentType(kind=KIND, index=INDEX, load=load_organisations, all_ids=organisation_ids))
