"""Mutations of the responsible organisation: accept, fulfil, report not fulfilled, comment.
Thin: each is one call of `portal.cases.services` in one unit of work."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from graph.core.inputs import id_number
from graph.measures.types import Measure, MeasureComment
from graph.permissions import check_mutation_rate, gate_write, require_measure_reader
from graph.unit import run_unit
from portal.cases import services
from portal.cases.models import Measure as MeasureModel
from portal.cases.models import MeasureComment as MeasureCommentModel


def _int_id(value: strawberry.ID) -> int:
    from django.utils.translation import gettext_lazy as _

    from portal.core.errors import NotFound

    number = id_number(value)
    if number is None:
        raise NotFound(_("Measure not found."))
    return number


def _reload(measure: MeasureModel) -> Measure:
    fresh = MeasureModel.objects.select_related("case", "organisation").get(pk=measure.pk)
    return Measure.from_model(fresh)


@strawberry.type
class MeasureMutations:
    @strawberry.mutation(description="Accept a newly assigned measure (принять к исполнению).")
    async def accept_measure(self, info: Info, id: strawberry.ID, version: int) -> Measure:
        viewer = await gate_write(info, require_measure_reader)

        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.accept_measure(viewer=viewer, measure_id=_int_id(id), version=version))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Report the measure fulfilled (исполнено) with its result.")
    async def fulfil_measure(self, info: Info, id: strawberry.ID, version: int, result: str,
                             done_on: dt.date | None = None) -> Measure:
        viewer = await gate_write(info, require_measure_reader)

        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.fulfil_measure(viewer=viewer, measure_id=_int_id(id), version=version,
                                                   result=result, done_on=done_on))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Report the measure not fulfilled, with the reason.")
    async def report_measure_not_fulfilled(self, info: Info, id: strawberry.ID, version: int,
                                           reason: str) -> Measure:
        viewer = await gate_write(info, require_measure_reader)

        def unit() -> Measure:
            check_mutation_rate(info.context)
            return _reload(services.report_measure_not_fulfilled(viewer=viewer, measure_id=_int_id(id),
                                                                 version=version, reason=reason))

        return await run_unit(info, unit)

    @strawberry.mutation(description="Comment on a measure.")
    async def comment_measure(self, info: Info, id: strawberry.ID, text: str) -> MeasureComment:
        viewer = await gate_write(info, require_measure_reader)

        def unit() -> MeasureComment:
            check_mutation_rate(info.context)
            comment: MeasureCommentModel = services.comment_measure(viewer=viewer, measure_id=_int_id(id), text=text)
            return MeasureComment.from_model(comment)

        return await run_unit(info, unit)
