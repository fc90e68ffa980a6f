"""Report queries. Scope is the domain's (`portal.reports.selectors`): a coordinator its institution, a supervisor
and an admin everything, a partner only its own performance; anyone else gets `forbidden`. A bad period is
`validation_failed` on `period`, an unknown institution or district `not_found`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.core.inputs import check_text
from graph.errors import Unauthenticated
from graph.reports.types import Report
from graph.unit import run_unit
from portal.reports import selectors
from portal.reports.models import ReportKind


async def _report(info: Info, kind: str, period: str | None, institution: str | None = None,
                  district: str | None = None, fresh: bool = False) -> Report:
    viewer = info.context.viewer
    if viewer.is_anonymous:
        raise Unauthenticated()
    period = check_text(period, "period")
    institution, district = check_text(institution, "institution"), check_text(district, "district")

    def unit() -> Report:
        return Report.from_report(selectors.get_report(viewer=viewer, kind=kind, period=period,
                                                       institution=institution, district=district, fresh=fresh,
                                                       shared=True))

    return await run_unit(info, unit)


Fresh = Annotated[bool, strawberry.argument(
    description="A fresh draft even when the period was submitted (the submitted snapshot otherwise).")]


@strawberry.type
class ReportQueries:
    @strawberry.field(description="Monthly report on social support (seed 003, appendix 3): one row per "
                                  "institution. `period`: YYYY-MM (default: the current month, a draft).")
    async def monthly_report(self, info: Info, period: str | None = None, institution: str | None = None,
                             fresh: Fresh = False) -> Report:
        return await _report(info, ReportKind.MONTHLY, period, institution, fresh=fresh)

    @strawberry.field(description="Quarterly effectiveness monitoring (seed 004 row 13): closed cases by outcome, "
                                  "share surveyed, mean satisfaction, share of circumstances resolved. "
                                  "`period`: YYYY-QN.")
    async def quarterly_monitoring(self, info: Info, period: str, institution: str | None = None,
                                   fresh: Fresh = False) -> Report:
        return await _report(info, ReportKind.QUARTERLY, period, institution, fresh=fresh)

    @strawberry.field(description="Social passport of the territory (seed 002) per district and for the region "
                                  "(a coordinator: its institution's district). `period`: YYYY-MM.")
    async def social_passport(self, info: Info, period: str | None = None, district: str | None = None,
                              institution: str | None = None,
                              fresh: Fresh = False) -> Report:
        return await _report(info, ReportKind.PASSPORT, period, institution, district, fresh=fresh)

    @strawberry.field(description="Partner performance (442-FZ art. 28): per organisation assigned, accepted "
                                  "within 3 days, fulfilled on time / late, not fulfilled and returned by reason, "
                                  "median days to fulfil, overdue now. `period`: YYYY-MM or YYYY-QN.")
    async def partner_performance(self, info: Info, period: str, institution: str | None = None,
                                  district: str | None = None,
                                  fresh: Fresh = False) -> Report:
        return await _report(info, ReportKind.PARTNERS, period, institution, district, fresh=fresh)
