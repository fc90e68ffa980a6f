"""A table of addresses over whatever territory is in the database, with the answers expected of the finder.

Expected answers are computed from the rows directly (streets, address ranges), never through the finder's
index: every street × a dozen spellings (settlement forms and positions, type forms and positions, house
forms, postal index, region and district names, flat and office numbers); every name without its settlement
(ambiguous when it exists in several places); houses outside every range.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from portal.territory.addresses import STREET_KIND_NAMES, STREET_KIND_SHORT, name_key
from portal.territory.models import AddressRange, Street

#: Other ways of writing each street type.
ALTERNATIVE_KINDS = {"ул": "ул", "пр-т": "просп.", "пер": "переулок", "ш": "шоссе", "б-р": "бульв.",
                     "пл": "площадь", "проезд": "пр-д", "аллея": "аллея", "туп": "тупик", "наб": "набережная",
                     "мкр": "мкр.", "тракт": "тракт"}


@dataclass(frozen=True)
class Case:
    address: str
    status: str
    #: FOUND: the precinct id; AMBIGUOUS: the candidate street ids; NOT_SERVED: the street id.
    precinct_id: int | None = None
    street_ids: frozenset[int] = frozenset()


@dataclass
class Row:
    street: Street
    ranges: list[AddressRange]

    def precinct_for(self, house: int) -> int | None:
        for address_range in self.ranges:
            if address_range.covers(house):
                return address_range.precinct_id
        return None


def _settlement_label(street: Street) -> str:
    centre = street.district.centre
    if centre.endswith(street.settlement):
        return centre
    return f"{'г.' if street.district.kind == 'urban' else 'с.'} {street.settlement}"


def load_rows() -> list[Row]:
    ranges: dict[int, list[AddressRange]] = defaultdict(list)
    for address_range in AddressRange.objects.order_by("house_from", "pk"):
        ranges[address_range.street_id].append(address_range)
    return [Row(street, ranges[street.pk]) for street in Street.objects.select_related("district").order_by("pk")]


def _houses(row: Row) -> list[int]:
    """A house of the first range of each precinct of the street (the middle of the range, on its parity)."""
    houses: dict[int, int] = {}
    for address_range in row.ranges:
        if address_range.precinct_id in houses:
            continue
        house = (address_range.house_from + min(address_range.house_to, address_range.house_from + 20)) // 2
        if not address_range.covers(house):
            house += 1
        if address_range.covers(house):
            houses[address_range.precinct_id] = house
    return list(houses.values())


def spellings(row: Row, house: int) -> list[str]:
    street = row.street
    settlement, label = street.settlement, _settlement_label(street)
    short, full, alternative = (STREET_KIND_SHORT[street.kind], STREET_KIND_NAMES[street.kind],
                                ALTERNATIVE_KINDS[street.kind])
    name = street.name
    return [
        f"{settlement}, {short} {name}, {house}",
        f"{label}, {full} {name}, д. {house}",
        f"{settlement} {short.rstrip('.')} {name} {house}",
        f"{name} {short}, {settlement}, дом {house}",
        f"{short} {name}, д. {house}а, {label}",
        f"614000, Заречный край, {label}, {short if short.endswith('.') else short + ' '}{name}, {house} корп. 1, "
        "кв. 12",
        f"{settlement.lower()}, {full} {name.upper()}, {house}/2",
        f"{label.replace('ё', 'е')}, {alternative} {name.replace('ё', 'е')}, {house} стр. 2",
        f"{street.district.name}, {label}, {short} {name}, {house}к1",
        f"{settlement}  ,  {full}   {name}   {house} а, офис 3",
        f"{full.capitalize()} {name} {house}, {settlement}",
        f"{label} {name} {full} д{house}",
    ]


def table(rows: list[Row]) -> list[Case]:
    cases: list[Case] = []
    by_name: dict[str, list[Row]] = defaultdict(list)
    by_settlement_name: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        key = name_key(row.street.name)
        by_name[key].append(row)
        by_settlement_name[(name_key(row.street.settlement), key)].append(row)
    for row in rows:
        street = row.street
        key = name_key(street.name)
        for house in _houses(row):
            expected = row.precinct_for(house)
            for address in spellings(row, house):
                cases.append(Case(address, "found", precinct_id=expected))
            # Without the street type: the other types of the same name in the settlement compete.
            same = by_settlement_name[(name_key(street.settlement), key)]
            cases.append(_expected(f"{street.settlement}, {street.name}, {house}", same, house))
            # Without the settlement: every settlement with this name (and this type, when it is written).
            cases.append(_expected(f"{street.name}, {house}", by_name[key], house))
            of_kind = [r for r in by_name[key] if r.street.kind == street.kind]
            cases.append(_expected(f"{STREET_KIND_SHORT[street.kind]} {street.name}, {house}", of_kind, house))
        for house in (15000, 500, 0, -5):
            if row.precinct_for(house) is None:
                cases.append(Case(f"{street.settlement}, {STREET_KIND_SHORT[street.kind]} {street.name}, {house}",
                                  "not_served", street_ids=frozenset({street.pk})))
    return cases


def _expected(address: str, candidates: list[Row], house: int) -> Case:
    precincts = {row.precinct_for(house) for row in candidates}
    if len(candidates) == 1 or (len(precincts) == 1 and None not in precincts):
        precinct = precincts.pop() if len(precincts) == 1 else None
        if precinct is None:
            return Case(address, "not_served", street_ids=frozenset(r.street.pk for r in candidates))
        return Case(address, "found", precinct_id=precinct)
    return Case(address, "ambiguous", street_ids=frozenset(r.street.pk for r in candidates))


def check(case: Case, result: object) -> str | None:
    """What is wrong with the finder's answer for a case (None: right)."""
    status = str(getattr(result, "status", ""))
    if status != case.status:
        return f"{case.address!r}: {status} instead of {case.status} ({getattr(result, 'message', '')})"
    if case.status == "found":
        precinct = getattr(result, "precinct", None)
        if precinct is None or precinct.id != case.precinct_id:
            return f"{case.address!r}: precinct {getattr(precinct, 'id', None)} instead of {case.precinct_id}"
    if case.status == "ambiguous":
        ids = frozenset(c.street.id for c in getattr(result, "candidates", []))
        if ids != case.street_ids:
            return f"{case.address!r}: candidates {sorted(ids)} instead of {sorted(case.street_ids)}"
    if case.status == "not_served":
        street = getattr(result, "street", None)
        if street is None or street.id not in case.street_ids:
            return f"{case.address!r}: street {getattr(street, 'id', None)} instead of {sorted(case.street_ids)}"
    return None
