"""Reads of the territory: the officer finder (поиск социального участкового) and precinct load."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, QuerySet, Sum

from portal.territory.addresses import NormalisedAddress, levenshtein, normalise_address, normalise_text
from portal.territory.models import AddressRange, District, Officer, Precinct, Street

logger = logging.getLogger(__name__)

MatchStatus = Literal["found", "needs_house", "not_found", "empty"]


@dataclass
class PrecinctMatch:
    """Answer of the officer finder for one address."""

    status: MatchStatus
    address: NormalisedAddress
    precinct: Precinct | None = None
    officer: Officer | None = None
    street: Street | None = None
    #: Nearest streets (not found) or the street's precincts (house number needed).
    suggestions: list[Street] = field(default_factory=list)
    precincts: list[Precinct] = field(default_factory=list)
    #: The street was matched despite a typo.
    corrected: bool = False


@dataclass(frozen=True)
class PrecinctLoad:
    """Residents per officer against the norm (1 per 8,000 rural / 10,000 urban)."""

    residents: int
    norm: int
    ratio: float

    @property
    def over_norm(self) -> bool:
        return self.ratio > 1.0


def _streets_named(address: NormalisedAddress, name: str) -> QuerySet[Street]:
    streets = Street.objects.filter(normalized=name).select_related("district")
    if address.settlement:
        in_settlement = streets.filter(settlement_normalized=address.settlement)
        if in_settlement.exists():
            streets = in_settlement
    if address.street_kind:
        of_kind = streets.filter(kind=address.street_kind)
        if of_kind.exists():
            streets = of_kind
    return streets


def _typo_candidates(address: NormalisedAddress, limit: int) -> list[Street]:
    """Streets whose name is close to the typed one: the search engine first, the database otherwise."""
    typed = address.street
    try:
        from search.api import SearchUnavailable, suggest_streets
    except ImportError:  # search package without its API: database only
        hits = None
    else:
        query = f"{address.street_kind} {typed} {address.settlement}".strip()
        try:
            hits = suggest_streets(query, limit=limit)
        except SearchUnavailable:
            logger.info("search unavailable, officer finder falls back to the database")
            hits = None
    if hits:
        by_id = Street.objects.select_related("district").in_bulk([hit.street_id for hit in hits])
        return [by_id[hit.street_id] for hit in hits if hit.street_id in by_id]
    # Database fallback: same first letter or same length range, ranked by edit distance.
    pool = Street.objects.select_related("district")
    if address.settlement:
        pool = pool.filter(settlement_normalized=address.settlement) or pool
    candidates = list(pool.filter(normalized__startswith=typed[:1])[:5000])
    scored = sorted(
        ((levenshtein(typed, street.normalized, limit=4), street.normalized, street.pk, street)
         for street in candidates),
        key=lambda item: item[:3],
    )
    return [street for distance, _, _, street in scored if distance <= 4][:limit]


def _resolve(address: NormalisedAddress, streets: list[Street], corrected: bool) -> PrecinctMatch:
    ranges = list(
        AddressRange.objects.filter(street__in=streets)
        .select_related("precinct__district", "precinct__officer", "street__district")
        .order_by("house_from", "pk")
    )
    if not ranges:
        return PrecinctMatch(status="not_found", address=address, street=streets[0], suggestions=streets,
                             corrected=corrected)
    precincts = list({r.precinct_id: r.precinct for r in ranges}.values())
    if len(precincts) == 1:
        precinct = precincts[0]
        return PrecinctMatch(status="found", address=address, precinct=precinct, officer=precinct.officer,
                             street=ranges[0].street, precincts=precincts, corrected=corrected)
    if address.house is None:
        return PrecinctMatch(status="needs_house", address=address, street=ranges[0].street, precincts=precincts,
                             suggestions=streets, corrected=corrected)
    for address_range in ranges:
        if address_range.covers(address.house):
            precinct = address_range.precinct
            return PrecinctMatch(status="found", address=address, precinct=precinct, officer=precinct.officer,
                                 street=address_range.street, precincts=precincts, corrected=corrected)
    return PrecinctMatch(status="not_found", address=address, street=ranges[0].street, precincts=precincts,
                         suggestions=streets, corrected=corrected)


def find_precinct(address: str, *, suggestions: int = 5) -> PrecinctMatch:
    """Find the precinct and officer for a free-text address (normalise → street → house range)."""
    normalised = normalise_address(address)
    if not normalised.street:
        return PrecinctMatch(status="empty", address=normalised)
    exact = list(_streets_named(normalised, normalised.street)[:20])
    if exact:
        return _resolve(normalised, exact, corrected=False)
    candidates = _typo_candidates(normalised, limit=suggestions)
    if candidates:
        best = candidates[0]
        close = levenshtein(normalised.street, best.normalized, limit=2) <= 2
        if close and (not normalised.settlement or levenshtein(
                normalised.settlement, best.settlement_normalized, limit=2) <= 2):
            same_name = [s for s in candidates if s.normalized == best.normalized
                         and s.settlement_normalized == best.settlement_normalized]
            return _resolve(normalised, same_name, corrected=True)
    return PrecinctMatch(status="not_found", address=normalised, suggestions=candidates)


def street_suggestions(prefix: str, limit: int = 10) -> list[Street]:
    """Streets whose normalised name starts with the typed text (database; no typo tolerance)."""
    address = normalise_address(prefix)
    text = address.street or normalise_text(prefix)
    if len(text) < 2:
        return []
    streets = Street.objects.filter(normalized__startswith=text).select_related("district")
    if address.settlement:
        streets = streets.filter(settlement_normalized__startswith=address.settlement)
    return list(streets.order_by("normalized", "settlement")[:limit])


def precinct_load(precinct: Precinct) -> PrecinctLoad:
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
