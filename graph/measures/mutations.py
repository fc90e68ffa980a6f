"""Mutations of the responsible organisation: accept, fulfil, report not fulfilled, comment.
Thin: each is one call of `portal.cases.services` in one unit of work, after the per-viewer rate check."""

from __future__ import annotations

import datetime as dt

import strawberry
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info

from graph.core.inputs import required_id
from graph.core.permissions import MeasureReader, check_mutation_rate, write_gate
from graph.measures.types import Measure, MeasureComment
from graph.unit import run_unit
from portal.cases import services
from portal.cases.models import Measure as MeasureModel

MEASURE_NOT_FOUND = _("Measure not found.")


def _reload(measure: MeasureModel) -> Measure:
    fresh = MeasureModel.objects.select_related("case", "organisation").get(pk=measure.pk)
    return Measure.from_model(fresh)


@strawberry.type
class MeasureMutations:
    @strawberry.mutation(description="Accept a newly assigned measure (принять к исполнению).",
                         extensions=write_gate(MeasureReader()))
    async def accept_measure(self, info: Info, id: strawberry.ID, version: int) -> Measure:
        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.accept_measure(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), version=version))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Report the measure fulfilled (исполнено) with its result.",
                         extensions=write_gate(MeasureReader()))
    async def fulfil_measure(self, info: Info, id: strawberry.ID, version: int, result: str,
                             done_on: dt.date | None = None) -> Measure:
        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.fulfil_measure(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), version=version,
                result=result, done_on=done_on))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Report the measure not fulfilled, with the reason.",
                         extensions=write_gate(MeasureReader()))
    async def report_measure_not_fulfilled(self, info: Info, id: strawberry.ID, version: int,
                                           reason: str) -> Measure:
        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.report_measure_not_fulfilled(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), version=version,
                reason=reason))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Comment on a measure.", extensions=write_gate(MeasureReader()))
    async def comment_measure(self, info: Info, id: strawberry.ID, text: str) -> MeasureComment:
        def unit() -> MeasureComment:
            check_mutation_rate(info.context)
            return MeasureComment.from_model(services.comment_measure(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), text=text))

        return await run_unit(info, unit)
