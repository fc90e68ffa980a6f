"""Intake of a family (seed 004 rows 3 and 4; seed 003 §5): signal → check with an inspection act →
application with consent → household and persons → registration of the case.

Services of the steps the generic case services do not cover: a signal with urgency, an anonymous reporter,
the precinct resolved from the address and repeated reports attached to the open signal instead of
duplicating it; assigning the check to an officer; the inspection act with the commission's conclusion; the
application registered in the institution's journal with the consents given in the same step; households and
persons created only after a duplicate check; the case registered from its application.

Each public function is one transaction (`audit.audited_write`), takes a Viewer and keyword-only arguments,
and leaves an audit record; refused attempts are kept as attempt rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.intake_selectors import (
    REPEAT_WINDOW_DAYS,
    duplicate_households,
    duplicate_persons,
    repeat_candidates,
    resolve_address,
)
from portal.cases.models import (
    Application,
    Case,
    Category,
    Consent,
    Household,
    InspectionAct,
    NeedCircumstance,
    Person,
    ServiceType,
    Signal,
    SupportForm,
)
from portal.cases.selectors import persons_for, signals_for
from portal.cases.services.households import create_household, create_person, record_consent
from portal.cases.services.programmes import register_case
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.text import check_choices, column_text
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import Officer, Precinct

audited_write = audit.audited_write
#: Roles that register signals (a partner reports a family through its workspace).
SIGNAL_REGISTRARS = (Role.OPERATOR, Role.OFFICER, Role.COORDINATOR, Role.PARTNER)
URGENCY_RANK: dict[str, int] = {Signal.Urgency.ROUTINE: 0, Signal.Urgency.URGENT: 1, Signal.Urgency.IMMEDIATE: 2}


class PossibleRepeat(ValidationFailed):
    """An open signal about the same address was received within the last 30 days: attach the new report to it
    as a repeat, or say it concerns another family. Not a refusal (nothing is audited): the caller decides."""

    code = "possible_repeat"

    def __init__(self, candidates: list[Signal]) -> None:
        self.candidates = candidates
        super().__init__(
            _("An open signal about this address was received within the last %(days)s days: attach this report "
              "to it as a repeat, or confirm that it concerns another family."),
            field="address", days=REPEAT_WINDOW_DAYS)


class PossibleDuplicate(ValidationFailed):
    """A household at the same address, or a person with the same name and date of birth, is registered
    already. `candidates` are those the viewer may open; `hidden` counts the ones outside its scope."""

    code = "possible_duplicate"

    def __init__(self, message: Any, *, field: str, candidates: list[Any], hidden: int) -> None:
        self.candidates = candidates
        self.hidden = hidden
        super().__init__(message, field=field)


def _today() -> dt.date:
    return timezone.localdate()


def _staff_worker(viewer: Viewer) -> bool:
    """Officers, coordinators and admins run the intake after the signal (operators and supervisors do not)."""
    return viewer.is_admin or viewer.has_role(Role.OFFICER, Role.COORDINATOR)


# --- Signals ---------------------------------------------------------------------------

def _receiving_institution(viewer: Viewer, precinct_id: int | None) -> Organisation:
    """The institution that checks the signal: the one serving the precinct (its officer's institution, else
    the institution registered in its district), else the viewer's own (the queue of an unresolved address)."""
    candidates: list[int | None] = []
    if precinct_id is not None:
        precinct = Precinct.objects.select_related("officer").get(pk=precinct_id)
        if precinct.officer is not None:
            candidates.append(precinct.officer.institution_id)
        candidates.extend(Organisation.objects.filter(district_id=precinct.district_id, kind="social_service",
                                                      active=True).order_by("pk").values_list("pk", flat=True))
    candidates.append(viewer.institution_id)
    if viewer.is_partner and viewer.organisation_id is not None and precinct_id is None:
        organisation = Organisation.objects.filter(pk=viewer.organisation_id).first()
        if organisation is not None and organisation.district_id:
            candidates.extend(Organisation.objects.filter(
                district_id=organisation.district_id, kind="social_service", active=True,
            ).order_by("pk").values_list("pk", flat=True))
    for institution_id in candidates:
        if institution_id is None:
            continue
        institution = Organisation.objects.filter(pk=institution_id, active=True, kind="social_service").first()
        if institution is not None:
            return institution
    raise ValidationFailed(_("The address did not resolve to a precinct and you belong to no institution: enter "
                             "the full address (settlement, street, house)."), field="address")


