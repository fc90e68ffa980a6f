"""Queries of measures: `myMeasures` (the partner's list; staff see the measures of their cases),
`measure(id)`, and `overdueMeasures` for staff."""

from __future__ import annotations

import datetime as dt

import strawberry
from django.db.models import QuerySet
from strawberry.types import Info

from graph.core.inputs import filter_text
from graph.core.pagination import Connection, check_page_args, paginate, paginate_values
from graph.core.permissions import MeasureReader, StaffReader, gate
from graph.core.selection import connection_node_fields
from graph.measures.enums import HelpKindEnum, MeasureStatus
from graph.measures.types import Measure, measure_values
from graph.unit import run_unit
from portal.cases import selectors as cases
from portal.cases.models import Measure as MeasureModel
from portal.core.viewer import Viewer


@strawberry.input(description="Filters of a list of measures.")
class MeasureFilter:
    status: list[MeasureStatus] | None = None
    overdue: bool | None = None
    due_before: dt.date | None = None
    kind: HelpKindEnum | None = None
    text: str | None = None


def _filtered(viewer: Viewer, wanted: MeasureFilter, text: str | None, today: dt.date) -> QuerySet[MeasureModel]:
    return cases.filter_measures(
        cases.measures_for(viewer),
        status=[s.value for s in wanted.status] if wanted.status else None,
        overdue=wanted.overdue, due_before=wanted.due_before, kind=wanted.kind.value if wanted.kind else None,
        text=text, today=today,
    )


@strawberry.type
class MeasureQueries:
    @strawberry.field(description="Measures assigned to the viewer's organisation (partners), or of the viewer's "
                                  "cases (staff), filtered; deadline first.", extensions=gate(MeasureReader()))
    async def my_measures(
        self, info: Info, filter: MeasureFilter | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[Measure]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)
        wanted = filter or MeasureFilter()
        text = filter_text(wanted.text, "text")
        columns = measure_values(connection_node_fields(info))

        def unit() -> Connection[Measure]:
            today = cases.today()
            key = ("myMeasures", viewer, tuple(wanted.status or ()), wanted.overdue, wanted.due_before, wanted.kind,
                   text, today, columns)
            return paginate_values(key, lambda: _filtered(viewer, wanted, text, today), columns=columns, size=size,
                                   offset=offset, build=lambda page: Measure.from_rows(page, today=today))

        return await run_unit(info, unit)

    @strawberry.field(description="One measure the viewer may see (another organisation's is 'not found').",
                      extensions=gate(MeasureReader()))
    async def measure(self, info: Info, id: strawberry.ID) -> Measure:
        viewer = info.context.viewer

        def unit() -> Measure:
            return Measure.from_model(cases.get_measure(viewer=viewer, measure_id=id))

        return await run_unit(info, unit)

    @strawberry.field(description="Overdue measures of the viewer's cases, across organisations (staff).",
                      extensions=gate(StaffReader()))
    async def overdue_measures(self, info: Info, first: int | None = None,
                               after: str | None = None) -> Connection[Measure]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)

        def unit() -> Connection[Measure]:
            today = cases.today()
            rows = cases.overdue_measures(viewer=viewer, today=today)
            return paginate(rows, size=size, offset=offset,
                            build=lambda page: [Measure.from_model(m, today=today) for m in page])

        return await run_unit(info, unit)
