"""Writes and rules of the case workflow (seed 003 §5–6):

signal → check → registration (needs consent) → programme (ИПССС) approved collegially →
measures executed by partners → interim review after 3 months → close or extend
(6 months at most, 12 in total by collegial decision).

Every function is one transaction, takes a Viewer, checks scope and state, and leaves an
audit record. Case and measure changes carry a version number: a stale version raises Conflict
with the current object. Every refusal (not found, not allowed, wrong state, stale version) is
kept as an attempt row by `audit.audited_write`, the one decorator of the public writes.

Territory: households, persons and registrations stay inside the actor's territory (`access.may_work_in_precinct`);
taking over a family of another institution's territory is a transfer, not a registration, and is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import (
    in_institution_territory,
    may_execute_measure,
    may_manage_case,
    may_work_in_precinct,
    require_case_manager,
)
from portal.cases.models import (
    DEFAULT_SHARED_FIELDS,
    SHAREABLE_RECIPIENT_FIELDS,
    Case,
    Category,
    CollegialDecision,
    Consent,
    Household,
    Measure,
    MeasureComment,
    NeedCircumstance,
    Person,
    Programme,
    Review,
    Signal,
)
from portal.cases.terms import MAX_TERM_MONTHS, REVIEW_AFTER_MONTHS, add_months, latest_end
from portal.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import Precinct
from search.outbox import enqueue, enqueue_many

audited_write = audit.audited_write
ACTIVE_CASE_STATUSES = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)
MAX_TEXT = 5000
#: Support starts on the approving decision or soon after it.
MAX_START_DELAY_DAYS = 90


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, model: type[models.Model], name: str, *, field: str | None = None,
          required: Any = None, limit: int | None = None) -> str:
    """The stripped text for `model.name`, checked like every text the services store: no NUL character
    (PostgreSQL refuses it), at most the column's max_length (MAX_TEXT for text columns, or a smaller
    `limit`), present when `required` (the message asking for it) is given. Errors name the field in the
    reader's language; `field` is the API's name of the input (default: `name`)."""
    column = model._meta.get_field(name)
    maximum = min(limit or MAX_TEXT, getattr(column, "max_length", None) or MAX_TEXT)
    return _clean_text(value, field=field or name, label=column.verbose_name, required=required, limit=maximum)


def _clean_text(value: str | None, *, field: str, label: Any, required: Any = None, limit: int = MAX_TEXT) -> str:
    """`_text` for a text that is not stored in a column of its own (e.g. a reason kept in the audit trail)."""
    label = capfirst(label)
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationFailed(_("%(label)s: the text contains a NUL character, which is not allowed."),
                               field=field, label=label)
    if required is not None and not value:
        raise ValidationFailed(required, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("%(label)s: the text is too long (at most %(limit)s characters)."), field=field,
                               label=label, limit=limit)
    return value


def _check_choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    values = list(dict.fromkeys(values))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        shown = ", ".join(value.replace("\x00", "") for value in unknown[:10])[:300]
        raise ValidationFailed(_("Unknown values: %(values)s."), field=field, values=shown)
    return values


# --- Signals (сигналы) ---------------------------------------------------------

def _signal_for_update(viewer: Viewer, signal_id: int) -> Signal:
    from portal.cases.selectors import signals_for

    signal = signals_for(viewer).select_for_update(of=("self",)).filter(pk=signal_id).first()
    if signal is None:
        raise NotFound(_("Signal not found."))
    if not viewer.is_admin and not viewer.has_role(Role.OFFICER, Role.COORDINATOR):
        raise PermissionDenied(_("You may not change this signal."))
    return signal


@audited_write("signal.receive", object_type="cases.signal")
def receive_signal(
    *, viewer: Viewer, source: str, summary: str, received_at: dt.datetime | None = None, address: str = "",
    reporter: str = "", reporter_organisation_id: int | None = None, institution_id: int | None = None,
) -> Signal:
    """Register an incoming signal (сигнал); the precinct is found from the address when possible."""
    if not (viewer.is_admin or viewer.is_staff_reader or viewer.is_partner):
        raise PermissionDenied(_("You may not register signals."))
    if source not in Signal.Source.values:
        raise ValidationFailed(_("Unknown source of the signal."), field="source")
    summary = _text(summary, Signal, "summary", required=_("Describe the situation."))
    address = _text(address, Signal, "address")
    reporter = _text(reporter, Signal, "reporter")
    institution_id = institution_id or viewer.institution_id
    institution = Organisation.objects.filter(pk=institution_id, active=True).first() if institution_id else None
    if institution is None or not institution.is_institution:
        raise ValidationFailed(_("Choose the institution that will check the signal."), field="institution")
    if viewer.is_partner:
        reporter_organisation_id = viewer.organisation_id
    elif reporter_organisation_id is not None and not Organisation.objects.filter(pk=reporter_organisation_id).exists():
        raise ValidationFailed(_("Choose an organisation of the partner registry."), field="reporter_organisation")
    precinct_id = None
    if address:
        from portal.territory.selectors import find_precinct

        match = find_precinct(address)
        precinct_id = match.precinct.pk if match.precinct else None
    if precinct_id is not None and not viewer.is_admin and not in_institution_territory(institution.pk, precinct_id):
        raise PermissionDenied(_("The address lies outside the territory of the chosen institution: send the signal "
                                 "to the institution that serves this address."))
    signal = Signal.objects.create(
        source=source, summary=summary, received_at=received_at or timezone.now(), address=address,
        reporter=reporter, reporter_organisation_id=reporter_organisation_id, institution_id=institution_id,
        precinct_id=precinct_id,
    )
    audit.record_created(viewer=viewer, verb="signal.receive", obj=signal)
    return signal


@audited_write("signal.check", object_type="cases.signal", id_arg="signal_id")
def start_signal_check(*, viewer: Viewer, signal_id: int) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status != Signal.Status.RECEIVED:
        raise InvalidTransition(_("Only a newly received signal can be taken for checking."))
    before = audit.snapshot(signal, ["status"])
    signal.status = Signal.Status.CHECKING
    signal.save(update_fields=["status"])
    audit.record_changed(viewer=viewer, verb="signal.check", obj=signal, before=before,
                         action=AuditEvent.Action.TRANSITION)
    return signal


@audited_write("signal.inspect", object_type="cases.signal", id_arg="signal_id")
def record_inspection(
    *, viewer: Viewer, signal_id: int, inspected_on: dt.date, findings: str, need_circumstances: Iterable[str],
) -> Signal:
    """Record the inspection act (акт обследования материально-бытовых условий)."""
    signal = _signal_for_update(viewer, signal_id)
    if signal.status not in (Signal.Status.RECEIVED, Signal.Status.CHECKING):
        raise InvalidTransition(_("The check of this signal is already finished."))
    if inspected_on > _today():
        raise ValidationFailed(_("The inspection date cannot be in the future."), field="inspected_on")
    before = audit.snapshot(signal, ["status", "inspected_on", "inspection_findings", "need_circumstances"])
    signal.inspected_on = inspected_on
    signal.inspection_findings = _text(findings, Signal, "inspection_findings", field="findings",
                                      required=_("Describe what the visit found."))
    signal.need_circumstances = _check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances")
    signal.status = Signal.Status.CHECKING
    signal.save()
    audit.record_changed(viewer=viewer, verb="signal.inspect", obj=signal, before=before)
    return signal


@audited_write("signal.confirm", object_type="cases.signal", id_arg="signal_id")
def confirm_signal(*, viewer: Viewer, signal_id: int) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status != Signal.Status.CHECKING or signal.inspected_on is None:
        raise InvalidTransition(_("A signal is confirmed only after the visit has been recorded."))
    before = audit.snapshot(signal, ["status"])
    signal.status = Signal.Status.CONFIRMED
    signal.save(update_fields=["status"])
    audit.record_changed(viewer=viewer, verb="signal.confirm", obj=signal, before=before,
                         action=AuditEvent.Action.TRANSITION)
    return signal


@audited_write("signal.dismiss", object_type="cases.signal", id_arg="signal_id")
def dismiss_signal(*, viewer: Viewer, signal_id: int, reason: str) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status not in (Signal.Status.RECEIVED, Signal.Status.CHECKING):
        raise InvalidTransition(_("The check of this signal is already finished."))
    before = audit.snapshot(signal, ["status", "dismissal_reason"])
    signal.dismissal_reason = _text(reason, Signal, "dismissal_reason", field="reason",
                                    required=_("Give the reason why the signal is not confirmed."))
    signal.status = Signal.Status.NOT_CONFIRMED
    signal.save(update_fields=["status", "dismissal_reason"])
    audit.record_changed(viewer=viewer, verb="signal.dismiss", obj=signal, before=before,
                         action=AuditEvent.Action.TRANSITION)
    return signal


# --- Households, persons, consent ---------------------------------------------------

def _require_precinct_access(viewer: Viewer, precinct_id: int) -> Precinct:
    """The precinct, if the viewer works in it (`access.may_work_in_precinct`)."""
    precinct = Precinct.objects.select_related("officer").filter(pk=precinct_id).first()
    if precinct is None:
        raise NotFound(_("Precinct not found."))
    if not may_work_in_precinct(viewer, precinct_id):
        raise PermissionDenied(_("This precinct is outside your territory: households and persons are registered "
                                 "by the officer or institution that serves it."))
    return precinct


def _household_to_register_in(viewer: Viewer, household_id: int) -> Household:
    """A household the viewer may add persons to: one of its scope (`selectors.households_for`) in a precinct
    of its territory. A household outside the scope is refused exactly like one that does not exist."""
    from portal.cases.selectors import households_for

    household = households_for(viewer).filter(pk=household_id).first()
    if household is None:
        if viewer.is_admin:
            raise NotFound(_("Household not found."))
        raise PermissionDenied(_("You may not register persons in this household."))
    _require_precinct_access(viewer, household.precinct_id)
    return household


def _registration_fields(viewer: Viewer) -> dict[str, Any]:
    return {"registered_by_subject": viewer.subject or "", "registered_by_institution_id": viewer.institution_id}


@audited_write("household.create", object_type="territory.precinct", id_arg="precinct_id")
def create_household(*, viewer: Viewer, precinct_id: int, address: str, categories: Iterable[str] = ()) -> Household:
    _require_precinct_access(viewer, precinct_id)
    household = Household.objects.create(
        precinct_id=precinct_id, address=_text(address, Household, "address", required=_("Enter the address.")),
        categories=_check_choices(categories, Category.values, "categories"), **_registration_fields(viewer),
    )
    audit.record_created(viewer=viewer, verb="household.create", obj=household)
    return household


PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "sex", "phone", "relation", "categories",
                 "household_id")


def _clean_person(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown)))
    for name in ("last_name", "first_name"):
        if name in fields:
            fields[name] = _text(fields[name], Person, name, required=_("Enter the last and first name."))
    for name in ("middle_name", "phone", "relation"):
        if name in fields:
            fields[name] = _text(fields[name], Person, name)
    if fields.get("birth_date") and fields["birth_date"] > _today():
        raise ValidationFailed(_("The date of birth cannot be in the future."), field="birth_date")
    if fields.get("sex") and fields["sex"] not in Person.Sex.values:
        raise ValidationFailed(_("Unknown sex."), field="sex")
    if "categories" in fields:
        fields["categories"] = _check_choices(fields["categories"], Category.values, "categories")
    return fields


@audited_write("person.create", object_type="cases.household", id_arg="household_id")
def create_person(
    *, viewer: Viewer, household_id: int | None, last_name: str, first_name: str, middle_name: str = "",
    birth_date: dt.date | None = None, sex: str = "", phone: str = "", relation: str = "",
    categories: Iterable[str] = (),
) -> Person:
    if household_id is not None:
        _household_to_register_in(viewer, household_id)
    elif not (viewer.is_admin or viewer.is_staff_reader) or viewer.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("You may not register persons."))
    fields = _clean_person({"last_name": last_name, "first_name": first_name, "middle_name": middle_name,
                            "birth_date": birth_date, "sex": sex, "phone": phone, "relation": relation,
                            "categories": list(categories)})
    person = Person.objects.create(household_id=household_id, **fields, **_registration_fields(viewer))
    audit.record_created(viewer=viewer, verb="person.create", obj=person)
    enqueue("person", person.pk)
    return person


@audited_write("person.update", object_type="cases.person", id_arg="person_id")
def update_person(*, viewer: Viewer, person_id: int, **changes: Any) -> Person:
    from portal.cases.selectors import persons_for

    if not persons_for(viewer).filter(pk=person_id).exists():
        raise NotFound(_("Person not found."))
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    cases = Case.objects.filter(applicant=person) | Case.objects.filter(household_id=person.household_id)
    if not viewer.is_admin and not any(may_manage_case(viewer, case) for case in cases):
        raise PermissionDenied(_("You may not change this person's data."))
    changes = _clean_person(changes)
    if changes.get("household_id") is not None:  # a move: to a household the viewer may register people in
        _household_to_register_in(viewer, changes["household_id"])
    before = audit.snapshot(person, changes.keys())
    for name, value in changes.items():
        setattr(person, name, value)
    person.save()
    audit.record_changed(viewer=viewer, verb="person.update", obj=person, before=before)
    enqueue("person", person.pk)
    # A case's staff-search document carries its applicant's name.
    enqueue_many("case", Case.objects.filter(applicant_id=person.pk).values_list("pk", flat=True))
    return person


def _may_handle_consents(viewer: Viewer) -> bool:
    return viewer.is_admin or (viewer.is_staff_reader and not viewer.has_role(Role.SUPERVISOR))


@audited_write("consent.record", object_type="cases.person", id_arg="person_id")
def record_consent(
    *, viewer: Viewer, person_id: int, purpose: str, given_on: dt.date, scope: str = "", document: str = "",
) -> Consent:
    """Record consent to processing (152-FZ art. 9) or, separately, to publication of a need, for a person of
    the viewer's scope (`selectors.persons_for`). A person outside the scope is refused exactly like one that
    does not exist, and the refusal is audited."""
    from portal.cases.selectors import persons_for

    if not _may_handle_consents(viewer):
        raise PermissionDenied(_("You may not record consents."))
    person = persons_for(viewer).filter(pk=person_id).first()
    if person is None:
        raise PermissionDenied(_("You may not record consents for this person."))
    if purpose not in Consent.Purpose.values:
        raise ValidationFailed(_("Unknown purpose of the consent."), field="purpose")
    if given_on > _today():
        raise ValidationFailed(_("A consent cannot be dated in the future."), field="given_on")
    consent = Consent.objects.create(person=person, purpose=purpose, given_on=given_on,
                                     scope=_text(scope, Consent, "scope"),
                                     document=_text(document, Consent, "document"))
    audit.record_created(viewer=viewer, verb="consent.record", obj=consent)
    return consent


@audited_write("consent.withdraw", object_type="cases.consent", id_arg="consent_id")
def withdraw_consent(*, viewer: Viewer, consent_id: int, withdrawn_on: dt.date) -> Consent:
    """Withdraw a consent of a person of the viewer's scope (refusals are audited)."""
    from portal.cases.selectors import persons_for

    if not _may_handle_consents(viewer):
        raise PermissionDenied(_("You may not change consents."))
    consent = Consent.objects.select_for_update().filter(
        pk=consent_id, person__in=persons_for(viewer)).first()
    if consent is None:
        raise PermissionDenied(_("You may not change this consent."))
    if consent.withdrawn_on is not None:
        raise InvalidTransition(_("This consent has already been withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ValidationFailed(_("A consent cannot be withdrawn before it was given."), field="withdrawn_on")
    before = audit.snapshot(consent, ["withdrawn_on"])
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    audit.record_changed(viewer=viewer, verb="consent.withdraw", obj=consent, before=before)
    return consent


# --- Cases and programmes --------------------------------------------------------

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
        if viewer.has_role(Role.COORDINATOR) and viewer.institution_id == institution_id:
            pass
        elif viewer.has_role(Role.OFFICER) and precinct_id in viewer.precinct_ids and (
                viewer.institution_id in (None, institution_id)):
            pass
        else:
            raise PermissionDenied(_("You may not register cases for this precinct or institution."))
        if not in_institution_territory(institution_id, precinct_id):
            raise PermissionDenied(_("The precinct is outside the territory of the institution: the case is "
                                     "registered by the institution that serves it."))
    from portal.cases.selectors import households_for, persons_for, signals_for

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
    if registered_on > _today():
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
        categories=_check_choices(categories, Category.values, "categories"),
        need_circumstances=_check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances"),
        reasons=_text(reasons, Case, "reasons"), level=level,
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


def _case_for_update(viewer: Viewer, case_id: int, version: int | None = None) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case not found."))
    from portal.cases.access import case_scope

    scope = case_scope(viewer)
    if scope is None or not Case.objects.filter(scope, pk=case_id).exists():
        raise NotFound(_("Case not found."))
    require_case_manager(viewer, case)
    if version is not None and case.version != version:
        raise Conflict(_("The case was changed by someone else. Review the current state and try again."),
                       current=case)
    return case


def _bump(obj: Case | Measure) -> None:
    obj.version += 1


@audited_write("measure.assign", object_type="cases.case", id_arg="case_id")
def assign_measure(
    *, viewer: Viewer, case_id: int, task: str, kind: str, deadline: dt.date, organisation_id: int,
    content: str = "", place: str = "", responsible_person: str = "", recipient_id: int | None = None,
    shared_fields: Iterable[str] | None = None,
) -> Measure:
    """Add a measure (мероприятие) to the programme and assign it to the responsible organisation."""
    case = _case_for_update(viewer, case_id)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is closed: no new measures can be added."))
    if kind not in HelpKind.values:
        raise ValidationFailed(_("Unknown kind of help."), field="kind")
    if deadline < case.registered_on:
        raise ValidationFailed(_("The deadline cannot be before the case was registered."), field="deadline")
    if case.ends_on and deadline > case.ends_on:
        raise ValidationFailed(_("The deadline is after the end of the support term (%(end)s)."), field="deadline",
                               end=case.ends_on.strftime("%d.%m.%Y"))
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None:
        raise ValidationFailed(_("Choose an active organisation of the partner registry."), field="organisation")
    programme = Programme.objects.get(case=case)
    if recipient_id is not None and not programme.recipients.filter(pk=recipient_id).exists() and not (
        Person.objects.filter(pk=recipient_id, household_id=case.household_id).exists()
    ):
        raise ValidationFailed(_("The recipient is not a member of this family."), field="recipient")
    fields = list(shared_fields) if shared_fields is not None else list(DEFAULT_SHARED_FIELDS)
    _check_choices(fields, SHAREABLE_RECIPIENT_FIELDS, "shared_fields")
    measure = Measure.objects.create(
        programme=programme, case=case, recipient_id=recipient_id,
        task=_text(task, Measure, "task", required=_("Describe the task of the measure.")),
        content=_text(content, Measure, "content"), kind=kind, deadline=deadline,
        place=_text(place, Measure, "place"), organisation=organisation,
        responsible_person=_text(responsible_person, Measure, "responsible_person"), shared_fields=fields,
    )
    if recipient_id is not None:
        programme.recipients.add(recipient_id)
    audit.record_created(viewer=viewer, verb="measure.assign", obj=measure)
    return measure


@audited_write("programme.approve", object_type="cases.case", id_arg="case_id")
def approve_programme(
    *, viewer: Viewer, case_id: int, decided_on: dt.date, protocol_number: str, participants: str,
    started_on: dt.date | None = None, term_months: int = MAX_TERM_MONTHS,
) -> Case:
    """Collegial approval of the ИПССС (консилиум / МВРГ): support starts, term and review date are set."""
    case = _case_for_update(viewer, case_id)
    if case.status != Case.Status.REGISTERED:
        raise InvalidTransition(_("The programme of this case has already been approved."))
    if not case.measures.exclude(status=Measure.Status.CANCELLED).exists():
        raise InvalidTransition(_("Add at least one measure before approving the programme."))
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationFailed(_("The term of support is 1 to %(max)s months."), field="term_months",
                               max=MAX_TERM_MONTHS)
    decision = _collegial_decision(case, CollegialDecision.Subject.APPROVAL, decided_on, protocol_number,
                                   participants, "")
    started = started_on or decided_on
    if started < case.registered_on:
        raise ValidationFailed(_("Support cannot start before the case was registered."), field="started_on")
    if started > decided_on + dt.timedelta(days=MAX_START_DELAY_DAYS):
        raise ValidationFailed(_("Support starts at most %(days)s days after the decision."), field="started_on",
                               days=MAX_START_DELAY_DAYS)
    before = audit.snapshot(case, ["status", "started_on", "ends_on", "review_due_on", "version"])
    case.started_on = started
    case.ends_on = add_months(started, term_months)
    case.review_due_on = add_months(started, REVIEW_AFTER_MONTHS)
    case.status = Case.Status.PROGRAMME_APPROVED
    _bump(case)
    case.save()
    Programme.objects.filter(case=case).update(status=Programme.Status.APPROVED, approved_on=decided_on,
                                               approval=decision)
    audit.record_changed(viewer=viewer, verb="programme.approve", obj=case, before=before,
                         action=AuditEvent.Action.TRANSITION, details={"protocol": protocol_number})
    enqueue("case", case.pk)
    return case


def _collegial_decision(
    case: Case, subject: str, decided_on: dt.date, protocol_number: str, participants: str, summary: str,
) -> CollegialDecision:
    if decided_on > _today():
        raise ValidationFailed(_("The decision date cannot be in the future."), field="decided_on")
    return CollegialDecision.objects.create(
        case=case, subject=subject, decided_on=decided_on,
        protocol_number=_text(protocol_number, CollegialDecision, "protocol_number",
                              required=_("Enter the protocol number.")),
        participants=_text(participants, CollegialDecision, "participants",
                           required=_("List the participants of the decision.")),
        summary=_text(summary, CollegialDecision, "summary"),
    )


@audited_write("case.review", object_type="cases.case", id_arg="case_id")
def record_review(
    *, viewer: Viewer, case_id: int, reviewed_on: dt.date, findings: str, programme_changed: bool = False,
) -> Review:
    """Interim review (промежуточная оценка); the next one is due 3 months later within the term."""
    case = _case_for_update(viewer, case_id)
    if case.status not in ACTIVE_CASE_STATUSES:
        raise InvalidTransition(_("Only a case under way can be reviewed."))
    if reviewed_on > _today() or (case.started_on and reviewed_on < case.started_on):
        raise ValidationFailed(_("The review date must be between the start of support and today."),
                               field="reviewed_on")
    review = Review.objects.create(case=case, reviewed_on=reviewed_on,
                                   findings=_text(findings, Review, "findings", required=_("Describe the findings.")),
                                   programme_changed=programme_changed, reviewer=viewer.audit_name[:200])
    before = audit.snapshot(case, ["review_due_on", "version"])
    following = add_months(reviewed_on, REVIEW_AFTER_MONTHS)
    case.review_due_on = following if case.ends_on and following < case.ends_on else None
    _bump(case)
    case.save(update_fields=["review_due_on", "version"])
    audit.record_changed(viewer=viewer, verb="case.review", obj=case, before=before,
                         details={"review": review.pk, "programme_changed": programme_changed})
    return review


@audited_write("case.extend", object_type="cases.case", id_arg="case_id")
def extend_case(
    *, viewer: Viewer, case_id: int, version: int, ends_on: dt.date, decided_on: dt.date, protocol_number: str,
    participants: str, summary: str = "",
) -> Case:
    """Extension of the term (продление) up to 12 months in total, only by collegial decision."""
    case = _case_for_update(viewer, case_id, version)
    if case.status not in ACTIVE_CASE_STATUSES or case.started_on is None or case.ends_on is None:
        raise InvalidTransition(_("Only a case under way can be extended."))
    if ends_on <= case.ends_on:
        raise ValidationFailed(_("The new end of the term must be later than the current one (%(end)s)."),
                               field="ends_on", end=case.ends_on.strftime("%d.%m.%Y"))
    limit = latest_end(case.started_on)
    if ends_on > limit:
        raise InvalidTransition(_("Support lasts at most 12 months in total: the term can end on %(limit)s at the "
                                  "latest."), limit=limit.strftime("%d.%m.%Y"))
    decision = _collegial_decision(case, CollegialDecision.Subject.EXTENSION, decided_on, protocol_number,
                                   participants, summary)
    before = audit.snapshot(case, ["status", "ends_on", "version"])
    case.ends_on = ends_on
    case.status = Case.Status.EXTENDED
    _bump(case)
    case.save()
    audit.record_changed(viewer=viewer, verb="case.extend", obj=case, before=before,
                         action=AuditEvent.Action.TRANSITION, details={"decision": decision.pk})
    enqueue("case", case.pk)
    return case


@audited_write("case.close", object_type="cases.case", id_arg="case_id")
def close_case(
    *, viewer: Viewer, case_id: int, version: int, closed_on: dt.date, outcome: str, results: str,
    recommendations: str,
) -> Case:
    """Closing (снятие с сопровождения) with results and recommendations; no measure may stay open."""
    case = _case_for_update(viewer, case_id, version)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is already closed."))
    if outcome not in Case.Outcome.values:
        raise ValidationFailed(_("Choose the outcome of support."), field="outcome")
    results = _text(results, Case, "results", required=_("Describe the results of support."))
    recommendations = _text(recommendations, Case, "recommendations", required=_("Give recommendations."))
    if closed_on > _today() or closed_on < case.registered_on:
        raise ValidationFailed(_("The closing date must be between registration and today."), field="closed_on")
    open_count = case.measures.filter(status__in=Measure.OPEN_STATUSES).count()
    if open_count:
        raise InvalidTransition(_("%(count)s measure(s) are still open: have them fulfilled, reported or "
                                  "cancelled first."), count=open_count)
    before = audit.snapshot(case, ["status", "closed_on", "outcome", "results", "recommendations", "version"])
    case.status = Case.Status.CLOSED
    case.closed_on, case.outcome, case.results, case.recommendations = closed_on, outcome, results, recommendations
    case.review_due_on = None
    _bump(case)
    case.save()
    audit.record_changed(viewer=viewer, verb="case.close", obj=case, before=before,
                         action=AuditEvent.Action.TRANSITION)
    enqueue("case", case.pk)
    return case


# --- Measures: staff side ----------------------------------------------------------

def _measure_for_update(viewer: Viewer, measure_id: int, version: int) -> Measure:
    from portal.cases.selectors import measures_for

    measure = Measure.objects.select_for_update().filter(pk=measure_id).first()
    if measure is None or not measures_for(viewer).filter(pk=measure_id).exists():
        raise NotFound(_("Measure not found."))
    if measure.version != version:
        raise Conflict(_("The measure was changed by someone else. Review its current state and try again."),
                       current=measure)
    return measure


MEASURE_STATE_FIELDS = ["status", "organisation_id", "result", "done_on", "not_fulfilled_reason", "cancel_reason",
                        "shared_fields", "version"]


def _save_measure(viewer: Viewer, measure: Measure, before: dict[str, Any], verb: str, action: str,
                  details: dict[str, Any] | None = None) -> Measure:
    _bump(measure)
    measure.save()
    audit.record_changed(viewer=viewer, verb=verb, obj=measure, before=before, action=action, details=details)
    return measure


@audited_write("measure.reassign", object_type="cases.measure", id_arg="measure_id")
def reassign_measure(*, viewer: Viewer, measure_id: int, version: int, organisation_id: int, reason: str) -> Measure:
    measure = _measure_for_update(viewer, measure_id, version)
    require_case_manager(viewer, measure.case)
    if not measure.is_open:
        raise InvalidTransition(_("Only an open measure can be reassigned."))
    if organisation_id == measure.organisation_id:
        raise ValidationFailed(_("The measure is already assigned to this organisation."), field="organisation")
    if not Organisation.objects.filter(pk=organisation_id, active=True).exists():
        raise ValidationFailed(_("Choose an active organisation of the partner registry."), field="organisation")
    why = _clean_text(reason, field="reason", label=_("reason"), required=_("Give the reason for reassigning."))
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.organisation_id = organisation_id
    measure.status = Measure.Status.ASSIGNED
    # What the previous organisation was shown is not carried over: the new one sees the default
    # (first name and district) until the coordinator shares more with it.
    measure.shared_fields = list(DEFAULT_SHARED_FIELDS)
    return _save_measure(viewer, measure, before, "measure.reassign", AuditEvent.Action.UPDATE,
                         details={"reason": why})


@audited_write("measure.cancel", object_type="cases.measure", id_arg="measure_id")
def cancel_measure(*, viewer: Viewer, measure_id: int, version: int, reason: str) -> Measure:
    measure = _measure_for_update(viewer, measure_id, version)
    require_case_manager(viewer, measure.case)
    if not measure.is_open:
        raise InvalidTransition(_("Only an open measure can be cancelled."))
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.cancel_reason = _text(reason, Measure, "cancel_reason", field="reason",
                                  required=_("Give the reason for cancelling."))
    measure.status = Measure.Status.CANCELLED
    return _save_measure(viewer, measure, before, "measure.cancel", AuditEvent.Action.TRANSITION)


@audited_write("measure.share", object_type="cases.measure", id_arg="measure_id")
def set_shared_fields(*, viewer: Viewer, measure_id: int, version: int, fields: Iterable[str]) -> Measure:
    """Choose which recipient data the responsible organisation sees for this measure."""
    measure = _measure_for_update(viewer, measure_id, version)
    require_case_manager(viewer, measure.case)
    if not measure.is_open:
        raise InvalidTransition(_("The data shared for a closed measure can no longer be changed."))
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.shared_fields = _check_choices(fields, SHAREABLE_RECIPIENT_FIELDS, "shared_fields")
    return _save_measure(viewer, measure, before, "measure.share", AuditEvent.Action.UPDATE)


# --- Measures: the responsible organisation ------------------------------------------

def _executable(viewer: Viewer, measure_id: int, version: int) -> Measure:
    measure = _measure_for_update(viewer, measure_id, version)
    if not may_execute_measure(viewer, measure):
        raise PermissionDenied(_("Only the responsible organisation may report on this measure."))
    case = Case.objects.select_for_update().get(pk=measure.case_id)
    if case.status not in ACTIVE_CASE_STATUSES:
        raise InvalidTransition(_("The programme of this case is not in force (status: %(status)s)."),
                                status=case.get_status_display())
    measure.case = case
    return measure


def _case_under_way(viewer: Viewer, measure: Measure) -> None:
    """The first report of a partner puts an approved programme into execution (a transition of the case,
    audited like every other one, in the name of the partner whose report started it)."""
    case = measure.case  # locked by `_executable`
    if case.status == Case.Status.PROGRAMME_APPROVED:
        before = audit.snapshot(case, ["status", "version"])
        case.status = Case.Status.IN_PROGRESS
        _bump(case)
        case.save(update_fields=["status", "version"])
        audit.record_changed(viewer=viewer, verb="case.under_way", obj=case, before=before,
                             action=AuditEvent.Action.TRANSITION, details={"measure": measure.pk})
        enqueue("case", case.pk)


@audited_write("measure.accept", object_type="cases.measure", id_arg="measure_id")
def accept_measure(*, viewer: Viewer, measure_id: int, version: int) -> Measure:
    measure = _executable(viewer, measure_id, version)
    if measure.status != Measure.Status.ASSIGNED:
        raise InvalidTransition(_("Only a newly assigned measure can be accepted."))
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.status = Measure.Status.ACCEPTED
    _case_under_way(viewer, measure)
    return _save_measure(viewer, measure, before, "measure.accept", AuditEvent.Action.TRANSITION)


@audited_write("measure.fulfil", object_type="cases.measure", id_arg="measure_id")
def fulfil_measure(
    *, viewer: Viewer, measure_id: int, version: int, result: str, done_on: dt.date | None = None,
) -> Measure:
    """Report the measure fulfilled (исполнено) with its result."""
    measure = _executable(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("This measure is already closed (%(status)s)."),
                                status=measure.get_status_display())
    day = done_on or _today()
    if day > _today():
        raise ValidationFailed(_("The date done cannot be in the future."), field="done_on")
    if measure.case.started_on and day < measure.case.started_on:
        raise ValidationFailed(_("The date done cannot be before support started."), field="done_on")
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.result = _text(result, Measure, "result", required=_("Describe the result of the measure."))
    measure.done_on = day
    measure.status = Measure.Status.FULFILLED
    _case_under_way(viewer, measure)
    return _save_measure(viewer, measure, before, "measure.fulfil", AuditEvent.Action.TRANSITION)


@audited_write("measure.not_fulfilled", object_type="cases.measure", id_arg="measure_id")
def report_measure_not_fulfilled(*, viewer: Viewer, measure_id: int, version: int, reason: str) -> Measure:
    measure = _executable(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("This measure is already closed (%(status)s)."),
                                status=measure.get_status_display())
    before = audit.snapshot(measure, MEASURE_STATE_FIELDS)
    measure.not_fulfilled_reason = _text(reason, Measure, "not_fulfilled_reason", field="reason",
                                         required=_("Give the reason the measure was not fulfilled."))
    measure.done_on = _today()
    measure.status = Measure.Status.NOT_FULFILLED
    _case_under_way(viewer, measure)
    return _save_measure(viewer, measure, before, "measure.not_fulfilled", AuditEvent.Action.TRANSITION)


@audited_write("measure.comment", object_type="cases.measure", id_arg="measure_id")
def comment_measure(*, viewer: Viewer, measure_id: int, text: str) -> MeasureComment:
    from portal.cases.selectors import get_measure

    measure = get_measure(viewer=viewer, measure_id=measure_id)
    if not (may_execute_measure(viewer, measure) or may_manage_case(viewer, measure.case)):
        raise PermissionDenied(_("You may not comment on this measure."))
    comment = MeasureComment.objects.create(
        measure=measure, author=viewer.audit_name[:200],
        author_organisation=viewer.organisation_code or viewer.institution_code or "",
        text=_text(text, MeasureComment, "text", required=_("Write the comment."), limit=2000),
    )
    audit.record(viewer=viewer, action=AuditEvent.Action.UPDATE, verb="measure.comment", obj=measure,
                 details={"comment": comment.pk})
    return comment

