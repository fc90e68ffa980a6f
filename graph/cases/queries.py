"""Staff queries (officers: their precincts; coordinators: their institution; supervisors and admins:
everything) — scoping is done by `portal.cases.selectors`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph.cases.enums import CaseStatus, SignalStatus, StaffHitKind
from graph.cases.types import Case, CaseTransfer, Person, Signal
from graph.core.inputs import filter_text, id_number
from graph.core.pagination import Connection, check_page_args, paginate
from graph.core.permissions import StaffReader, gate
from graph.unit import run_unit
from portal.cases import selectors as cases
from portal.cases.models import Case as CaseModel
from portal.cases.staff_search import find_staff

CASE_RELATIONS = ("precinct__district", "precinct__officer", "institution", "applicant", "household")
SIGNAL_RELATIONS = ("precinct__district", "precinct__officer", "institution", "reporter_organisation")


@strawberry.type(description="A case or person found by `staffSearch`; open it with `case(id)` or `person(id)`.")
class StaffSearchHit:
    kind: StaffHitKind
    id: strawberry.ID
    title: str


@strawberry.input(description="Filters of the list of cases.")
class CaseFilter:
    status: list[CaseStatus] | None = None
    precinct_id: strawberry.ID | None = None
    text: str | None = strawberry.field(default=None, description="Part of the case number.")
    lapsed: bool | None = strawberry.field(
        default=None, description="True: only cases whose term ended without a decision to extend or close "
                                  "(срок истёк); false: only the others.")


@strawberry.type
class CaseQueries:
    @strawberry.field(description="Cases of the viewer's precincts or institution.",
                      extensions=gate(StaffReader()))
    async def cases(self, info: Info, filter: CaseFilter | None = None, first: int | None = None,
                    after: str | None = None) -> Connection[Case]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)
        text = filter_text(filter.text if filter else None, "text")

        def unit() -> Connection[Case]:
            wanted = filter or CaseFilter()
            precinct = id_number(wanted.precinct_id) if wanted.precinct_id else None
            if wanted.precinct_id and precinct is None:
                rows = cases.cases_for(viewer).none()
            else:
                rows = cases.filter_cases(cases.cases_for(viewer), status=[s.value for s in wanted.status or ()],
                                          precinct_id=precinct, code_text=text, lapsed_term=wanted.lapsed)
            rows = rows.select_related(*CASE_RELATIONS)
            return paginate(rows, size=size, offset=offset, build=lambda page: [Case.from_model(c) for c in page])

        return await run_unit(info, unit)

    @strawberry.field(description="One case of the viewer's scope.", extensions=gate(StaffReader()))
    async def case(self, info: Info, id: strawberry.ID) -> Case:
        viewer = info.context.viewer

        def unit() -> Case:
            found = cases.get_case(viewer=viewer, case_id=id)
            return Case.from_model(CaseModel.objects.select_related(*CASE_RELATIONS).get(pk=found.pk))

        return await run_unit(info, unit)

    @strawberry.field(description="Open cases whose interim review (промежуточная оценка) is due.",
                      extensions=gate(StaffReader()))
    async def reviews_due(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Case]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)

        def unit() -> Connection[Case]:
            rows = cases.reviews_due(viewer=viewer).select_related(*CASE_RELATIONS)
            return paginate(rows, size=size, offset=offset, build=lambda page: [Case.from_model(c) for c in page])

        return await run_unit(info, unit)

    @strawberry.field(description="Open cases whose term ends within the given days: close or extend.",
                      extensions=gate(StaffReader()))
    async def terms_ending(self, info: Info, within_days: int = 30, first: int | None = None,
                           after: str | None = None) -> Connection[Case]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)
        within = max(0, min(within_days, 366))

        def unit() -> Connection[Case]:
            rows = cases.terms_ending(viewer=viewer, within_days=within).select_related(*CASE_RELATIONS)
            return paginate(rows, size=size, offset=offset, build=lambda page: [Case.from_model(c) for c in page])

        return await run_unit(info, unit)

    @strawberry.field(description="Transfers of cases proposed to the viewer's institution that its coordinator "
                                  "is to accept or decline (передача дела), oldest first; admins see all.",
                      extensions=gate(StaffReader()))
    async def incoming_transfers(self, info: Info, first: int | None = None,
                                 after: str | None = None) -> Connection[CaseTransfer]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)

        def unit() -> Connection[CaseTransfer]:
            return paginate(cases.incoming_transfers(viewer=viewer), size=size, offset=offset,
                            build=lambda page: [CaseTransfer.from_model(t) for t in page])

        return await run_unit(info, unit)

    @strawberry.field(description="Persons of the viewer's scope; by part of the name when given.",
                      extensions=gate(StaffReader()))
    async def persons(self, info: Info, text: str | None = None, first: int | None = None,
                      after: str | None = None) -> Connection[Person]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)
        needle = filter_text(text, "text")

        def unit() -> Connection[Person]:
            rows = cases.persons_by_name(viewer=viewer, text=needle)
            return paginate(rows, size=size, offset=offset, build=lambda page: [Person.from_model(p) for p in page])

        return await run_unit(info, unit)

    @strawberry.field(description="Cases and persons of the viewer's scope matching the text (case number, "
                                  "names; prefix and typo tolerant), best first; at most 50.",
                      extensions=gate(StaffReader()))
    async def staff_search(self, info: Info, text: str, first: int = 20) -> list[StaffSearchHit]:
        viewer = info.context.viewer
        needle = filter_text(text, "text") or ""

        def unit() -> list[StaffSearchHit]:
            return [StaffSearchHit(kind=StaffHitKind(hit.type), id=strawberry.ID(str(hit.object_id)), title=hit.title)
                    for hit in find_staff(viewer=viewer, text=needle, first=first)]

        return await run_unit(info, unit)

    @strawberry.field(description="One person of the viewer's scope.", extensions=gate(StaffReader()))
    async def person(self, info: Info, id: strawberry.ID) -> Person:
        viewer = info.context.viewer

        def unit() -> Person:
            return Person.from_model(cases.get_person(viewer=viewer, person_id=id))

        return await run_unit(info, unit)

    @strawberry.field(description="Signals of the viewer's precincts or institution, newest first.",
                      extensions=gate(StaffReader()))
    async def signals(self, info: Info, status: list[SignalStatus] | None = None, first: int | None = None,
                      after: str | None = None) -> Connection[Signal]:
        viewer = info.context.viewer
        size, offset = check_page_args(first, after)

        def unit() -> Connection[Signal]:
            rows = cases.signals_for(viewer).select_related(*SIGNAL_RELATIONS)
            if status:
                rows = rows.filter(status__in=[s.value for s in status])
            rows = rows.order_by("-received_at", "-id")
            return paginate(rows, size=size, offset=offset, build=lambda page: [Signal.from_model(s) for s in page])

        return await run_unit(info, unit)

    @strawberry.field(description="One signal of the viewer's scope.", extensions=gate(StaffReader()))
    async def signal(self, info: Info, id: strawberry.ID) -> Signal:
        viewer = info.context.viewer

        def unit() -> Signal:
            return Signal.from_model(cases.get_signal(viewer=viewer, signal_id=id_number(id)))

        return await run_unit(info, unit)
