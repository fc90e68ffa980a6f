"""The shape of a computed report: tables of named columns, charts, and what the figures stand for.

One JSON-safe structure serves every door: the admin page, the exports, GraphQL, the CLI, and the frozen
snapshot of a submitted report (`Submission.figures`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

#: A count below this is shown as «<3» in any published or shared version (seed 004 row 13 monitoring).
SMALL_CELL = 3
SMALL_CELL_TEXT = "<3"

Cell = int | float | str | None


@dataclass
class Column:
    key: str
    label: str
    #: "count" cells are small-cell suppressed in shared versions; "share"/"mean" follow their base count.
    kind: str = "count"
    #: Column whose count is the base of this share or mean (suppressed with it).
    base: str | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Cell]]
    total: dict[str, Cell] | None = None


@dataclass
class Chart:
    key: str
    title: str
    type: str  # bar | line
    labels: list[str]
    datasets: list[dict[str, Any]]
    stacked: bool = False


@dataclass
class Report:
    kind: str
    title: str
    period: str
    period_label: str
    scope: str
    scope_label: str
    as_of: str  # ISO date-time
    draft: bool
    deadline: str | None
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suppressed: bool = False
    submitted_at: str | None = None
    submitted_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        tables = [Table(key=t["key"], title=t["title"], columns=[Column(**c) for c in t["columns"]], rows=t["rows"],
                        total=t.get("total")) for t in data["tables"]]
        charts = [Chart(**c) for c in data.get("charts", [])]
        return cls(**{**data, "tables": tables, "charts": charts})

    @property
    def as_of_moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.as_of)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def suppress_small_cells(report: Report) -> Report:
    """The shared version: counts of 1 or 2 become «<3», and so do shares and means over fewer than 3.
    Zero stays zero (it tells nothing about anyone)."""
    if report.suppressed:
        return report

    def small(value: Cell) -> bool:
        return isinstance(value, int) and 0 < value < SMALL_CELL

    def shared_row(columns: list[Column], row: dict[str, Cell]) -> dict[str, Cell]:
        out = dict(row)
        for column in columns:
            value = row.get(column.key)
            if column.kind == "count" and small(value):
                out[column.key] = SMALL_CELL_TEXT
            elif column.kind in ("share", "mean") and column.base:
                base = row.get(column.base)
                if isinstance(base, int) and base < SMALL_CELL and value is not None:
                    out[column.key] = SMALL_CELL_TEXT
        return out

    tables = [Table(key=t.key, title=t.title, columns=t.columns, rows=[shared_row(t.columns, r) for r in t.rows],
                    total=shared_row(t.columns, t.total) if t.total else None) for t in report.tables]
    return Report(**{**report.__dict__, "tables": tables, "charts": [], "suppressed": True})
