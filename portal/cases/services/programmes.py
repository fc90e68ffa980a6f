"""Cases and their programmes (ИПССС): registration (постановка на учёт, needs consent) → measures added →
collegial approval → interim reviews every 3 months → extension (12 months in total at most, by collegial
decision) → closing with results."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import in_institution_territory
from portal.cases.models import (
    DEFAULT_SHARED_FIELDS,
    SHAREABLE_RECIPIENT_FIELDS,
    Case,
    Category,
    CollegialDecision,
    Consent,
    Measure,
    MonitoringInspection,
    NeedCircumstance,
    Person,
    Programme,
    ProgrammeVersion,
    Review,
    Signal,
)
from portal.cases.selectors import households_for, persons_for, signals_for
from portal.cases.services.common import ACTIVE_CASE_STATUSES, case_for_update, change, today
from portal.cases.services.measures import require_working_organisation
from portal.cases.services.versions import record_programme_version
from portal.cases.terms import MAX_TERM_MONTHS, REVIEW_AFTER_MONTHS, add_months, latest_end, monitoring_window
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.text import check_choices, column_text
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import Precinct
from search.outbox import enqueue, enqueue_many

audited_write = audit.audited_write

#: Support starts on the approving decision or soon after it.
MAX_START_DELAY_DAYS = 90


def _may_register_for(viewer: Viewer, *, precinct_id: int, institution_id: int) -> bool:
    """A coordinator registers for its own institution, an officer in its own precincts (for its institution)."""
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_id == institution_id:
        return True
    return viewer.has_role(Role.OFFICER) and precinct_id in viewer.precinct_ids and (
        viewer.institution_id in (None, institution_id))


@audited_write("case.register", object_type="cases.person", id_arg="applicant_id")
def register_case(
    *, viewer: Viewer, applicant_id: int, household_id: int, precinct_id: int, institution_id: int,
    registered_on: dt.date, signal_id: int | None = None, categories: Iterable[str] = (),
    need_circumstances: Iterable[str] = (), reasons: str = "", level: str = Case.Level.BASIC,
) -> Case:
    """Registration (постановка на учёт) by personal application; needs consent to processing.

    The case belongs to an institution serving the precinct: a coordinator registers for its own institution in
    its territory, an officer in its own precincts for its own institution. A family of another institution's
    territory is never registered here (taking it over is a transfer between institutions)."""
    if not viewer.is_admin:
        if not _may_register_for(viewer, precinct_id=precinct_id, institution_id=institution_id):
            raise PermissionDenied(_("You may not register cases for this precinct or institution."))
        if not in_institution_territory(institution_id, precinct_id):
            raise PermissionDenied(_("The precinct is outside the territory of the institution: the case is "
                                     "registered by the institution that serves it."))
    # The applicant must be a person of the viewer's scope, living in a household of its scope, in the case's
    # precinct.
    applicant = persons_for(viewer).filter(pk=applicant_id).first()
    household = households_for(viewer).filter(pk=household_id).first()
    if applicant is None or household is None:
        raise NotFound(_("Applicant or household not found."))
    if applicant.household_id != household.pk:
        raise ValidationFailed(_("The applicant is not a member of this household."), field="applicant")
    if household.precinct_id != precinct_id:
        raise ValidationFailed(_("The household lives in another precinct: register the case for its precinct."),
                               field="precinct")
    institution = Organisation.objects.filter(pk=institution_id, active=True).first()
    if institution is None or not institution.is_institution:
        raise ValidationFailed(_("Choose an active social service institution."), field="institution")
    if not Precinct.objects.filter(pk=precinct_id).exists():
        raise NotFound(_("Precinct not found."))
    if registered_on > today():
        raise ValidationFailed(_("The registration date cannot be in the future."), field="registered_on")
    if level not in Case.Level.values:
        raise ValidationFailed(_("Unknown level of support."), field="level")
    consents = Consent.objects.filter(person=applicant, purpose=Consent.Purpose.PROCESSING)
    if not any(consent.is_valid_on(registered_on) for consent in consents):
        raise InvalidTransition(
            _("A case is registered only with the applicant's recorded consent to personal-data processing."))
    if signal_id is not None:
        signal = signals_for(viewer).filter(pk=signal_id).first()
        if signal is None:
            raise NotFound(_("Signal not found."))
        if signal.status != Signal.Status.CONFIRMED and signal.source != Signal.Source.OWN_APPLICATION:
            raise InvalidTransition(_("The signal has not been confirmed by a check."))
    case = Case.objects.create(
        code=f"tmp-{uuid.uuid4().hex[:24]}", signal_id=signal_id, household_id=household_id,
        applicant=applicant, precinct_id=precinct_id, institution=institution, registered_on=registered_on,
        categories=check_choices(categories, Category.values, "categories"),
        need_circumstances=check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances"),
        reasons=column_text(reasons, Case, "reasons"), level=level,
        coordinator_id=viewer.user_id if viewer.has_role(Role.COORDINATOR) else None,
    )
    case.code = f"{registered_on.year}-{institution.code[:12].upper()}-{case.pk:05d}"
    case.save(update_fields=["code"])
    programme = Programme.objects.create(case=case, number=case.code)
    programme.recipients.add(applicant)
    audit.record_created(viewer=viewer, verb="case.register", obj=case)
    enqueue("case", case.pk)
    # Staff search scopes a person by the institutions of their own and their household's cases:
    # the applicant and the household members now fall within this institution too.
    members = Person.objects.filter(household_id=household_id).values_list("pk", flat=True)
    enqueue_many("person", sorted({applicant.pk, *members}))
    return case


@audited_write("measure.assign", object_type="cases.case", id_arg="case_id")
def assign_measure(
    *, viewer: Viewer, case_id: int, task: str, kind: str, deadline: dt.date, organisation_id: int,
    content: str = "", place: str = "", responsible_person: str = "", recipient_id: int | None = None,
    shared_fields: Iterable[str] | None = None,
) -> Measure:
    """Add a measure (мероприятие) to the programme and assign it to the responsible organisation."""
    case = case_for_update(viewer, case_id)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is closed: no new measures can be added."))
    if kind not in HelpKind.values:
        raise ValidationFailed(_("Unknown kind of help."), field="kind")
    if deadline < case.registered_on:
        raise ValidationFailed(_("The deadline cannot be before the case was registered."), field="deadline")
    if case.ends_on and deadline > case.ends_on:
        raise ValidationFailed(_("The deadline is after the end of the support term (%(end)s)."), field="deadline",
                               end=case.ends_on.strftime("%d.%m.%Y"))
    organisation = require_working_organisation(organisation_id)
    programme = Programme.objects.get(case=case)
    if recipient_id is not None and not programme.recipients.filter(pk=recipient_id).exists() and not (
        Person.objects.filter(pk=recipient_id, household_id=case.household_id).exists()
    ):
        raise ValidationFailed(_("The recipient is not a member of this family."), field="recipient")
    fields = list(shared_fields) if shared_fields is not None else list(DEFAULT_SHARED_FIELDS)
    check_choices(fields, SHAREABLE_RECIPIENT_FIELDS, "shared_fields")
    measure = Measure.objects.create(
        programme=programme, case=case, recipient_id=recipient_id,
        task=column_text(task, Measure, "task", required=_("Describe the task of the measure.")),
        content=column_text(content, Measure, "content"), kind=kind, deadline=deadline,
        place=column_text(place, Measure, "place"), organisation=organisation,
        responsible_person=column_text(responsible_person, Measure, "responsible_person"), shared_fields=fields,
    )
    if recipient_id is not None:
        programme.recipients.add(recipient_id)
    audit.record_created(viewer=viewer, verb="measure.assign", obj=measure)
    if programme.status == Programme.Status.APPROVED:
        record_programme_version(viewer=viewer, programme=programme, reason=ProgrammeVersion.Reason.MEASURE_ADDED)
    return measure


def _day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _collegial_decision(
    case: Case, subject: str, decided_on: dt.date, protocol_number: str, participants: str, summary: str,
    body: str = CollegialDecision.Body.CONSILIUM, **wish: object,
) -> CollegialDecision:
    if decided_on > today():
        raise ValidationFailed(_("The decision date cannot be in the future."), field="decided_on")
    if body not in CollegialDecision.Body.values:
        raise ValidationFailed(_("Choose the collegial body."), field="body")
    return CollegialDecision.objects.create(
        case=case, subject=subject, decided_on=decided_on, body=body,
        protocol_number=column_text(protocol_number, CollegialDecision, "protocol_number",
                                    required=_("Enter the protocol number.")),
        participants=column_text(participants, CollegialDecision, "participants",
                                 required=_("List the participants of the decision.")),
        summary=column_text(summary, CollegialDecision, "summary"), **wish,
    )


@audited_write("programme.approve", object_type="cases.case", id_arg="case_id")
def approve_programme(
    *, viewer: Viewer, case_id: int, decided_on: dt.date, protocol_number: str, participants: str,
    started_on: dt.date | None = None, term_months: int = MAX_TERM_MONTHS,
    body: str = CollegialDecision.Body.CONSILIUM,
) -> Case:
    """Collegial approval of the ИПССС by the consilium or the interagency working group (`body`): support
    starts, term and review date are set."""
    case = case_for_update(viewer, case_id)
    if case.status != Case.Status.REGISTERED:
        raise InvalidTransition(_("The programme of this case has already been approved."))
    if not case.measures.exclude(status=Measure.Status.CANCELLED).exists():
        raise InvalidTransition(_("Add at least one measure before approving the programme."))
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationFailed(_("The term of support is 1 to %(max)s months."), field="term_months",
                               max=MAX_TERM_MONTHS)
    decision = _collegial_decision(case, CollegialDecision.Subject.APPROVAL, decided_on, protocol_number,
                                   participants, "", body)
    started = started_on or decided_on
    if started < case.registered_on:
        raise ValidationFailed(_("Support cannot start before the case was registered."), field="started_on")
    if started > decided_on + dt.timedelta(days=MAX_START_DELAY_DAYS):
        raise ValidationFailed(_("Support starts at most %(days)s days after the decision."), field="started_on",
                               days=MAX_START_DELAY_DAYS)
    Programme.objects.filter(case=case).update(status=Programme.Status.APPROVED, approved_on=decided_on,
                                               approval=decision)
    record_programme_version(viewer=viewer, programme=Programme.objects.get(case=case),
                             reason=ProgrammeVersion.Reason.APPROVAL, decision=decision)
    change(case, {
        "status": Case.Status.PROGRAMME_APPROVED,
        "started_on": started,
        "ends_on": add_months(started, term_months),
        "review_due_on": add_months(started, REVIEW_AFTER_MONTHS),
    }, viewer=viewer, verb="programme.approve", action=AuditEvent.Action.TRANSITION,
        details={"protocol": protocol_number})
    enqueue("case", case.pk)
    return case


@audited_write("case.review", object_type="cases.case", id_arg="case_id")
def record_review(
    *, viewer: Viewer, case_id: int, reviewed_on: dt.date, findings: str, programme_changed: bool = False,
    decided_on: dt.date | None = None, protocol_number: str = "", participants: str = "", summary: str = "",
    body: str = CollegialDecision.Body.CONSILIUM,
) -> Review:
    """Interim review (промежуточная оценка, seed 003 §6.3); the next one is due 3 months later within the term.
    A review that changes the programme needs the collegial decision of that change (date, protocol,
    participants, what was decided) and keeps a new version of the programme."""
    case = case_for_update(viewer, case_id)
    if case.status not in ACTIVE_CASE_STATUSES:
        raise InvalidTransition(_("Only a case under way can be reviewed."))
    if reviewed_on > today() or (case.started_on and reviewed_on < case.started_on):
        raise ValidationFailed(_("The review date must be between the start of support and today."),
                               field="reviewed_on")
    findings = column_text(findings, Review, "findings", required=_("Describe the findings."))
    decision = None
    if programme_changed:
        if decided_on is None:
            raise ValidationFailed(_("A change of the programme is a collegial decision: enter its date."),
                                   field="decided_on")
        if decided_on < reviewed_on:
            raise ValidationFailed(_("The decision on the change cannot precede the review."), field="decided_on")
        decision = _collegial_decision(
            case, CollegialDecision.Subject.CHANGE, decided_on, protocol_number, participants,
            column_text(summary, CollegialDecision, "summary", field="summary",
                        required=_("Say what was changed in the programme.")), body)
    review = Review.objects.create(case=case, reviewed_on=reviewed_on, findings=findings,
                                   programme_changed=programme_changed, reviewer=viewer.audit_name[:200])
    if decision is not None:
        record_programme_version(viewer=viewer, programme=Programme.objects.get(case=case),
                                 reason=ProgrammeVersion.Reason.REVIEW, decision=decision)
    following = add_months(reviewed_on, REVIEW_AFTER_MONTHS)
    change(case, {"review_due_on": following if case.ends_on and following < case.ends_on else None},
           viewer=viewer, verb="case.review", details={"review": review.pk, "programme_changed": programme_changed})
    return review


@audited_write("case.extend", object_type="cases.case", id_arg="case_id")
def extend_case(
    *, viewer: Viewer, case_id: int, version: int, ends_on: dt.date, decided_on: dt.date, protocol_number: str,
    participants: str, wish_on: dt.date | None = None, wish: str = "", summary: str = "",
) -> Case:
    """Extension of the term (продление, seed 003 §6.1.2–6.1.3) up to 12 months in total: by a collegial decision
    taken before the term ended, with the citizen's wish, on a monitoring inspection of the term's last 30 days."""
    case = case_for_update(viewer, case_id, version)
    if case.status not in ACTIVE_CASE_STATUSES or case.started_on is None or case.ends_on is None:
        raise InvalidTransition(_("Only a case under way can be extended."))
    if decided_on > case.ends_on:
        raise InvalidTransition(_("The term ended on %(end)s: a decision taken after it cannot extend it; close the "
                                  "case."), end=_day(case.ends_on))
    if ends_on <= case.ends_on:
        raise ValidationFailed(_("The new end of the term must be later than the current one (%(end)s)."),
                               field="ends_on", end=case.ends_on.strftime("%d.%m.%Y"))
    limit = latest_end(case.started_on)
    if ends_on > limit:
        raise InvalidTransition(_("Support lasts at most 12 months in total: the term can end on %(limit)s at the "
                                  "latest."), limit=limit.strftime("%d.%m.%Y"))
    if wish_on is None:
        raise ValidationFailed(_("Enter the date of the citizen's wish to extend support."), field="wish_on")
    if wish_on > decided_on:
        raise ValidationFailed(_("The citizen's wish is recorded before the decision."), field="wish_on")
    wish = column_text(wish, CollegialDecision, "citizen_wish", field="wish",
                       required=_("Record the citizen's wish to extend support."))
    require_monitoring_inspection(case, term_end=case.ends_on, decided_on=decided_on)
    decision = _collegial_decision(case, CollegialDecision.Subject.EXTENSION, decided_on, protocol_number,
                                   participants, summary, citizen_wish_on=wish_on, citizen_wish=wish)
    change(case, {"status": Case.Status.EXTENDED, "ends_on": ends_on}, viewer=viewer, verb="case.extend",
           action=AuditEvent.Action.TRANSITION, details={"decision": decision.pk})
    enqueue("case", case.pk)
    return case


#: A citizen who refused support or moved away is not inspected: nothing is left to decide on.
NO_MONITORING_OUTCOMES = (Case.Outcome.REFUSED, Case.Outcome.MOVED)


def require_monitoring_inspection(case: Case, *, term_end: dt.date, decided_on: dt.date) -> MonitoringInspection:
    """The monitoring inspection (§6.4) a decision to extend or close rests on, dated within the last 30 days of
    the term (and not after the decision); refused without one."""
    first, last = monitoring_window(term_end, decided_on)
    inspection = case.monitoring_inspections.filter(inspected_on__gte=first, inspected_on__lte=last).last()
    if inspection is None:
        raise InvalidTransition(_("A monitoring inspection dated %(first)s–%(last)s (the last 30 days of the term) "
                                  "is required first: record it on the case card."),
                                first=_day(first), last=_day(last))
    return inspection


@audited_write("case.monitoring_inspection", object_type="cases.case", id_arg="case_id")
def record_monitoring_inspection(
    *, viewer: Viewer, case_id: int, inspected_on: dt.date, findings: str,
) -> MonitoringInspection:
    """Monitoring social inspection of the citizen (мониторинговое социальное инспектирование, seed 003 §6.4)
    as the term nears its end, by the case manager."""
    case = case_for_update(viewer, case_id)
    if case.status not in ACTIVE_CASE_STATUSES or case.started_on is None:
        raise InvalidTransition(_("Only a case under way is inspected."))
    if inspected_on > today() or inspected_on < case.started_on:
        raise ValidationFailed(_("The inspection date must be between the start of support and today."),
                               field="inspected_on")
    inspection = MonitoringInspection.objects.create(
        case=case, inspected_on=inspected_on, inspector=viewer.audit_name[:200],
        findings=column_text(findings, MonitoringInspection, "findings", required=_("Describe the findings.")))
    # Recorded on the case, so that the step shows in the case's timeline.
    audit.record(viewer=viewer, action=AuditEvent.Action.CREATE, verb="case.monitoring_inspection", obj=case,
                 details={"inspection": inspection.pk, "inspected_on": inspected_on.isoformat()})
    return inspection


@audited_write("case.close", object_type="cases.case", id_arg="case_id")
def close_case(
    *, viewer: Viewer, case_id: int, version: int, closed_on: dt.date, outcome: str, results: str,
    recommendations: str,
) -> Case:
    """Closing (снятие с сопровождения) with results and recommendations; no measure may stay open."""
    case = case_for_update(viewer, case_id, version)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is already closed."))
    if outcome not in Case.Outcome.values:
        raise ValidationFailed(_("Choose the outcome of support."), field="outcome")
    results = column_text(results, Case, "results", required=_("Describe the results of support."))
    recommendations = column_text(recommendations, Case, "recommendations", required=_("Give recommendations."))
    if closed_on > today() or closed_on < case.registered_on:
        raise ValidationFailed(_("The closing date must be between registration and today."), field="closed_on")
    open_count = case.measures.filter(status__in=Measure.OPEN_STATUSES).count()
    if open_count:
        raise InvalidTransition(_("%(count)s measure(s) are still open: have them fulfilled, reported or "
                                  "cancelled first."), count=open_count)
    if case.ends_on is not None and outcome not in NO_MONITORING_OUTCOMES:
        require_monitoring_inspection(case, term_end=min(case.ends_on, closed_on), decided_on=closed_on)
    returned = case.measures.filter(status=Measure.Status.RETURNED).count()
    if returned:  # handed back by a partner: not done, so reassigned or cancelled before closing
        raise InvalidTransition(_("%(count)s measure(s) were returned by the organisation: reassign or cancel "
                                  "them first."), count=returned)
    change(case, {"status": Case.Status.CLOSED, "closed_on": closed_on, "outcome": outcome, "results": results,
                  "recommendations": recommendations, "review_due_on": None},
           viewer=viewer, verb="case.close", action=AuditEvent.Action.TRANSITION)
    enqueue("case", case.pk)
    return case
