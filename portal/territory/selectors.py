"""Reads of the territory: the officer finder (поиск социального участкового) and precinct load.

`find_officer(address)` is the one door of the finder: the page (with and without JavaScript),
the JSON endpoints and the gateway's `findOfficer` only present the `OfficerFinderResult` it returns
(statuses, messages in the active language, limits). `suggest_streets(text)` is the typeahead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.territory.addresses import normalise_text  # noqa: F401  (re-exported for callers)
from portal.territory.index import OfficerRef, PrecinctRef, StreetRef, territory_index
from portal.territory.models import District, Precinct

logger = logging.getLogger(__name__)

#: Limits shared by every door of the finder.
MAX_ADDRESS_LENGTH = 200
MIN_ADDRESS_LENGTH = 3
MIN_SUGGEST_LENGTH = 2
MAX_SUGGESTIONS = 10
#: The example on the page; a test checks that it is found in the demo region.
EXAMPLE_ADDRESS = "Заречный, ул. Ленина, 5"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class FinderStatus(StrEnum):
    FOUND = "found"
    NEEDS_HOUSE = "needs_house"
    AMBIGUOUS = "ambiguous"
    NOT_SERVED = "not_served"
    NOT_FOUND = "not_found"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class StreetChoice:
    """A street to pick: the address to search for it (with the house typed) and the precinct of that house."""

    street: StreetRef
    value: str
    precinct: PrecinctRef | None = None


@dataclass(frozen=True, slots=True)
class RangeLine:
    """Houses of the street that belong to one precinct."""

    houses: str
    precinct: PrecinctRef


@dataclass(slots=True)
class OfficerFinderResult:
    """The complete answer of the officer finder for one typed address."""

    query: str
    status: FinderStatus
    message: str = ""
    house: str = ""
    street: StreetRef | None = None
    precinct: PrecinctRef | None = None
    officer: OfficerRef | None = None
    #: AMBIGUOUS: every street the address may mean.
    candidates: list[StreetChoice] = field(default_factory=list)
    #: NOT_FOUND: the nearest streets; NEEDS_HOUSE: the street itself.
    suggestions: list[StreetChoice] = field(default_factory=list)
    #: The precincts of the street (NEEDS_HOUSE, NOT_SERVED, FOUND).
    precincts: list[PrecinctRef] = field(default_factory=list)
    ranges: list[RangeLine] = field(default_factory=list)
    #: The address was read despite a typo or a wrong street type.
    corrected: bool = False


def clean_address(value: str | None, *, max_length: int | None = None) -> str:
    """Control characters out, spaces collapsed (not cut: a too long address is refused, not shortened)."""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", value or "")).strip()
    return text[:max_length] if max_length else text


def _choice(street: StreetRef, house: str, precinct: PrecinctRef | None = None) -> StreetChoice:
    value = f"{street.label}, д. {house}" if house else street.label
    return StreetChoice(street=street, value=value, precinct=precinct)


def _merged_ranges(street: StreetRef) -> list[tuple[int, int, str, PrecinctRef]]:
    """The street's ranges as a citizen reads them: adjacent blocks of one precinct joined, and the odd and even
    sides of one stretch shown once («1–179 (odd)», «2–180 (even)» of one precinct → «1–180»)."""
    merged: list[list] = []
    for house_range in sorted(street.ranges, key=lambda r: (r.parity, r.house_from)):
        step = 1 if house_range.parity == "all" else 2
        last = merged[-1] if merged else None
        if last is not None and last[2] == house_range.parity and last[3].id == house_range.precinct.id \
                and house_range.house_from <= last[1] + step:
            last[1] = max(last[1], house_range.house_to)
        else:
            merged.append([house_range.house_from, house_range.house_to, house_range.parity, house_range.precinct])
    odd = [m for m in merged if m[2] == "odd"]
    even = [m for m in merged if m[2] == "even"]
    result: list[tuple[int, int, str, PrecinctRef]] = [(m[0], m[1], m[2], m[3]) for m in merged if m[2] == "all"]
    for side in odd:
        twin = next((e for e in even if e[3].id == side[3].id and abs(e[0] - side[0]) <= 1
                     and abs(e[1] - side[1]) <= 1), None)
        if twin is not None:
            even.remove(twin)
            result.append((min(side[0], twin[0]), max(side[1], twin[1]), "all", side[3]))
        else:
            result.append((side[0], side[1], side[2], side[3]))
    result += [(e[0], e[1], e[2], e[3]) for e in even]
    return sorted(result, key=lambda r: (r[0], r[2]))


def _ranges(street: StreetRef) -> list[RangeLine]:
    lines = []
    for house_from, house_to, parity, precinct in _merged_ranges(street):
        if house_to >= 9999:
            houses = _("%(start)s and higher") % {"start": house_from}
        else:
            houses = f"{house_from}–{house_to}"
        if parity == "odd":
            houses = f"{houses} ({_('odd')})"
        elif parity == "even":
            houses = f"{houses} ({_('even')})"
        lines.append(RangeLine(houses=houses, precinct=precinct))
    return lines


def _example() -> str:
    return EXAMPLE_ADDRESS


def _found(result: OfficerFinderResult, street: StreetRef, precinct: PrecinctRef) -> OfficerFinderResult:
    result.status = FinderStatus.FOUND
    result.street, result.precinct, result.officer = street, precinct, precinct.officer
    result.precincts = list(street.precincts)
    if precinct.officer is None:
        result.message = _("Precinct № %(number)s (%(district)s) has no officer at the moment. "
                           "Please call the hotline.") % {"number": precinct.number,
                                                           "district": precinct.district.name}
    elif result.corrected:
        result.message = _("Showing results for %(street)s.") % {"street": street.label}
    return result


def find_officer(address: str | None) -> OfficerFinderResult:
    """Find the precinct and officer for a free-text address; bad input is an INVALID answer, never an error."""
    query = clean_address(address)
    result = OfficerFinderResult(query=query[:MAX_ADDRESS_LENGTH], status=FinderStatus.INVALID)
    if len(query) > MAX_ADDRESS_LENGTH:
        result.message = _("The address is too long: at most %(limit)s characters.") % {"limit": MAX_ADDRESS_LENGTH}
        return result
    if len(query) < MIN_ADDRESS_LENGTH:
        result.message = _("Enter the address: settlement, street and house number, for example “%(example)s”.") % {
            "example": _example()}
        return result
    index = territory_index()
    reading = index.read(query)
    result.corrected = reading.corrected
    house = reading.house_text if reading.house is not None else ""
    result.house = house
    if reading.problem == "no_street":
        result.message = _("We could not find a street name in the address. Enter the street and house number, "
                           "for example “%(example)s”.") % {"example": _example()}
        return result
    if not reading.streets:
        result.status = FinderStatus.NOT_FOUND
        result.suggestions = [_choice(s, house) for s in reading.suggestions[:MAX_SUGGESTIONS]]
        if reading.problem == "not_in_settlement" and reading.settlement:
            result.message = _("We could not find this street in %(settlement)s. Check the spelling or choose one "
                               "of the streets below.") % {"settlement": reading.settlement}
        elif reading.problem == "unknown_words" and reading.unknown_words:
            result.message = _("We could not recognise “%(words)s” in the address: it is not a settlement or street "
                               "of our region. Check the spelling or choose one of the streets below.") % {
                "words": reading.unknown_words}
        else:
            result.message = _("We could not find this address. Check the spelling or choose one of the nearest "
                               "streets.")
        return result
    streets = reading.streets
    if len(streets) > 1:
        served = [s.precinct_for(reading.house) if reading.house is not None else None for s in streets]
        if reading.house is not None:
            first = served[0]
            if first is not None and all(p is not None and p.id == first.id for p in served):
                return _found(result, streets[0], first)
        else:
            precinct_sets = [{p.id for p in s.precincts} for s in streets]
            if len(precinct_sets[0]) == 1 and all(ids == precinct_sets[0] for ids in precinct_sets):
                return _found(result, streets[0], streets[0].precincts[0])
        result.status = FinderStatus.AMBIGUOUS
        result.candidates = [_choice(s, house, precinct) for s, precinct in zip(streets, served, strict=True)]
        result.message = _("Several streets match this address. Choose yours, or add the settlement and the street "
                           "type.")
        return result
    street = streets[0]
    result.street = street
    result.precincts = list(street.precincts)
    if reading.house is not None:
        precinct = street.precinct_for(reading.house) if reading.house > 0 else None
        if precinct is not None:
            return _found(result, street, precinct)
        result.status = FinderStatus.NOT_SERVED
        result.ranges = _ranges(street)
        result.message = _("House %(house)s of %(street)s is not assigned to any precinct. Check the number or "
                           "call the hotline.") % {"house": house, "street": street.label}
        return result
    if len(result.precincts) == 1:
        return _found(result, street, result.precincts[0])
    if not result.precincts:
        result.status = FinderStatus.NOT_SERVED
        result.message = _("%(street)s is not assigned to any precinct yet. Please call the hotline.") % {
            "street": street.label}
        return result
    result.status = FinderStatus.NEEDS_HOUSE
    result.ranges = _ranges(street)
    result.suggestions = [_choice(street, "")]
    result.message = _("This street is served by several precincts. Add the house number, for example "
                       "“%(example)s”.") % {"example": f"{street.label}, д. 5"}
    return result


def suggest_streets(text: str | None, *, limit: int = MAX_SUGGESTIONS) -> list[StreetRef]:
    """Typeahead: streets for what has been typed so far (prefix of any name word, typo tolerant)."""
    query = clean_address(text)
    if not MIN_SUGGEST_LENGTH <= len(query) <= MAX_ADDRESS_LENGTH:
        return []
    return territory_index().suggest(query, limit=max(1, min(limit, MAX_SUGGESTIONS)))


@dataclass(frozen=True)
class PrecinctLoad:
    """Residents per officer against the norm (1 per 8,000 rural / 10,000 urban)."""

    residents: int
    norm: int
    ratio: float

    @property
    def over_norm(self) -> bool:
        return self.ratio > 1.0


def precinct_load(precinct: Precinct | PrecinctRef) -> PrecinctLoad:
    norm = precinct.district.residents_per_officer_norm
    residents = precinct.population
    return PrecinctLoad(residents=residents, norm=norm, ratio=round(residents / norm, 3) if norm else 0.0)


def districts_overview() -> QuerySet[District]:
    """Districts with their precinct and officer counts and resident totals."""
    return District.objects.annotate(
        precinct_count=Count("precincts", distinct=True),
        officer_count=Count("precincts__officer", distinct=True),
        precinct_residents=Sum("precincts__population"),
    ).order_by("name")


def precincts_of_district(district_code: str) -> QuerySet[Precinct]:
    return (Precinct.objects.filter(district__code=district_code)
            .select_related("district", "officer").order_by("number"))


def public_precincts() -> QuerySet[Precinct]:
    return Precinct.objects.select_related("district", "officer").order_by("district__name", "number")
