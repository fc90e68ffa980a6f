"""Reporting periods: a month `2026-11` or a quarter `2026-Q3`, with the submission deadline."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.core.errors import ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[QqКк]([1-4])$")

#: Statutory deadline (seed 003, appendix 3): by the 10th of the month following the period.
DEADLINE_DAY = 10


@dataclass(frozen=True, slots=True)
class Period:
    code: str
    first: dt.date
    last: dt.date

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.code

    @property
    def deadline(self) -> dt.date:
        following = self.last + dt.timedelta(days=1)
        return following.replace(day=DEADLINE_DAY)

    def is_finished(self, today: dt.date) -> bool:
        return self.last < today

    def previous_months(self, count: int) -> list[Period]:
        """This period's last month and the `count - 1` months before it, oldest first."""
        months = []
        year, month = self.last.year, self.last.month
        for _step in range(count):
            months.append(month_period(year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return months[::-1]

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"{(self.first.month - 1) // 3 + 1} кв. {self.first.year}"
        return f"{self.first:%m.%Y}"


def month_period(year: int, month: int) -> Period:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return Period(code=f"{year:04d}-{month:02d}", first=dt.date(year, month, 1), last=last)


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last = month_period(year, first_month + 2).last
    return Period(code=f"{year:04d}-Q{quarter}", first=dt.date(year, first_month, 1), last=last)


def parse_period(text: str | None, *, months: bool = True, quarters: bool = False, field: str = "period") -> Period:
    """`2026-11` (a month) or `2026-Q3` (a quarter), as the report allows; anything else is refused on `field`."""
    value = (text or "").strip()
    if months and (found := _MONTH.match(value)):
        year, month = int(found[1]), int(found[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return month_period(year, month)
    if quarters and (found := _QUARTER.match(value)):
        year, quarter = int(found[1]), int(found[2])
        if 2000 <= year <= 2100:
            return quarter_period(year, quarter)
    if months and quarters:
        raise ValidationFailed(_("Enter a month as YYYY-MM (e.g. 2026-11) or a quarter as YYYY-QN (e.g. 2026-Q3)."),
                               field=field)
    if quarters:
        raise ValidationFailed(_("Enter a quarter as YYYY-QN, e.g. 2026-Q3."), field=field)
    raise ValidationFailed(_("Enter a month as YYYY-MM, e.g. 2026-11."), field=field)


def current_month(today: dt.date) -> Period:
    return month_period(today.year, today.month)


def current_quarter(today: dt.date) -> Period:
    return quarter_period(today.year, (today.month - 1) // 3 + 1)
