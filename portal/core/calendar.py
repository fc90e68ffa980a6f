"""Working days on the Russian production calendar («производственный календарь»): federal holidays and the
days off transferred by the Government's decree each year (the `holidays` package, `RU`), with the regional
exceptions administrators enter (CalendarDay: an extra day off or an extra working day).

    is_working_day(date)            add_working_days(date, n)            working_days_between(start, end)
    working_days_in(start, end)
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from portal.core.models import CalendarDay


@lru_cache(maxsize=64)
def _federal(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def federal_working_day(day: date) -> bool:
    """The federal calendar only: Monday–Friday except holidays and transferred days off; a Saturday or Sunday
    made a working day by a transfer counts as working."""
    return bool(_federal(day.year).is_working_day(day))


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "working"))


def is_working_day(day: date) -> bool:
    exceptions = _exceptions(day, day)
    return exceptions[day] if day in exceptions else federal_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (before it for a negative number); `start` itself is not
    counted. `add_working_days(d, 0)` is `d` when it is a working day, else the next working day."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    # Exceptions are read once for a window wide enough (every 7 days hold at least 1 working day in practice).
    window = timedelta(days=remaining * 3 + 30)
    exceptions = _exceptions(start - window, start + window) if step < 0 else _exceptions(start, start + window)

    def working(day: date) -> bool:
        return exceptions[day] if day in exceptions else federal_working_day(day)

    day = start
    if remaining == 0:
        while not working(day):
            day += timedelta(days=1)
        return day
    while remaining:
        day += timedelta(days=step)
        if working(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if exceptions[day] if day in exceptions else federal_working_day(day):
            count += 1
    return count


def working_days_in(start: date, end: date) -> list[date]:
    """Every working day from `start` to `end` inclusive, in order (one query for the regional exceptions): for
    counting many distances at once, e.g. with `bisect`."""
    exceptions = _exceptions(start, end)
    days = []
    day = start
    while day <= end:
        if exceptions[day] if day in exceptions else federal_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
