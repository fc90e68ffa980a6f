"""Reads of the intake: an address resolved to its precinct and normalised, open signals the same address had
recently (repeats), households and persons that may already be registered (duplicates), scoped by the Viewer."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.cases.models import Household, Person, Signal
from portal.cases.selectors import households_for, persons_for
from portal.core.viewer import Viewer
from portal.territory.addresses import normalise_text
from portal.territory.selectors import FinderStatus, find_officer

#: An open signal at the same address within this many days makes a new report a repeat.
REPEAT_WINDOW_DAYS = 30
_FLAT = re.compile(r"(?:кв|квартира|кв-ра|комн|комната|ком|пом|помещение)\.?\s*№?\s*(\d+[а-я]?)\b", re.IGNORECASE)
_HOUSE_NOISE = re.compile(r"[\s.,-]+")


def resolve_address(address: str) -> tuple[int | None, str]:
    """(precinct id or None, normalised address key). With a street the officer finder knows and a house, the
    key is the street's id with the house and flat, so «ул. Ленина, 5-12» and «Заречный, Ленина д.5 кв.12»
    meet; otherwise it is the normalised text."""
    result = find_officer(address)
    precinct_id = result.precinct.id if result.status == FinderStatus.FOUND and result.precinct else None
    flat = _FLAT.search(address.lower().replace("ё", "е"))
    if result.street is not None and result.house:
        house = _HOUSE_NOISE.sub("", result.house.lower())
        key = f"street:{result.street.id}/{house}" + (f"/{flat.group(1)}" if flat else "")
    else:
        key = normalise_text(address)
    return precinct_id, key[:300]


def repeat_candidates(*, address_key: str, received_at: dt.datetime | None = None) -> QuerySet[Signal]:
    """Open signals (new or being checked) at this address received within the last 30 days: a new report about
    the same family is attached to one of them instead of opening a duplicate."""
    if not address_key:
        return Signal.objects.none()
    moment = received_at or timezone.now()
    return Signal.objects.filter(
        address_key=address_key, repeat_of__isnull=True,
        status__in=(Signal.Status.RECEIVED, Signal.Status.CHECKING),
        received_at__gte=moment - dt.timedelta(days=REPEAT_WINDOW_DAYS),
    ).select_related("institution", "precinct").order_by("-received_at")


def duplicate_households(*, viewer: Viewer, address_key: str, precinct_id: int) -> tuple[list[Household], int]:
    """Households of the precinct at the same normalised address: those the viewer may open, and how many more
    exist outside its scope (counted only: their data is not the viewer's to see)."""
    same = [household.pk for household in Household.objects.filter(precinct_id=precinct_id).only("pk", "address")
            if resolve_address(household.address)[1] == address_key]
    if not same:
        return [], 0
    visible = list(households_for(viewer).filter(pk__in=same).prefetch_related("members"))
    return visible, len(same) - len(visible)


def duplicate_persons(
    *, viewer: Viewer, last_name: str, first_name: str, middle_name: str = "", birth_date: dt.date | None = None,
) -> tuple[list[Person], int]:
    """Persons with the same last, first and (when given) middle name and date of birth (without a date: the
    same full name at all): those the viewer may open, and how many more exist outside its scope."""
    same = Q(last_name__iexact=last_name.strip(), first_name__iexact=first_name.strip())
    if middle_name.strip():
        same &= Q(middle_name__iexact=middle_name.strip()) | Q(middle_name="")
    if birth_date is not None:
        same &= Q(birth_date=birth_date)
    matches = list(Person.objects.filter(same).values_list("pk", flat=True)[:50])
    if not matches:
        return [], 0
    visible = list(persons_for(viewer).filter(pk__in=matches).select_related("household"))
    return visible, len(matches) - len(visible)
