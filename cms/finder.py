"""The officer finder (поиск социального участкового) on the public site: presentation only.

Every answer comes from `portal.territory.selectors.find_officer` (statuses, messages, limits) and
every street suggestion from `portal.territory.selectors.suggest_streets`; this module turns them
into what the page template and the JSON endpoints show. Only public data leaves here: the
officer's work contacts, the precinct and the district.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from portal.territory import selectors
from portal.territory.index import OfficerRef, PrecinctRef, StreetRef
from portal.territory.selectors import (
    MAX_ADDRESS_LENGTH,
    MAX_SUGGESTIONS,
    MIN_SUGGEST_LENGTH,
    FinderStatus,
    OfficerFinderResult,
    StreetChoice,
    clean_address,
)

logger = logging.getLogger(__name__)

__all__ = ["MAX_ADDRESS_LENGTH", "MAX_SUGGESTIONS", "FinderAnswer", "answer_as_json", "answer_for_query",
           "find_officer", "suggest_streets"]


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
    #: idle (no query yet), error (the finder failed), or a `FinderStatus` value.
    status: str = "idle"
    message: str = ""
    card: OfficerCard | None = None
    street: str = ""
    house: str = ""
    #: AMBIGUOUS: the streets to choose from ({label, value, district, precinct}).
    candidates: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[dict[str, str]] = field(default_factory=list)
    ranges: list[RangeLine] = field(default_factory=list)
    corrected: bool = False


def officer_card(officer: OfficerRef | None, precinct: PrecinctRef) -> OfficerCard | None:
    if officer is None:
        return None
    initials = "".join(part[:1] for part in officer.full_name.split()[:2]).upper()
    precinct_name = precinct.name.strip()
    if re.fullmatch(rf"(участок|precinct)?\s*№?\s*{precinct.number}", precinct_name, re.IGNORECASE):
        precinct_name = ""  # «Участок № 2» says nothing beyond the number shown anyway
    return OfficerCard(
        full_name=officer.full_name, photo_url=officer.photo_url, initials=initials, phone=officer.phone,
        email=officer.email, office_address=officer.office_address, office_hours=officer.office_hours,
        precinct_number=precinct.number, precinct_name=precinct_name, district_name=precinct.district.name,
    )


def street_item(street: StreetRef) -> dict[str, str]:
    return {"id": str(street.id), "label": street.label, "value": street.label, "district": street.district.name}


def _choice_item(choice: StreetChoice) -> dict[str, str]:
    precinct = choice.precinct
    return {"id": str(choice.street.id), "label": choice.street.label, "value": choice.value,
            "district": choice.street.district.name,
            "precinct": _("precinct № %(number)s") % {"number": precinct.number} if precinct else ""}


def present(result: OfficerFinderResult) -> FinderAnswer:
    answer = FinderAnswer(query=result.query, status=str(result.status), message=result.message,
                          street=result.street.label if result.street else "", house=result.house,
                          corrected=result.corrected)
    if result.status == FinderStatus.FOUND and result.precinct is not None:
        answer.card = officer_card(result.officer, result.precinct)
    answer.candidates = [_choice_item(choice) for choice in result.candidates]
    answer.suggestions = [_choice_item(choice) for choice in result.suggestions]
    answer.ranges = [RangeLine(houses=line.houses, precinct_number=line.precinct.number,
                               district_name=line.precinct.district.name,
                               officer_name=line.precinct.officer.full_name if line.precinct.officer else "")
                     for line in result.ranges]
    return answer


def find_officer(address: str | None) -> FinderAnswer:
    """Answer for one typed address; failures become a message, never an exception."""
    try:
        return present(selectors.find_officer(address))
    except Exception:  # the public page answers with a message, never with a server error
        logger.exception("officer finder failed for a query")
        return FinderAnswer(query=clean_address(address, max_length=MAX_ADDRESS_LENGTH), status="error",
                            message=_("The search is temporarily unavailable. Please call the hotline."))


def answer_for_query(params: QueryDict | dict[str, Any]) -> FinderAnswer:
    """The finder state for a GET request: idle without ``address``, an answer otherwise."""
    if "address" not in params:
        return FinderAnswer()
    return find_officer(str(params.get("address") or ""))


def answer_as_json(answer: FinderAnswer, *, absolute: Any = None) -> dict[str, Any]:
    """The JSON form of an answer (``/cms/api/officer``)."""
    card: dict[str, Any] | None = None
    if answer.card is not None:
        card = {**answer.card.__dict__}
        if card["photo_url"] and absolute is not None:
            card["photo_url"] = absolute(card["photo_url"])
    return {
        "query": answer.query, "status": answer.status, "message": answer.message, "street": answer.street,
        "house": answer.house, "corrected": answer.corrected, "officer": card, "candidates": answer.candidates,
        "suggestions": answer.suggestions, "ranges": [line.__dict__ for line in answer.ranges],
    }


def suggest_streets(query: str | None, *, limit: int = MAX_SUGGESTIONS) -> list[dict[str, str]]:
    """Street suggestions while typing (the territory index: prefix of any name word, typo tolerant)."""
    text = clean_address(query, max_length=MAX_ADDRESS_LENGTH)
    if len(text) < MIN_SUGGEST_LENGTH:
        return []
    try:
        streets = selectors.suggest_streets(text, limit=limit)
    except Exception:
        logger.exception("street suggestions failed")
        return []
    return [street_item(street) for street in streets]
