"""«Мои показатели» in the partner workspace: the organisation's own performance (issue 16 item 2) for a month or
a quarter — the same report the coordinators and the supervisor read (`portal.reports`), scoped by the domain to
the partner's own organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.reports import selectors
from portal.reports.periods import current_month
from portal.workspace.views import Refusal, _page, _reader


def _previous_month() -> str:
    return f"{current_month(timezone.localdate()).first - dt.timedelta(days=1):%Y-%m}"


def _shown(value: object) -> object:
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else value


@require_GET
def performance(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    period = request.GET.get("period") or _previous_month()
    context: dict[str, Any] = {"period": period, "report": None, "rows": []}
    try:
        report = selectors.get_report(viewer=viewer, kind="partners", period=period)
    except Exception as error:  # a refusal is a page with its status (bad period 400, not allowed 403)
        return _page(request, "workspace/performance.html", context, refusal=Refusal.of(error))
    table = report.tables[0]
    context.update({
        "report": report, "as_of": timezone.localtime(report.as_of_moment),
        "rows": [(row["organisation"], [(c.label, _shown(row.get(c.key))) for c in table.columns[2:]])
                 for row in table.rows],
    })
    return _page(request, "workspace/performance.html", context)
