"""Terms of support (seed 003 §6): at most 6 months; extension up to 12 months in total by collegial
decision; interim review 3 months after the start."""

from __future__ import annotations

import calendar
import datetime as dt

MAX_TERM_MONTHS = 6
MAX_EXTENDED_TERM_MONTHS = 12
REVIEW_AFTER_MONTHS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_end(started_on: dt.date) -> dt.date:
    """The last allowed end of support including every extension."""
    return add_months(started_on, MAX_EXTENDED_TERM_MONTHS)


#: The monitoring inspection (§6.4) that the decision to extend or close rests on is made in the last 30 days.
MONITORING_WINDOW_DAYS = 30


def monitoring_window(term_end: dt.date, decided_on: dt.date) -> tuple[dt.date, dt.date]:
    """The days a monitoring inspection must fall on for a decision on `decided_on` about a term ending on
    `term_end`: from 30 days before the end up to the decision (an inspection cannot follow what rests on it)."""
    return term_end - dt.timedelta(days=MONITORING_WINDOW_DAYS), decided_on