@audited_write("signal.register", object_type="cases.signal")
def register_signal(
    *, viewer: Viewer, source: str, summary: str, received_at: dt.datetime | None = None, address: str = "",
    reporter: str = "", anonymous: bool = False, urgency: str = Signal.Urgency.ROUTINE,
    need_circumstances: Iterable[str] = (), repeat_of_id: int | None = None, not_a_repeat: bool = False,
) -> Signal:
    """Register a signal (сигнал). The precinct comes from the address (officer finder); an unresolved address
    goes to the viewer's institution's queue («участок не определён»). An open signal at the same normalised
    address received within 30 days raises PossibleRepeat, unless the report is attached to it as a repeat
    (`repeat_of_id`) or the caller confirms it concerns another family (`not_a_repeat`). An anonymous report
    stores no reporter at all."""
    if not (viewer.is_admin or viewer.is_partner or viewer.has_role(*SIGNAL_REGISTRARS[:-1])):
        raise PermissionDenied(_("You may not register signals."))
    if source not in Signal.Source.values:
        raise ValidationFailed(_("Choose the source of the signal."), field="source")
    if urgency not in Signal.Urgency.values:
        raise ValidationFailed(_("Choose the urgency."), field="urgency")
    summary = column_text(summary, Signal, "summary", required=_("Describe the situation."))
    address = column_text(address, Signal, "address")
    reporter = "" if anonymous else column_text(reporter, Signal, "reporter")
    needs = check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances")
    now = timezone.now()
    received = received_at or now
    if received > now + dt.timedelta(minutes=5):
        raise ValidationFailed(_("The time received cannot be in the future."), field="received_at")
    precinct_id, key = resolve_address(address) if address else (None, "")
    original: Signal | None = None
    if repeat_of_id is not None:
        original = Signal.objects.select_for_update().filter(pk=repeat_of_id).first()
        if original is None or original not in repeat_candidates(address_key=key, received_at=received):
            raise InvalidTransition(_("This signal cannot take the report as a repeat: it is closed, older than "
                                      "%(days)s days or about another address."), days=REPEAT_WINDOW_DAYS)
    elif key and not not_a_repeat:
        candidates = list(repeat_candidates(address_key=key, received_at=received))
        if candidates:
            raise PossibleRepeat(candidates)
    institution = original.institution if original is not None else _receiving_institution(viewer, precinct_id)
    signal = Signal.objects.create(
        source=source, summary=summary, received_at=received, address=address, address_key=key,
        reporter=reporter, reporter_anonymous=anonymous, urgency=urgency, need_circumstances=needs,
        reporter_organisation_id=viewer.organisation_id if viewer.is_partner else None,
        institution=institution, precinct_id=original.precinct_id if original is not None else precinct_id,
        registered_by_subject=viewer.subject or "", repeat_of=original,
        status=original.status if original is not None else Signal.Status.RECEIVED,
    )
    audit.record_created(viewer=viewer, verb="signal.register", obj=signal,
                         details={"repeat_of": original.pk} if original is not None else None)
    if original is not None and URGENCY_RANK[urgency] > URGENCY_RANK[original.urgency]:
        # A repeated report that is more urgent raises the urgency of the signal being handled.
        before = audit.snapshot(original, ["urgency"])
        original.urgency = urgency
        original.save(update_fields=["urgency"])
        audit.record_changed(viewer=viewer, verb="signal.escalate", obj=original, before=before,
                             details={"repeat": signal.pk})
    return signal


def _signal_to_work_on(viewer: Viewer, signal_id: int) -> Signal:
    """The signal, locked, if it is in the viewer's scope and the viewer checks signals."""
    signal = signals_for(viewer).select_for_update(of=("self",)).filter(pk=signal_id).first()
    if signal is None:
        raise NotFound(_("Signal not found."))
    if not _staff_worker(viewer):
        raise PermissionDenied(_("You may not check signals."))
    return signal


