"""Mutations of the responsible organisation: accept, fulfil, report not fulfilled, return, comment.
Thin: each is one call of `portal.cases.services` in one unit of work, after the per-viewer rate check."""

from __future__ import annotations

import datetime as dt

import strawberry
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info

from graph.core.inputs import required_id
from graph.core.permissions import MeasureReader, check_mutation_rate, write_gate
from graph.measures.enums import MeasureReasonCode
from graph.measures.types import Measure, MeasureComment
from graph.unit import run_unit
from portal.cases import services
from portal.cases.models import Measure as MeasureModel

MEASURE_NOT_FOUND = _("Measure not found.")


def _reload(measure: MeasureModel) -> Measure:
    """The answer from the measure the service returned; read again only when its case and organisation were not
    read with it (the organisation's reports lock and read them in one statement: no second query)."""
    if not (MeasureModel.case.is_cached(measure) and MeasureModel.organisation.is_cached(measure)):
        measure = MeasureModel.objects.select_related("case", "organisation").get(pk=measure.pk)
    return Measure.from_model(measure)


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

    @strawberry.mutation(description="Report the measure not fulfilled (не исполнено) with a coded reason; the "
                                     "comment is required for OTHER.",
                         extensions=write_gate(MeasureReader()))
    async def report_measure_not_fulfilled(self, info: Info, id: strawberry.ID, version: int,
                                           reason_code: MeasureReasonCode, reason: str = "") -> Measure:
        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.report_measure_not_fulfilled(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), version=version,
                reason_code=reason_code.value, reason=reason))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Return (вернуть) an assigned or accepted measure the organisation cannot "
                                     "take, with a coded reason (a comment required for OTHER): the coordinator "
                                     "reassigns or cancels it.",
                         extensions=write_gate(MeasureReader()))
    async def return_measure(self, info: Info, id: strawberry.ID, version: int, reason_code: MeasureReasonCode,
                             reason: str = "") -> Measure:
        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.return_measure(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), version=version,
                reason_code=reason_code.value, reason=reason))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Comment on a measure.", extensions=write_gate(MeasureReader()))
    async def comment_measure(self, info: Info, id: strawberry.ID, text: str) -> MeasureComment:
        def unit() -> MeasureComment:
            check_mutation_rate(info.context)
            return MeasureComment.from_model(services.comment_measure(
                viewer=info.context.viewer, measure_id=required_id(id, MEASURE_NOT_FOUND), text=text))

        return await run_unit(info, unit)
