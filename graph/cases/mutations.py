"""Staff mutations: signals, households and persons, consents, cases and programmes, measures of the
programme. Each is one call of `portal.cases.services` (which checks scope, state and version) in one
unit of work, after a per-viewer rate check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info

from graph.cases.enums import TransferMeasureFate
from graph.cases.queries import CASE_RELATIONS, SIGNAL_RELATIONS
from graph.cases.types import (
    Case,
    CaseTransfer,
    Consent,
    Household,
    MonitoringInspection,
    Person,
    Review,
    Signal,
)
from graph.core.inputs import optional_id, required_id
from graph.core.permissions import CaseWorker, SignalReporter, TransferReceiver, check_mutation_rate, write_gate
from graph.measures.enums import HelpKindEnum
from graph.measures.types import Measure
from graph.unit import run_unit
from portal.cases import models, selectors, services
from portal.core.viewer import Viewer

T = TypeVar("T")


def _pk(value: strawberry.ID | None, what: str) -> int | None:
    return optional_id(value, _("Not found: %(what)s.") % {"what": what})


def _req(value: strawberry.ID, what: str) -> int:
    return required_id(value, _("Not found: %(what)s.") % {"what": what})


def _case(case: models.Case) -> Case:
    return Case.from_model(models.Case.objects.select_related(*CASE_RELATIONS).get(pk=case.pk))


def _signal(signal: models.Signal) -> Signal:
    return Signal.from_model(models.Signal.objects.select_related(*SIGNAL_RELATIONS).get(pk=signal.pk))


def _measure(measure: models.Measure) -> Measure:
    return Measure.from_model(models.Measure.objects.select_related("case", "organisation").get(pk=measure.pk))


def _transfer(transfer: models.CaseTransfer) -> CaseTransfer:
    return CaseTransfer.from_model(models.CaseTransfer.objects.select_related(*selectors.TRANSFER_RELATIONS)
                                   .get(pk=transfer.pk))


async def _mutate(info: Info, work: Callable[[Viewer], T]) -> T:
    """One unit of work of a mutation (its gate declared on the field has let the caller through)."""

    def unit() -> T:
        check_mutation_rate(info.context)
        return work(info.context.viewer)

    return await run_unit(info, unit)


@strawberry.input
class ReceiveSignalInput:
    source: str
    summary: str
    received_at: dt.datetime | None = None
    address: str = ""
    reporter: str = ""
    reporter_organisation_id: strawberry.ID | None = None
    institution_id: strawberry.ID | None = None


@strawberry.input
class RegisterCaseInput:
    applicant_id: strawberry.ID
    household_id: strawberry.ID
    precinct_id: strawberry.ID
    institution_id: strawberry.ID
    registered_on: dt.date
    signal_id: strawberry.ID | None = None
    categories: list[str] = strawberry.field(default_factory=list)
    need_circumstances: list[str] = strawberry.field(default_factory=list)
    reasons: str = ""
    level: str = "basic"


@strawberry.input
class AssignMeasureInput:
    case_id: strawberry.ID
    task: str
    kind: HelpKindEnum
    deadline: dt.date
    organisation_id: strawberry.ID
    content: str = ""
    place: str = ""
    responsible_person: str = ""
    recipient_id: strawberry.ID | None = None
    shared_fields: list[str] | None = None


@strawberry.input
class CreatePersonInput:
    household_id: strawberry.ID | None = None
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    phone: str = ""
    relation: str = ""
    categories: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the given fields are changed.")
class UpdatePersonInput:
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    phone: str | None = None
    relation: str | None = None
    categories: list[str] | None = None


@strawberry.input
class CollegialDecisionInput:
    decided_on: dt.date
    protocol_number: str
    participants: str


@strawberry.input
class CloseCaseInput:
    closed_on: dt.date
    outcome: str
    results: str
    recommendations: str


@strawberry.input(description="What the transfer does with one open (or returned) measure of the case.")
class TransferMeasureInput:
    measure_id: strawberry.ID
    fate: TransferMeasureFate


@strawberry.type
class CaseMutations:
    # --- Signals -----------------------------------------------------------------
    @strawberry.mutation(description="Register an incoming signal (сигнал); partners may report one too.",
                         extensions=write_gate(SignalReporter()))
    async def receive_signal(self, info: Info, input: ReceiveSignalInput) -> Signal:
        def work(viewer: Viewer) -> Signal:
            return _signal(services.receive_signal(
                viewer=viewer, source=input.source, summary=input.summary, received_at=input.received_at,
                address=input.address, reporter=input.reporter,
                reporter_organisation_id=_pk(input.reporter_organisation_id, "organisation"),
                institution_id=_pk(input.institution_id, "institution")))

        return await _mutate(info, work)

    @strawberry.mutation(description="Take a received signal for checking.", extensions=write_gate(CaseWorker()))
    async def start_signal_check(self, info: Info, id: strawberry.ID) -> Signal:
        return await _mutate(info, lambda viewer: _signal(
            services.start_signal_check(viewer=viewer, signal_id=_req(id, "signal"))))

    @strawberry.mutation(description="Record the inspection act (акт обследования).",
                         extensions=write_gate(CaseWorker()))
    async def record_inspection(self, info: Info, id: strawberry.ID, inspected_on: dt.date, findings: str,
                                need_circumstances: list[str]) -> Signal:
        return await _mutate(info, lambda viewer: _signal(services.record_inspection(
            viewer=viewer, signal_id=_req(id, "signal"), inspected_on=inspected_on, findings=findings,
            need_circumstances=need_circumstances)))

    @strawberry.mutation(description="Confirm a checked signal.", extensions=write_gate(CaseWorker()))
    async def confirm_signal(self, info: Info, id: strawberry.ID) -> Signal:
        return await _mutate(info, lambda viewer: _signal(
            services.confirm_signal(viewer=viewer, signal_id=_req(id, "signal"))))

    @strawberry.mutation(description="Close the check: the signal is not confirmed.",
                         extensions=write_gate(CaseWorker()))
    async def dismiss_signal(self, info: Info, id: strawberry.ID, reason: str) -> Signal:
        return await _mutate(info, lambda viewer: _signal(
            services.dismiss_signal(viewer=viewer, signal_id=_req(id, "signal"), reason=reason)))

    # --- Households, persons, consents ------------------------------------------------
    @strawberry.mutation(extensions=write_gate(CaseWorker()))
    async def create_household(self, info: Info, precinct_id: strawberry.ID, address: str,
                               categories: list[str] | None = None) -> Household:
        return await _mutate(info, lambda viewer: Household.from_model(
            services.create_household(viewer=viewer, precinct_id=_req(precinct_id, "precinct"), address=address,
                                      categories=categories or ())))

    @strawberry.mutation(extensions=write_gate(CaseWorker()))
    async def create_person(self, info: Info, input: CreatePersonInput) -> Person:
        return await _mutate(info, lambda viewer: Person.from_model(services.create_person(
            viewer=viewer, household_id=_pk(input.household_id, "household"), last_name=input.last_name,
            first_name=input.first_name, middle_name=input.middle_name, birth_date=input.birth_date, sex=input.sex,
            phone=input.phone, relation=input.relation, categories=input.categories)))

    @strawberry.mutation(extensions=write_gate(CaseWorker()))
    async def update_person(self, info: Info, id: strawberry.ID, input: UpdatePersonInput) -> Person:
        changes: dict[str, Any] = {name: value for name, value in vars(input).items()
                                   if value is not None and not name.startswith("_")}
        return await _mutate(info, lambda viewer: Person.from_model(
            services.update_person(viewer=viewer, person_id=_req(id, "person"), **changes)))

    @strawberry.mutation(description="Record consent (processing, or publication of an anonymised need).",
                         extensions=write_gate(CaseWorker()))
    async def record_consent(self, info: Info, person_id: strawberry.ID, purpose: str, given_on: dt.date,
                             scope: str = "", document: str = "") -> Consent:
        return await _mutate(info, lambda viewer: Consent.from_model(services.record_consent(
            viewer=viewer, person_id=_req(person_id, "person"), purpose=purpose, given_on=given_on, scope=scope,
            document=document)))

    @strawberry.mutation(extensions=write_gate(CaseWorker()))
    async def withdraw_consent(self, info: Info, id: strawberry.ID, withdrawn_on: dt.date) -> Consent:
        return await _mutate(info, lambda viewer: Consent.from_model(
            services.withdraw_consent(viewer=viewer, consent_id=_req(id, "consent"), withdrawn_on=withdrawn_on)))

    # --- Cases and programmes ------------------------------------------------------------
    @strawberry.mutation(description="Register a case (постановка на сопровождение); needs recorded consent.",
                         extensions=write_gate(CaseWorker()))
    async def register_case(self, info: Info, input: RegisterCaseInput) -> Case:
        return await _mutate(info, lambda viewer: _case(services.register_case(
            viewer=viewer, applicant_id=_req(input.applicant_id, "person"),
            household_id=_req(input.household_id, "household"), precinct_id=_req(input.precinct_id, "precinct"),
            institution_id=_req(input.institution_id, "institution"), registered_on=input.registered_on,
            signal_id=_pk(input.signal_id, "signal"), categories=input.categories,
            need_circumstances=input.need_circumstances, reasons=input.reasons, level=input.level)))

    @strawberry.mutation(description="Add a measure to the programme and assign it to an organisation.",
                         extensions=write_gate(CaseWorker()))
    async def assign_measure(self, info: Info, input: AssignMeasureInput) -> Measure:
        return await _mutate(info, lambda viewer: _measure(services.assign_measure(
            viewer=viewer, case_id=_req(input.case_id, "case"), task=input.task, kind=input.kind.value,
            deadline=input.deadline, organisation_id=_req(input.organisation_id, "organisation"),
            content=input.content, place=input.place, responsible_person=input.responsible_person,
            recipient_id=_pk(input.recipient_id, "person"), shared_fields=input.shared_fields)))

    @strawberry.mutation(description="Collegial approval of the programme (ИПССС): support starts.",
                         extensions=write_gate(CaseWorker()))
    async def approve_programme(self, info: Info, case_id: strawberry.ID, decision: CollegialDecisionInput,
                                started_on: dt.date | None = None, term_months: int = 6) -> Case:
        return await _mutate(info, lambda viewer: _case(services.approve_programme(
            viewer=viewer, case_id=_req(case_id, "case"), decided_on=decision.decided_on,
            protocol_number=decision.protocol_number, participants=decision.participants, started_on=started_on,
            term_months=term_months)))

    @strawberry.mutation(description="Reassign an open measure to another organisation.",
                         extensions=write_gate(CaseWorker()))
    async def reassign_measure(self, info: Info, id: strawberry.ID, version: int, organisation_id: strawberry.ID,
                               reason: str) -> Measure:
        return await _mutate(info, lambda viewer: _measure(services.reassign_measure(
            viewer=viewer, measure_id=_req(id, "measure"), version=version,
            organisation_id=_req(organisation_id, "organisation"), reason=reason)))

    @strawberry.mutation(description="Cancel an open measure, with the reason.", extensions=write_gate(CaseWorker()))
    async def cancel_measure(self, info: Info, id: strawberry.ID, version: int, reason: str) -> Measure:
        return await _mutate(info, lambda viewer: _measure(services.cancel_measure(
            viewer=viewer, measure_id=_req(id, "measure"), version=version, reason=reason)))

    @strawberry.mutation(description="Choose the recipient data the responsible organisation sees.",
                         extensions=write_gate(CaseWorker()))
    async def set_shared_fields(self, info: Info, id: strawberry.ID, version: int, fields: list[str]) -> Measure:
        return await _mutate(info, lambda viewer: _measure(services.set_shared_fields(
            viewer=viewer, measure_id=_req(id, "measure"), version=version, fields=fields)))

    @strawberry.mutation(description="Record the interim review (промежуточная оценка).",
                         extensions=write_gate(CaseWorker()))
    async def record_review(self, info: Info, case_id: strawberry.ID, reviewed_on: dt.date, findings: str,
                            programme_changed: bool = False, decision: CollegialDecisionInput | None = None,
                            change_summary: str = "") -> Review:
        """A review that changes the programme needs `decision` (the collegial decision on the change) and
        `changeSummary` (what was changed)."""
        return await _mutate(info, lambda viewer: Review.from_model(services.record_review(
            viewer=viewer, case_id=_req(case_id, "case"), reviewed_on=reviewed_on, findings=findings,
            programme_changed=programme_changed, decided_on=decision.decided_on if decision else None,
            protocol_number=decision.protocol_number if decision else "",
            participants=decision.participants if decision else "", summary=change_summary)))

    @strawberry.mutation(description="Record the monitoring inspection (§6.4) that extending or closing rests on.",
                         extensions=write_gate(CaseWorker()))
    async def record_monitoring_inspection(self, info: Info, case_id: strawberry.ID, inspected_on: dt.date,
                                           findings: str) -> MonitoringInspection:
        return await _mutate(info, lambda viewer: MonitoringInspection.from_model(
            services.record_monitoring_inspection(viewer=viewer, case_id=_req(case_id, "case"),
                                                  inspected_on=inspected_on, findings=findings)))

    @strawberry.mutation(description="Extend the term (up to 12 months in total) by a collegial decision.",
                         extensions=write_gate(CaseWorker()))
    async def extend_case(self, info: Info, id: strawberry.ID, version: int, ends_on: dt.date,
                          decision: CollegialDecisionInput, summary: str = "", wish_on: dt.date | None = None,
                          wish: str = "") -> Case:
        """`wishOn` and `wish`: when and what the citizen asked (§6.1.2), both required by the rule."""
        return await _mutate(info, lambda viewer: _case(services.extend_case(
            viewer=viewer, case_id=_req(id, "case"), version=version, ends_on=ends_on,
            decided_on=decision.decided_on, protocol_number=decision.protocol_number,
            participants=decision.participants, summary=summary, wish_on=wish_on, wish=wish)))

    @strawberry.mutation(description="Close the case (снятие с сопровождения) with results and recommendations.",
                         extensions=write_gate(CaseWorker()))
    async def close_case(self, info: Info, id: strawberry.ID, version: int, input: CloseCaseInput) -> Case:
        return await _mutate(info, lambda viewer: _case(services.close_case(
            viewer=viewer, case_id=_req(id, "case"), version=version, closed_on=input.closed_on,
            outcome=input.outcome, results=input.results, recommendations=input.recommendations)))

    # --- Transfer of a case to another institution (передача дела) --------------------------
    @strawberry.mutation(description="Propose the transfer of the case to another institution when the family moves "
                                     "to its territory; the case stays with the sender until the receiving "
                                     "coordinator accepts it.", extensions=write_gate(CaseWorker()))
    async def propose_transfer(self, info: Info, case_id: strawberry.ID, to_institution_id: strawberry.ID,
                               to_precinct_id: strawberry.ID, reason: str,
                               measures: list[TransferMeasureInput] | None = None) -> CaseTransfer:
        """`measures`: the fate of every open (or returned) measure of the case, each exactly once."""
        plan: dict[int | str, str] = {str(item.measure_id).strip(): item.fate.value for item in measures or ()}
        return await _mutate(info, lambda viewer: _transfer(services.propose_transfer(
            viewer=viewer, case_id=_req(case_id, "case"), to_institution_id=_req(to_institution_id, "institution"),
            to_precinct_id=_req(to_precinct_id, "precinct"), reason=reason, measure_plan=plan)))

    @strawberry.mutation(description="Accept a transfer proposed to the viewer's institution: the case, its precinct "
                                     "and the measures that follow it become the institution's.",
                         extensions=write_gate(TransferReceiver()))
    async def accept_transfer(self, info: Info, id: strawberry.ID) -> CaseTransfer:
        return await _mutate(info, lambda viewer: _transfer(
            services.accept_transfer(viewer=viewer, transfer_id=_req(id, "transfer"))))

    @strawberry.mutation(description="Decline a transfer proposed to the viewer's institution, with the reason; the "
                                     "case stays with the sender.", extensions=write_gate(TransferReceiver()))
    async def decline_transfer(self, info: Info, id: strawberry.ID, reason: str) -> CaseTransfer:
        return await _mutate(info, lambda viewer: _transfer(
            services.decline_transfer(viewer=viewer, transfer_id=_req(id, "transfer"), reason=reason)))