@audited_write("signal.assign", object_type="cases.signal", id_arg="signal_id")
def assign_signal_check(*, viewer: Viewer, signal_id: int, officer_id: int) -> Signal:
    """Assign the check of a signal (проверка) to an officer of the signal's institution; an officer may take a
    signal for itself, a coordinator assigns any officer of its institution."""
    signal = _signal_to_work_on(viewer, signal_id)
    if not signal.is_open or signal.repeat_of_id is not None:
        raise InvalidTransition(_("Only a new signal or one being checked can be assigned."))
    officer = Officer.objects.filter(pk=officer_id).first()
    if officer is None or officer.institution_id != signal.institution_id:
        raise ValidationFailed(_("Choose an officer of the institution that checks the signal."), field="officer")
    if not viewer.is_admin and not (viewer.has_role(Role.COORDINATOR)
                                    and viewer.institution_id == signal.institution_id):
        if not (viewer.has_role(Role.OFFICER) and officer.username and officer.username == viewer.username):
            raise PermissionDenied(_("Only a coordinator of the institution assigns the check to another officer."))
    before = audit.snapshot(signal, ["status", "assigned_officer_id"])
    signal.assigned_officer = officer
    signal.status = Signal.Status.CHECKING
    signal.save(update_fields=["status", "assigned_officer"])
    audit.record_changed(viewer=viewer, verb="signal.assign", obj=signal, before=before,
                         action=AuditEvent.Action.TRANSITION)
    return signal


ACT_TEXTS = ("members", "housing", "psychological_climate", "circumstances", "conclusion")


@audited_write("signal.inspection_act", object_type="cases.signal", id_arg="signal_id")
def record_inspection_act(
    *, viewer: Viewer, signal_id: int, inspected_on: dt.date, family_categories: Iterable[str], members: str,
    housing: str, psychological_climate: str, income_per_person: Decimal, subsistence_minimum: Decimal,
    need_indicators: Iterable[str], recommended_level: str, support_form: str, help_kinds: Iterable[str],
    conclusion: str, circumstances: str = "",
) -> InspectionAct:
    """The inspection act (акт обследования материально-бытовых условий) with the commission's conclusion;
    recorded again while the check lasts, it replaces the previous version (the audit keeps both)."""
    signal = _signal_to_work_on(viewer, signal_id)
    if not signal.is_open or signal.repeat_of_id is not None:
        raise InvalidTransition(_("The check of this signal is already finished."))
    if inspected_on > _today():
        raise ValidationFailed(_("The inspection date cannot be in the future."), field="inspected_on")
    if inspected_on < timezone.localtime(signal.received_at).date():
        raise ValidationFailed(_("The inspection cannot be earlier than the signal was received (%(day)s)."),
                               field="inspected_on", day=f"{timezone.localtime(signal.received_at):%d.%m.%Y}")
    if income_per_person < 0:
        raise ValidationFailed(_("The income cannot be negative."), field="income_per_person")
    if subsistence_minimum <= 0:
        raise ValidationFailed(_("Enter the regional subsistence minimum per person."), field="subsistence_minimum")
    if recommended_level not in Case.Level.values:
        raise ValidationFailed(_("Choose the recommended level of support."), field="recommended_level")
    if support_form not in SupportForm.values:
        raise ValidationFailed(_("Choose the form of support."), field="support_form")
    texts = {name: column_text(value, InspectionAct, name, required=None if name == "circumstances" else
                               _("Fill in this section of the act."))
             for name, value in zip(ACT_TEXTS, (members, housing, psychological_climate, circumstances, conclusion),
                                    strict=True)}
    values: dict[str, Any] = {
        "inspected_on": inspected_on, "inspector": viewer.audit_name[:200],
        "family_categories": check_choices(family_categories, Category.values, "family_categories"),
        "income_per_person": income_per_person, "subsistence_minimum": subsistence_minimum,
        "need_indicators": check_choices(need_indicators, NeedCircumstance.values, "need_indicators"),
        "recommended_level": recommended_level, "support_form": support_form,
        "help_kinds": check_choices(help_kinds, HelpKind.values, "help_kinds"), **texts,
    }
    if not values["need_indicators"]:
        raise ValidationFailed(_("Mark at least one need indicator found, or do not confirm the signal."),
                               field="need_indicators")
    act = InspectionAct.objects.filter(signal=signal).first()
    if act is None:
        act = InspectionAct.objects.create(signal=signal, **values)
        audit.record_created(viewer=viewer, verb="signal.inspection_act", obj=act)
    else:
        before = audit.snapshot(act, values.keys())
        for name, value in values.items():
            setattr(act, name, value)
        act.save()
        audit.record_changed(viewer=viewer, verb="signal.inspection_act", obj=act, before=before)
    before = audit.snapshot(signal, ["status", "inspected_on", "inspection_findings", "need_circumstances"])
    signal.inspected_on = inspected_on
    signal.inspection_findings = texts["conclusion"]
    signal.need_circumstances = values["need_indicators"]
    signal.status = Signal.Status.CHECKING
    signal.save(update_fields=["status", "inspected_on", "inspection_findings", "need_circumstances"])
    audit.record_changed(viewer=viewer, verb="signal.inspect", obj=signal, before=before)
    return act


