"""What the search index holds for the territory: every street, with its settlement, district and the house
ranges of each precinct; `suggest_streets` reads it (typo-tolerant street lookup). Declared with `search.registry`;
`portal.territory.services` queue a street's document in the transaction that changes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from portal.territory.addresses import STREET_KIND_NAMES, canonical_street_kind, settlement_label, street_label
from portal.territory.models import AddressRange, District, Street
from search.api import search
from search.normalise import query_terms
from search.registry import Document, DocumentType, IndexSpec, int_ids, register_index, register_type

KIND = "street"
INDEX = "streets"

def load_streets(ids: Sequence[str]) -> list[Document]:
    """Street documents, read as plain rows (three queries for any number of streets)."""
    rows = list(Street.objects.filter(pk__in=int_ids(ids)).values_list(
        "pk", "name", "kind", "settlement", "district_id"))
    if not rows:
        return []
    districts: dict[int, tuple[str, str, str, str]] = {
        pk: (code, name, kind, centre) for pk, code, name, kind, centre in District.objects.filter(
            pk__in={row[4] for row in rows}).values_list("pk", "code", "name", "kind", "centre")}
    ranges: dict[int, list[tuple[Any, ...]]] = {}
    house_ranges = AddressRange.objects.filter(street_id__in=[row[0] for row in rows]).order_by().values_list(
        "street_id", "house_from", "pk", "precinct_id", "precinct__number", "house_to", "parity")
    for street_id, *values in house_ranges:
        ranges.setdefault(street_id, []).append(tuple(values))
    documents = []
    for pk, name, kind, settlement, district_id in rows:
        code, district_name, district_kind, centre = districts[district_id]
        own = sorted(ranges.get(pk, ()))  # by (house_from, range id)
        documents.append({
            "id": str(pk),
            "name": name,
            "kind": kind,
            "kind_name": STREET_KIND_NAMES.get(kind, kind),
            "settlement": settlement,
            "label": street_label(settlement_label(settlement, district_kind, centre), canonical_street_kind(kind),
                                  name.strip()),
            "district_code": code,
            "district_name": district_name,
            "precinct_ids": [str(precinct) for precinct in sorted({r[2] for r in own})],
            "ranges": [{"precinct_id": precinct, "precinct_number": number, "house_from": house_from,
                        "house_to": house_to, "parity": parity}
                       for house_from, _pk, precinct, number, house_to, parity in own],
        })
    return documents


def street_ids() -> Iterable[int]:
    return Street.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


register_index(IndexSpec(INDEX, searchable=("name", "kind_name", "settlement", "district_name"),
                         filterable=("district_code", "precinct_ids", "settlement"), sortable=("label",),
                         default_sort="label", place_fields=("settlement", "district_name")))
register_type(DocumentType(kind=KIND, index=INDEX, load=load_streets, all_ids=street_ids))


@dataclass(frozen=True)
class StreetHit:
    street_id: int
    label: str
    precinct_ids: tuple[int, ...]


def suggest_streets(prefix_or_text: str, *, settlement: str | None = None, limit: int = 10) -> list[StreetHit]:
    """Streets from the search index (prefix and typo tolerant), best first. When the whole text finds
    nothing, its longest word alone is tried (a street-type or settlement word did not match)."""
    filters = {"settlement": settlement} if settlement else None
    result = search(INDEX, prefix_or_text, filters=filters, limit=limit)
    if not result.hits:
        terms = sorted(query_terms(prefix_or_text), key=lambda t: len(t.text), reverse=True)
        if len(terms) > 1:
            result = search(INDEX, terms[0].text, filters=filters, limit=limit)
    return [StreetHit(street_id=int(hit["id"]), label=str(hit.get("label", "")),
                      precinct_ids=tuple(int(p) for p in hit.get("precinct_ids", [])))
            for hit in result.hits]
