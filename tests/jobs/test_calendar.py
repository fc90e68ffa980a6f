"""Working days on the Russian production calendar (portal.core.calendar): New Year holidays, days off
transferred by the Government's decrees (2025: 1 November was a working Saturday, 3 November a day off; 2026:
9 January off, transferred from Saturday 3 January), and the regional exceptions administrators enter."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.calendar import add_working_days, federal_working_day, is_working_day, working_days_between
from portal.core.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("day", "working"), [
    (date(2025, 12, 30), True),   # Tuesday
    (date(2025, 12, 31), False),  # Wednesday, off: transferred from Sunday 5 January 2025
    (date(2026, 1, 1), False),
    (date(2026, 1, 8), False),    # New Year holidays 1–8 January
    (date(2026, 1, 9), False),    # Friday, off: transferred from Saturday 3 January 2026
    (date(2026, 1, 12), True),    # first working day of 2026
    (date(2025, 11, 1), True),    # Saturday made a working day (transfer to 3 November)
    (date(2025, 11, 3), False),   # Monday off (transferred from 1 November)
    (date(2025, 11, 4), False),   # Unity Day
    (date(2025, 5, 2), False),    # Friday off, transferred from Saturday 4 January 2025
    (date(2025, 5, 8), False),    # Thursday off, transferred from Sunday 23 February 2025
    (date(2026, 3, 9), False),    # Monday off: 8 March 2026 fell on a Sunday
    (date(2026, 3, 10), True),
    (date(2026, 3, 7), False),    # an ordinary Saturday
])
def test_federal_calendar(day: date, working: bool) -> None:
    assert federal_working_day(day) is working
    assert is_working_day(day) is working


def test_adding_working_days_over_the_new_year_holidays() -> None:
    assert add_working_days(date(2025, 12, 29), 1) == date(2025, 12, 30)
    assert add_working_days(date(2025, 12, 30), 1) == date(2026, 1, 12)  # 31 Dec, 1–11 Jan are all days off
    assert add_working_days(date(2025, 12, 30), 2) == date(2026, 1, 13)
    assert add_working_days(date(2026, 1, 12), -1) == date(2025, 12, 30)
    assert add_working_days(date(2026, 1, 3), 0) == date(2026, 1, 12)  # a day off moves to the next working day
    assert add_working_days(date(2026, 1, 12), 0) == date(2026, 1, 12)


def test_adding_working_days_over_a_transferred_working_saturday() -> None:
    # Thursday 30 Oct 2025 + 2: Fri 31 Oct, Sat 1 Nov (working); then 2–4 Nov off.
    assert add_working_days(date(2025, 10, 30), 2) == date(2025, 11, 1)
    assert add_working_days(date(2025, 10, 30), 3) == date(2025, 11, 5)
    assert working_days_between(date(2025, 10, 30), date(2025, 11, 5)) == 3


def test_ten_working_days_match_the_production_calendar() -> None:
    # January 2026 has 15 working days (12–16, 19–23, 26–30).
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 31)) == 15
    assert add_working_days(date(2026, 1, 1), 10) == date(2026, 1, 23)


def test_regional_exceptions_override_the_federal_calendar() -> None:
    # A regional holiday (e.g. a republic's day) and an extra working day.
    CalendarDay.objects.create(date=date(2026, 3, 10), working=False, note="Региональный праздник")
    CalendarDay.objects.create(date=date(2026, 3, 14), working=True, note="Рабочая суббота")
    assert is_working_day(date(2026, 3, 10)) is False
    assert is_working_day(date(2026, 3, 14)) is True
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 11)  # 7–10 March off
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 14)
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 16)) == 5  # 11, 12, 13, 14, 16