# --- Households and persons, after a duplicate check -------------------------------------------

@audited_write("household.register", object_type="cases.household")
def register_household(
    *, viewer: Viewer, address: str, categories: Iterable[str] = (), not_duplicate: bool = False,
) -> Household:
    """A household at an address of the viewer's territory, its precinct found from the address. A household at
    the same address raises PossibleDuplicate unless the caller confirms it is another family."""
    if not _staff_worker(viewer):
        raise PermissionDenied(_("You may not register households."))
    address = column_text(address, Household, "address", required=_("Enter the address."))
    precinct_id, key = resolve_address(address)
    if precinct_id is None:
        raise ValidationFailed(_("The address does not resolve to a precinct: enter the settlement, street and "
                                 "house as in the officer finder."), field="address")
    if not not_duplicate:
        visible, hidden = duplicate_households(viewer=viewer, address_key=key, precinct_id=precinct_id)
        if visible or hidden:
            raise PossibleDuplicate(_("A household at this address is registered already."), field="address",
                                    candidates=visible, hidden=hidden)
    return create_household(viewer=viewer, precinct_id=precinct_id, address=address,
                                     categories=list(categories))


@audited_write("person.register", object_type="cases.household", id_arg="household_id")
def register_person(
    *, viewer: Viewer, household_id: int, last_name: str, first_name: str, middle_name: str = "",
    birth_date: dt.date | None = None, sex: str = "", phone: str = "", relation: str = "",
    categories: Iterable[str] = (), not_duplicate: bool = False,
) -> Person:
    """A member of a household; a person with the same name and date of birth raises PossibleDuplicate unless
    the caller confirms it is another person."""
    if not _staff_worker(viewer):
        raise PermissionDenied(_("You may not register persons."))
    if not not_duplicate and last_name.strip() and first_name.strip():
        visible, hidden = duplicate_persons(viewer=viewer, last_name=last_name, first_name=first_name,
                                            middle_name=middle_name, birth_date=birth_date)
        if visible or hidden:
            raise PossibleDuplicate(_("A person with this name and date of birth is registered already."),
                                    field="last_name", candidates=visible, hidden=hidden)
    return create_person(viewer=viewer, household_id=household_id, last_name=last_name,
                                  first_name=first_name, middle_name=middle_name, birth_date=birth_date, sex=sex,
                                  phone=phone, relation=relation, categories=list(categories))


# --- Application with consent ------------------------------------------------------------

def journal_number(year: int, sequence: int) -> str:
    """The number of an application in the institution's journal («З-2026-000123»)."""
    return f"З-{year}-{sequence:06d}"


