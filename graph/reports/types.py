"""Types of a computed report: tables whose rows are JSON objects keyed by the column keys (numbers stay
numbers; a suppressed small cell is the text «<3»), charts, and what the figures stand for."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from portal.reports import figures


@strawberry.type(description="A column of a report table: `key` names the value in each row.")
class ReportColumn:
    key: str
    label: str
    kind: str = strawberry.field(description="count, share (%), mean, or text.")


@strawberry.type(description="A table of a report.")
class ReportTable:
    key: str
    title: str
    columns: list[ReportColumn]
    rows: list[JSON]
    total: JSON | None


@strawberry.type(description="Data of a chart drawn from the report.")
class ReportChart:
    key: str
    title: str
    type: str
    labels: list[str]
    datasets: JSON
    stacked: bool


@strawberry.type(description="A report: the submitted snapshot when the period was submitted, else a draft as of "
                             "now (`draft` while the period is not over). Small cells of the quarterly monitoring "
                             "show as «<3».")
class Report:
    kind: str
    title: str
    period: str
    period_label: str
    scope: str
    scope_label: str
    as_of: dt.datetime
    draft: bool
    deadline: dt.date | None
    submitted_at: dt.datetime | None
    submitted_by: str | None
    suppressed: bool
    notes: list[str]
    tables: list[ReportTable]
    charts: list[ReportChart]

    @classmethod
    def from_report(cls, report: figures.Report) -> Report:
        return cls(
            kind=report.kind, title=report.title, period=report.period, period_label=report.period_label,
            scope=report.scope, scope_label=report.scope_label, as_of=dt.datetime.fromisoformat(report.as_of),
            draft=report.draft, deadline=dt.date.fromisoformat(report.deadline) if report.deadline else None,
            submitted_at=dt.datetime.fromisoformat(report.submitted_at) if report.submitted_at else None,
            submitted_by=report.submitted_by, suppressed=report.suppressed, notes=list(report.notes),
            tables=[ReportTable(key=t.key, title=t.title, rows=[JSON(row) for row in t.rows],
                                total=JSON(t.total) if t.total is not None else None,
                                columns=[ReportColumn(key=c.key, label=c.label, kind=c.kind) for c in t.columns])
                    for t in report.tables],
            charts=[ReportChart(key=c.key, title=c.title, type=c.type, labels=list(c.labels), datasets=JSON(c.datasets),
                                stacked=c.stacked) for c in report.charts],
        )
