"""Staff types: cases, persons, households, signals, reviews, collegial decisions, consents.
Reachable only through staff queries (scoped by the domain selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from graph.cases.dataloaders import (
    MAX_MEASURES_PER_CASE,
    MAX_NESTED,
    ConsentsByPersonLoader,
    DecisionsByCaseLoader,
    MeasuresByCaseLoader,
    MembersByHouseholdLoader,
    ReviewsByCaseLoader,
    TransfersByCaseLoader,
)
from graph.cases.enums import CaseTransferStatus, TransferMeasureFate
from graph.core.labels import choice_label
from graph.measures.types import Measure
from graph.partners.types import Choice, OrganisationRef
from graph.territory.types import Precinct
from portal.cases import models


def _choices(values: list[str], choices: Sequence[tuple[str, object]]) -> list[Choice]:
    labels = dict(choices)
    return [Choice(value=value, label=str(labels.get(value, value))) for value in values]


@strawberry.type(description="Consent to processing of personal data or to publication (152-FZ art. 9).")
class Consent:
    id: strawberry.ID
    purpose: str
    purpose_label: str
    scope: str
    given_on: dt.date
    document: str
    withdrawn_on: dt.date | None

    @classmethod
    def from_model(cls, consent: models.Consent) -> Consent:
        return cls(id=strawberry.ID(str(consent.pk)), purpose=consent.purpose,
                   purpose_label=str(consent.get_purpose_display()), scope=consent.scope,
                   given_on=consent.given_on, document=consent.document, withdrawn_on=consent.withdrawn_on)


@strawberry.type(description="A person (получатель), for staff of the person's precinct or institution.")
class Person:
    id: strawberry.ID
    last_name: str
    first_name: str
    middle_name: str
    full_name: str
    birth_date: dt.date | None
    sex: str
    phone: str
    relation: str
    categories: list[Choice]
    household_id: strawberry.ID | None

    @classmethod
    def from_model(cls, person: models.Person) -> Person:
        return cls(
            id=strawberry.ID(str(person.pk)), last_name=person.last_name, first_name=person.first_name,
            middle_name=person.middle_name, full_name=person.full_name, birth_date=person.birth_date,
            sex=person.sex, phone=person.phone, relation=person.relation,
            categories=_choices(list(person.categories), models.Category.choices),
            household_id=strawberry.ID(str(person.household_id)) if person.household_id else None,
        )

    @strawberry.field(description=f"Consents, newest first (at most {MAX_NESTED}).")
    async def consents(self, info: Info) -> list[Consent]:
        rows = await info.context.loader(ConsentsByPersonLoader).load(int(self.id))
        return [Consent.from_model(row) for row in rows]


@strawberry.type(description="Household (домохозяйство / семья) at an address of a precinct.")
class Household:
    id: strawberry.ID
    address: str
    precinct_id: strawberry.ID
    categories: list[Choice]

    @classmethod
    def from_model(cls, household: models.Household) -> Household:
        return cls(id=strawberry.ID(str(household.pk)), address=household.address,
                   precinct_id=strawberry.ID(str(household.precinct_id)),
                   categories=_choices(list(household.categories), models.Category.choices))

    @strawberry.field(description=f"Members of the household within the viewer's scope (at most {MAX_NESTED}).")
    async def members(self, info: Info) -> list[Person]:
        rows = await info.context.loader(MembersByHouseholdLoader).load(int(self.id))
        return [Person.from_model(row) for row in rows]


@strawberry.type(description="Signal (сигнал) about a citizen or family possibly in a difficult situation.")
class Signal:
    id: strawberry.ID
    source: str
    source_label: str
    received_at: dt.datetime
    reporter: str
    reporter_organisation: OrganisationRef | None
    address: str
    precinct: Precinct | None
    summary: str
    status: str
    status_label: str
    inspected_on: dt.date | None
    inspection_findings: str
    need_circumstances: list[Choice]
    dismissal_reason: str
    institution: OrganisationRef | None

    @classmethod
    def from_model(cls, signal: models.Signal) -> Signal:
        return cls(
            id=strawberry.ID(str(signal.pk)), source=signal.source, source_label=str(signal.get_source_display()),
            received_at=signal.received_at, reporter=signal.reporter,
            reporter_organisation=OrganisationRef.from_model(signal.reporter_organisation)
            if signal.reporter_organisation is not None else None,
            address=signal.address, precinct=Precinct.from_model(signal.precinct) if signal.precinct else None,
            summary=signal.summary, status=signal.status, status_label=str(signal.get_status_display()),
            inspected_on=signal.inspected_on, inspection_findings=signal.inspection_findings,
            need_circumstances=_choices(list(signal.need_circumstances), models.NeedCircumstance.choices),
            dismissal_reason=signal.dismissal_reason,
            institution=OrganisationRef.from_model(signal.institution) if signal.institution is not None else None,
        )


@strawberry.type(description="Interim review (промежуточная оценка).")
class Review:
    id: strawberry.ID
    reviewed_on: dt.date
    findings: str
    programme_changed: bool
    reviewer: str

    @classmethod
    def from_model(cls, review: models.Review) -> Review:
        return cls(id=strawberry.ID(str(review.pk)), reviewed_on=review.reviewed_on, findings=review.findings,
                   programme_changed=review.programme_changed, reviewer=review.reviewer)


@strawberry.type(description="Collegial decision (коллегиальное решение) on a programme or its extension.")
class CollegialDecision:
    id: strawberry.ID
    subject: str
    subject_label: str
    decided_on: dt.date
    protocol_number: str
    participants: str
    summary: str
    citizen_wish_on: dt.date | None = strawberry.field(
        description="When the citizen asked for the extension (§6.1.2); null for other decisions.")
    citizen_wish: str = strawberry.field(description="The citizen's wish taken into account by an extension.")

    @classmethod
    def from_model(cls, decision: models.CollegialDecision) -> CollegialDecision:
        return cls(id=strawberry.ID(str(decision.pk)), subject=decision.subject,
                   subject_label=str(decision.get_subject_display()), decided_on=decision.decided_on,
                   protocol_number=decision.protocol_number, participants=decision.participants,
                   summary=decision.summary, citizen_wish_on=decision.citizen_wish_on,
                   citizen_wish=decision.citizen_wish)


@strawberry.type(description="Monitoring social inspection (мониторинговое инспектирование, §6.4) near the end of "
                             "the term.")
class MonitoringInspection:
    id: strawberry.ID
    inspected_on: dt.date
    findings: str
    inspector: str

    @classmethod
    def from_model(cls, inspection: models.MonitoringInspection) -> MonitoringInspection:
        return cls(id=strawberry.ID(str(inspection.pk)), inspected_on=inspection.inspected_on,
                   findings=inspection.findings, inspector=inspection.inspector)


@strawberry.type(description="What a transfer states for one open partner measure of the case.")
class TransferredMeasure:
    measure_id: strawberry.ID
    fate: TransferMeasureFate
    fate_label: str


@strawberry.type(description="Transfer of a case (передача дела) to another institution when the family moves: "
                             "proposed by the sending case manager, accepted or declined by the receiving "
                             "institution's coordinator. Until accepted the case stays with the sender.")
class CaseTransfer:
    id: strawberry.ID
    case_id: strawberry.ID
    case_code: str
    status: CaseTransferStatus
    status_label: str
    from_institution: OrganisationRef
    from_precinct: Precinct
    to_institution: OrganisationRef
    to_precinct: Precinct
    reason: str
    measures: list[TransferredMeasure] = strawberry.field(
        description="Each measure open when proposed: follows the case or is cancelled on acceptance.")
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decline_reason: str

    @classmethod
    def from_model(cls, transfer: models.CaseTransfer) -> CaseTransfer:
        fates = models.CaseTransfer.MeasureFate
        plan = sorted(transfer.measure_plan.items(), key=lambda item: (len(item[0]), item[0]))
        return cls(
            id=strawberry.ID(str(transfer.pk)), case_id=strawberry.ID(str(transfer.case_id)),
            case_code=transfer.case.code, status=CaseTransferStatus(transfer.status),
            status_label=choice_label(models.CaseTransfer.Status, transfer.status),
            from_institution=OrganisationRef.from_model(transfer.from_institution),
            from_precinct=Precinct.from_model(transfer.from_precinct),
            to_institution=OrganisationRef.from_model(transfer.to_institution),
            to_precinct=Precinct.from_model(transfer.to_precinct), reason=transfer.reason,
            measures=[TransferredMeasure(measure_id=strawberry.ID(key), fate=TransferMeasureFate(fate),
                                         fate_label=choice_label(fates, fate)) for key, fate in plan],
            proposed_by=transfer.proposed_by, proposed_at=transfer.proposed_at, decided_by=transfer.decided_by,
            decided_at=transfer.decided_at, decline_reason=transfer.decline_reason)


@strawberry.type(description="Case of social support (случай социального сопровождения).")
class Case:
    id: strawberry.ID
    code: str
    version: int
    status: str
    status_label: str
    level: str
    level_label: str
    categories: list[Choice]
    need_circumstances: list[Choice]
    reasons: str
    registered_on: dt.date
    started_on: dt.date | None
    ends_on: dt.date | None
    review_due_on: dt.date | None
    closed_on: dt.date | None
    outcome: str
    results: str
    recommendations: str
    lapsed: bool = strawberry.field(description="The term ended without a decision to extend or close (срок истёк).")
    precinct: Precinct
    institution: OrganisationRef
    applicant: Person
    household: Household

    @classmethod
    def from_model(cls, case: models.Case) -> Case:
        return cls(
            id=strawberry.ID(str(case.pk)), code=case.code, version=case.version, status=case.status,
            status_label=str(case.get_status_display()), level=case.level, level_label=str(case.get_level_display()),
            categories=_choices(list(case.categories), models.Category.choices),
            need_circumstances=_choices(list(case.need_circumstances), models.NeedCircumstance.choices),
            reasons=case.reasons, registered_on=case.registered_on, started_on=case.started_on,
            ends_on=case.ends_on, review_due_on=case.review_due_on, closed_on=case.closed_on, outcome=case.outcome,
            results=case.results, recommendations=case.recommendations, lapsed=case.lapsed_now,
            precinct=Precinct.from_model(case.precinct),
            institution=OrganisationRef.from_model(case.institution), applicant=Person.from_model(case.applicant),
            household=Household.from_model(case.household),
        )

    @strawberry.field(description="Measures of the programme (ИПССС), deadline first "
                                  f"(at most {MAX_MEASURES_PER_CASE}).")
    async def measures(self, info: Info) -> list[Measure]:
        rows = await info.context.loader(MeasuresByCaseLoader).load(int(self.id))
        return [Measure.from_model(row) for row in rows]

    @strawberry.field(description=f"Interim reviews, oldest first (at most {MAX_NESTED}).")
    async def reviews(self, info: Info) -> list[Review]:
        rows = await info.context.loader(ReviewsByCaseLoader).load(int(self.id))
        return [Review.from_model(row) for row in rows]

    @strawberry.field(description=f"Collegial decisions, oldest first (at most {MAX_NESTED}).")
    async def decisions(self, info: Info) -> list[CollegialDecision]:
        rows = await info.context.loader(DecisionsByCaseLoader).load(int(self.id))
        return [CollegialDecision.from_model(row) for row in rows]

    @strawberry.field(description="Transfers of the case to another institution (proposed, accepted, declined), "
                                  f"newest first (at most {MAX_NESTED}).")
    async def transfers(self, info: Info) -> list[CaseTransfer]:
        rows = await info.context.loader(TransfersByCaseLoader).load(int(self.id))
        return [CaseTransfer.from_model(row) for row in rows]