@audited_write("application.register", object_type="cases.person", id_arg="person_id")
def record_application(
    *, viewer: Viewer, person_id: int, received_on: dt.date, applicant_kind: str, services_requested: Iterable[str],
    help_requested: Iterable[str], processing_consent: bool, publication_consent: bool = False,
    applicant_name: str = "", need_circumstances: Iterable[str] = (), signal_id: int | None = None,
) -> Application:
    """Register an application (заявление) in the journal of the viewer's institution, with the citizen's
    consent to personal-data processing (required) and, separately, to publication of an anonymised need.
    Without need circumstances of its own it takes those the check of its signal found."""
    if not _staff_worker(viewer) or (viewer.institution_id is None and not viewer.is_admin):
        raise PermissionDenied(_("You may not register applications."))
    person = persons_for(viewer).select_related("household").filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    if person.household_id is None:
        raise ValidationFailed(_("Add the citizen to a household first."), field="person")
    institution_id = viewer.institution_id or (person.household.registered_by_institution_id
                                               if person.household else None)
    if institution_id is None:
        raise ValidationFailed(_("Choose the institution that registers the application."), field="person")
    if applicant_kind not in Application.ApplicantKind.values:
        raise ValidationFailed(_("Choose who applies."), field="applicant_kind")
    name = column_text(applicant_name, Application, "applicant_name",
                       required=None if applicant_kind == Application.ApplicantKind.SELF else
                       _("Enter the name of the representative, citizen or organisation that applies."))
    if received_on > _today():
        raise ValidationFailed(_("The date received cannot be in the future."), field="received_on")
    services_list = check_choices(services_requested, ServiceType.values, "services_requested")
    help_list = check_choices(help_requested, HelpKind.values, "help_requested")
    if not services_list and not help_list:
        raise ValidationFailed(_("Mark the social services or the help requested."), field="services_requested")
    if not processing_consent:
        raise ValidationFailed(_("An application is registered only with the citizen's consent to personal-data "
                                 "processing (152-FZ art. 9)."), field="processing_consent")
    signal = None
    if signal_id is not None:
        signal = signals_for(viewer).filter(pk=signal_id).first()
        if signal is None:
            raise NotFound(_("Signal not found."))
        if signal.status != Signal.Status.CONFIRMED:
            raise InvalidTransition(_("The signal has not been confirmed by a check."))
    needs = check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances")
    # The institution's row serialises the journal: numbers are consecutive per institution and year.
    Organisation.objects.select_for_update().filter(pk=institution_id).first()
    year = received_on.year
    last = Application.objects.filter(institution_id=institution_id, year=year).aggregate(m=Max("sequence"))["m"]
    sequence = (last or 0) + 1
    application = Application.objects.create(
        institution_id=institution_id, year=year, sequence=sequence, journal_number=journal_number(year, sequence),
        received_on=received_on, person=person, applicant_kind=applicant_kind, applicant_name=name,
        services_requested=services_list, help_requested=help_list,
        need_circumstances=needs or (list(signal.need_circumstances) if signal is not None else []),
        signal=signal, registered_by_subject=viewer.subject or "",
    )
    audit.record_created(viewer=viewer, verb="application.register", obj=application)
    document = f"Заявление № {application.journal_number} от {received_on:%d.%m.%Y}"
    record_consent(viewer=viewer, person_id=person.pk, purpose=Consent.Purpose.PROCESSING,
                            given_on=received_on, document=document)
    if publication_consent:
        record_consent(viewer=viewer, person_id=person.pk, purpose=Consent.Purpose.PUBLICATION,
                                given_on=received_on, document=document)
    return application


def applications_for(viewer: Viewer) -> Any:
    """Applications of the viewer's institution whose citizen it sees (admins and supervisors: all)."""
    if viewer.has_role(Role.ADMIN, Role.SUPERVISOR):
        return Application.objects.all()
    if not viewer.has_role(Role.OFFICER, Role.COORDINATOR) or viewer.institution_id is None:
        return Application.objects.none()
    return Application.objects.filter(institution_id=viewer.institution_id, person__in=persons_for(viewer))


@audited_write("application.register_case", object_type="cases.application", id_arg="application_id")
def register_case_from_application(
    *, viewer: Viewer, application_id: int, registered_on: dt.date, level: str = Case.Level.BASIC,
    categories: Iterable[str] = (), reasons: str = "",
) -> Case:
    """Registration (постановка на сопровождение) of the case the application asks for: the citizen is the
    applicant, the household and precinct are theirs, the signal and need circumstances come from the
    application."""
    application = applications_for(viewer).select_for_update(of=("self",)).select_related(
        "person__household").filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("Application not found."))
    if application.case_id is not None:
        raise InvalidTransition(_("A case has already been registered on this application."))
    if registered_on < application.received_on:
        raise ValidationFailed(_("The case cannot be registered before the application was received."),
                               field="registered_on")
    household = application.person.household
    if household is None:
        raise ValidationFailed(_("Add the citizen to a household first."), field="person")
    case = register_case(
        viewer=viewer, applicant_id=application.person_id, household_id=household.pk,
        precinct_id=household.precinct_id, institution_id=application.institution_id, registered_on=registered_on,
        signal_id=application.signal_id, categories=list(categories),
        need_circumstances=application.need_circumstances, reasons=reasons, level=level,
    )
    before = audit.snapshot(application, ["case_id"])
    application.case = case
    application.save(update_fields=["case"])
    audit.record_changed(viewer=viewer, verb="application.register_case", obj=application, before=before)
    return case
