"""The officer finder (поиск социального участкового): thin presentation layer over
`portal.territory.selectors.find_precinct` and the street suggestions.

Only public data leaves here: the officer's work contacts, the precinct and district.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.territory.addresses import STREET_KIND_NAMES
from portal.territory.models import AddressRange, Officer, Precinct, Street

logger = logging.getLogger(__name__)

MAX_ADDRESS_LENGTH = 200
MIN_QUERY_LENGTH = 2
MAX_SUGGESTIONS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_text(value: str | None, *, max_length: int = MAX_ADDRESS_LENGTH) -> str:
    """Strip control characters and surrounding space; cut to a sane length."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", value or "")).strip()[:max_length]


_SETTLEMENT_PREFIX = re.compile(r"^(г|с|п|пгт|рп|д|х|нп|пос|село|город|деревня|поселок|посёлок)\.?\s", re.IGNORECASE)


def settlement_label(street: Street) -> str:
    """The settlement with its type («г. Заречный», «с. Берёзовка»), as people write addresses.

    Streets store the bare name; the type comes from the district's centre when it is that
    settlement, otherwise from the district kind (town or village).
    """
    name = street.settlement.strip()
    if _SETTLEMENT_PREFIX.match(name):
        return name
    district = street.district
    centre = (district.centre or "").strip()
    if centre and centre.lower().replace("ё", "е").endswith(name.lower().replace("ё", "е")) and centre != name:
        return centre
    return f"{'г.' if district.kind == district.Kind.URBAN else 'с.'} {name}"


def street_label(street: Street) -> str:
    """Human form of a street: «г. Заречный, улица Ленина» (also a form the address parser reads back)."""
    kind = STREET_KIND_NAMES.get(street.kind, street.kind)
    return f"{settlement_label(street)}, {kind} {street.name}".strip()


@dataclass(frozen=True)
class OfficerCard:
    """What a citizen sees about their officer: work contacts only."""

    full_name: str
    photo_url: str
    initials: str
    phone: str
    email: str
    office_address: str
    office_hours: str
    precinct_number: int
    precinct_name: str
    district_name: str


@dataclass(frozen=True)
class RangeLine:
    """One house range of a street split between precincts."""

    houses: str
    precinct_number: int
    district_name: str
    officer_name: str


@dataclass
class FinderAnswer:
    query: str = ""
    #: idle (no query yet), invalid, found, no_officer, needs_house, not_found, error
    status: str = "idle"
    message: str = ""
    card: OfficerCard | None = None
    street: str = ""
    suggestions: list[dict[str, str]] = field(default_factory=list)
    ranges: list[RangeLine] = field(default_factory=list)
    corrected: bool = False


def officer_card(officer: Officer | None, precinct: Precinct) -> OfficerCard | None:
    if officer is None:
        return None
    photo_url = ""
    if officer.photo:
        try:
            photo_url = officer.photo.url
        except ValueError:
            photo_url = ""
    initials = "".join(part[:1] for part in officer.full_name.split()[:2]).upper()
    precinct_name = precinct.name.strip()
    if re.fullmatch(rf"(участок|precinct)?\s*№?\s*{precinct.number}", precinct_name, re.IGNORECASE):
        precinct_name = ""  # «Участок № 2» says nothing beyond the number shown anyway
    return OfficerCard(
        full_name=officer.full_name, photo_url=photo_url, initials=initials, phone=officer.phone,
        email=officer.email, office_address=officer.office_address, office_hours=officer.office_hours,
        precinct_number=precinct.number, precinct_name=precinct_name, district_name=precinct.district.name,
    )


def _suggestion(street: Street, house: int | None) -> dict[str, str]:
    label = street_label(street)
    value = f"{label}, д. {house}" if house is not None else label
    return {"label": label, "value": value, "district": street.district.name if street.district_id else ""}


def _parity_label(parity: str) -> str:
    if parity == AddressRange.Parity.ODD:
        return str(_("odd"))
    if parity == AddressRange.Parity.EVEN:
        return str(_("even"))
    return ""


def _ranges_of(street: Street) -> list[RangeLine]:
    lines = []
    for address_range in (AddressRange.objects.filter(street=street)
                          .select_related("precinct__district", "precinct__officer")
                          .order_by("house_from", "parity", "pk")):
        parity = _parity_label(address_range.parity)
        houses = f"{address_range.house_from}–{address_range.house_to}" if address_range.house_to < 9999 \
            else str(_("%(start)s and higher") % {"start": address_range.house_from})
        if parity:
            houses = f"{houses} ({parity})"
        precinct = address_range.precinct
        lines.append(RangeLine(houses=houses, precinct_number=precinct.number,
                               district_name=precinct.district.name,
                               officer_name=precinct.officer.full_name if precinct.officer else ""))
    return lines


def find_officer(address: str) -> FinderAnswer:
    """Answer for one typed address; bad input and failures become messages, never exceptions."""
    from portal.territory.selectors import find_precinct

    query = clean_text(address)
    answer = FinderAnswer(query=query)
    if len(query) < 3:
        answer.status = "invalid"
        answer.message = str(_("Enter the address: settlement, street and house number, "
                               "for example “Заречный, ул. Ленина, 5”."))
        return answer
    try:
        match = find_precinct(query)
    except Exception:  # the public page answers with a message, never with a server error
        logger.exception("officer finder failed for a query")
        answer.status = "error"
        answer.message = str(_("The search is temporarily unavailable. Please call the hotline."))
        return answer
    house = match.address.house
    answer.corrected = bool(getattr(match, "corrected", False))
    if match.street is not None:
        answer.street = street_label(match.street)
    if match.status == "found" and match.precinct is not None:
        card = officer_card(match.officer, match.precinct)
        answer.card = card
        if card is None:
            answer.status = "no_officer"
            answer.message = str(_("Precinct № %(number)s (%(district)s) has no officer at the moment. "
                                   "Please call the hotline.") % {"number": match.precinct.number,
                                                                  "district": match.precinct.district.name})
        else:
            answer.status = "found"
        return answer
    if match.status == "needs_house" and match.street is not None:
        answer.status = "needs_house"
        answer.message = str(_("This street is served by several precincts. Add the house number, "
                               "for example “%(example)s”.") % {"example": f"{answer.street}, д. 5"})
        answer.ranges = _ranges_of(match.street)
        answer.suggestions = [_suggestion(match.street, None)]
        return answer
    if match.status == "empty":
        answer.status = "invalid"
        answer.message = str(_("We could not find a street name in the address. Enter the street and house "
                               "number, for example “Заречный, ул. Ленина, 5”."))
        return answer
    answer.status = "not_found"
    if match.street is not None and house is not None:
        answer.message = str(_("House %(house)s of %(street)s is not assigned to any precinct yet. "
                               "Check the number or call the hotline.") % {"house": house, "street": answer.street})
        answer.ranges = _ranges_of(match.street)
    else:
        answer.message = str(_("We could not find this address. Check the spelling or choose one of the "
                               "nearest streets."))
    seen: set[int] = set()
    for street in match.suggestions:
        if street.pk in seen:
            continue
        seen.add(street.pk)
        answer.suggestions.append(_suggestion(street, house))
    return answer


def answer_for_query(params: QueryDict | dict[str, Any]) -> FinderAnswer:
    """The finder state for a GET request: idle without ``address``, an answer otherwise."""
    if "address" not in params:
        return FinderAnswer()
    return find_officer(str(params.get("address") or ""))


def suggest_streets(query: str, *, limit: int = MAX_SUGGESTIONS) -> list[dict[str, str]]:
    """Street suggestions while typing: the search engine (typo tolerant) first, the database otherwise."""
    from portal.territory.selectors import street_suggestions

    text = clean_text(query, max_length=100)
    if len(text) < MIN_QUERY_LENGTH:
        return []
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    streets: list[Street] | None = None
    try:
        from search.api import SearchUnavailable
        from search.api import suggest_streets as search_suggest
    except ImportError:
        search_suggest = None
    if search_suggest is not None:
        try:
            hits = search_suggest(text, limit=limit)
        except SearchUnavailable:
            logger.info("search unavailable; street suggestions come from the database")
        except Exception:
            logger.exception("street suggestions from search failed; using the database")
        else:
            ids = [int(getattr(hit, "street_id", 0) or 0) for hit in hits]
            by_id = Street.objects.select_related("district").in_bulk([i for i in ids if i])
            streets = [by_id[i] for i in ids if i in by_id]
    if not streets:
        streets = street_suggestions(text, limit=limit)
    results = []
    for street in streets[:limit]:
        item = _suggestion(street, None)
        item["id"] = str(street.pk)
        results.append(item)
    return results
