"""Retention of personal data and withdrawal of consent (152-FZ art. 5 p. 7, art. 21 p. 4–5; хранение и
обезличивание персональных данных).

Two ways lead to the same anonymisation:

* **Retention over**: every case a person belongs to (as applicant, household member, programme or measure
  recipient) is closed, and the last one closed more than `PERSONAL_DATA_RETENTION_DAYS` ago.
* **Processing consent withdrawn** (отзыв согласия на обработку): from the withdrawal date on, processing stops —
  the person leaves every staff scope (`selectors.persons_for`), and any change of the person, their consents
  (except withdrawing one) or their applications is refused and audited (`refuse_stopped_processing`). Once no
  open case includes the person, the next run anonymises them without waiting for the retention period.

The daily job (`portal.cases.jobs.anonymise_due_persons`) anonymises each due person in its own transaction
(`anonymise_person`): names, birth date and phone are removed (the last name becomes a stable pseudonym), the
names on their applications too, their remaining consents are withdrawn, and their audit events are
pseudonymised (`portal.audit.pseudonymise`). When no member of their household is left un-anonymised and the
household has no open case, the household's address and notes go too, and so do the free texts of its closed
cases, their signals and inspection acts. Sex, categories, precinct, dates, statuses and outcomes stay: they
are not enough to identify a person and the region's statistics need them. Persons never part of a case are
not touched by the retention clock (they are registered for a case about to be opened) — only by a withdrawal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.audit.pseudonymise import pseudonymise_events
from portal.cases.models import Application, Case, Consent, Household, InspectionAct, Measure, Person, Programme, Signal
from portal.core.errors import PermissionDenied
from portal.core.viewer import Viewer
from search.outbox import enqueue, enqueue_many

logger = logging.getLogger("portal.cases.retention")

#: Personal fields blanked on each kind of object, and in its audit events.
PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "phone")
APPLICATION_FIELDS = ("applicant_name",)
HOUSEHOLD_FIELDS = ("address", "notes")
CASE_FIELDS = ("reasons", "results", "recommendations")
SIGNAL_FIELDS = ("address", "address_key", "reporter", "summary", "inspection_findings", "dismissal_reason")
INSPECTION_FIELDS = ("members", "housing", "psychological_climate", "circumstances", "conclusion")

REASON_RETENTION = "retention_period_over"
REASON_CONSENT = "processing_consent_withdrawn"

_anonymising: ContextVar[bool] = ContextVar("portal_cases_anonymising", default=False)


def today() -> dt.date:
    return timezone.localdate()


def retention_period() -> dt.timedelta:
    return dt.timedelta(days=int(settings.PERSONAL_DATA_RETENTION_DAYS))


def pseudonym(kind: str, object_id: int) -> str:
    """A stable pseudonym of an object (the same in the row and in every audit event): HMAC-SHA256 of kind and id
    keyed with SECRET_KEY, so it cannot be traced back to the name, and stays the same across runs."""
    digest = hmac.new(str(settings.SECRET_KEY).encode(), f"retention:{kind}:{object_id}".encode(), hashlib.sha256)
    return f"anon-{digest.hexdigest()[:12]}"


# --- Who is due ------------------------------------------------------------------------------------------------

def processing_withdrawn(on: dt.date | None = None) -> Q:
    """Persons whose consent to processing is withdrawn on `on` (today) with no other valid one."""
    on = on or today()
    processing = Consent.objects.filter(purpose=Consent.Purpose.PROCESSING)
    withdrawn = processing.filter(withdrawn_on__lte=on)
    valid = processing.filter(given_on__lte=on).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    return Q(pk__in=withdrawn.values("person_id")) & ~Q(pk__in=valid.values("person_id"))


def _involved_in(cases: QuerySet[Case]) -> Q:
    """Persons who belong to one of these cases: applicant, member of its household, programme or measure
    recipient."""
    recipients = Programme.recipients.through.objects.filter(programme__case__in=cases).values("person_id")
    return (Q(pk__in=cases.values("applicant_id")) | Q(household_id__in=cases.values("household_id"))
            | Q(pk__in=recipients)
            | Q(pk__in=Measure.objects.filter(case__in=cases, recipient__isnull=False).values("recipient_id")))


def _open_cases() -> QuerySet[Case]:
    return Case.objects.exclude(status=Case.Status.CLOSED)


def persons_due(on: dt.date | None = None) -> QuerySet[Person]:
    """Persons to anonymise on `on`: not yet anonymised, in no open case, and either their processing consent is
    withdrawn or their last case closed more than the retention period ago."""
    on = on or today()
    recently_closed = Case.objects.filter(status=Case.Status.CLOSED, closed_on__gte=on - retention_period())
    retention_over = _involved_in(Case.objects.all()) & ~_involved_in(recently_closed)
    return (Person.objects.filter(anonymised_on__isnull=True).exclude(_involved_in(_open_cases()))
            .filter(retention_over | processing_withdrawn(on)).order_by("pk"))


def reason_for(person: Person, on: dt.date) -> str:
    return REASON_CONSENT if Person.objects.filter(processing_withdrawn(on), pk=person.pk).exists() \
        else REASON_RETENTION


# --- Stopped processing ----------------------------------------------------------------------------------------

@contextmanager
def _anonymisation() -> Iterator[None]:
    token = _anonymising.set(True)
    try:
        yield
    finally:
        _anonymising.reset(token)


def _is_frozen(person_id: int | None) -> bool:
    """The person's data may not change: processing stopped by a withdrawn consent, or already anonymised."""
    if person_id is None:
        return False
    return Person.objects.filter(Q(anonymised_on__isnull=False) | processing_withdrawn(), pk=person_id).exists()


def refuse_stopped_processing(sender: type[models.Model], instance: models.Model, raw: bool = False,
                              update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    """pre_save guard: a change of a person whose processing stopped, of their consents (withdrawing one is
    the exception: that path stays open) or of their applications is refused. Raised inside a service, the
    refusal becomes an attempt row of the audit trail (portal.audit.services.audited_write)."""
    if raw or _anonymising.get():
        return
    if isinstance(instance, Person):
        person_id = instance.pk
    elif isinstance(instance, Consent):
        if instance.pk is not None and update_fields is not None and set(update_fields) <= {"withdrawn_on"}:
            return
        person_id = instance.person_id
    elif isinstance(instance, Application):
        person_id = instance.person_id
    else:
        return
    if _is_frozen(person_id):
        raise PermissionDenied(_("This person's personal data is no longer processed: the consent to processing "
                                 "was withdrawn or the data was anonymised."))


def connect_guards() -> None:
    for model in (Person, Consent, Application):
        models.signals.pre_save.connect(refuse_stopped_processing, sender=model,
                                        dispatch_uid=f"portal.cases.retention.{model.__name__}")


# --- Anonymisation -----------------------------------------------------------------------------------------------

def _blank(obj: models.Model, fields: tuple[str, ...], values: dict[str, Any] | None = None) -> list[str]:
    """Set each field to its empty value (None where nullable), return the names that changed."""
    changed = []
    for name in fields:
        field = obj._meta.get_field(name)
        empty = (values or {}).get(name, None if field.null else "")
        if getattr(obj, name) != empty:
            setattr(obj, name, empty)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
    return changed


def _record(viewer: Viewer, verb: str, obj: models.Model, fields: list[str], reason: str) -> None:
    """The anonymisation's own audit event: which fields were blanked and why, never their values."""
    audit.record(viewer=viewer, action=AuditEvent.Action.UPDATE, verb=verb, obj=obj,
                 details={"reason": reason, "fields": fields})


def _anonymise_household(viewer: Viewer, household: Household, reason: str) -> bool:
    """The household's address and notes, and the free texts of its (all closed) cases with their signals and
    inspection acts — once no member is left un-anonymised and no case of it is open."""
    if household.members.filter(anonymised_on__isnull=True).exists() or \
            _open_cases().filter(household=household).exists():
        return False
    name = pseudonym("household", household.pk)
    changed = _blank(household, HOUSEHOLD_FIELDS, {"address": name})
    if changed:
        _record(viewer, "household.anonymise", household, changed, reason)
    pseudonymise_events(object_type="cases.household", object_ids=[household.pk], pseudonym=name,
                        fields=HOUSEHOLD_FIELDS)
    cases = list(Case.objects.filter(household=household))
    for case in cases:
        if changed_case := _blank(case, CASE_FIELDS):
            _record(viewer, "case.anonymise", case, changed_case, reason)
    pseudonymise_events(object_type="cases.case", object_ids=[case.pk for case in cases], pseudonym=None,
                        fields=CASE_FIELDS)
    signals = list(Signal.objects.filter(Q(cases__in=cases) | Q(applications__case__in=cases)).distinct())
    for signal in signals:
        if changed_signal := _blank(signal, SIGNAL_FIELDS):
            _record(viewer, "signal.anonymise", signal, changed_signal, reason)
        pseudonymise_events(object_type="cases.signal", object_ids=[signal.pk], pseudonym=str(signal),
                            fields=SIGNAL_FIELDS)
    acts = list(InspectionAct.objects.filter(signal__in=signals))
    for act in acts:
        if changed_act := _blank(act, INSPECTION_FIELDS):
            _record(viewer, "inspection_act.anonymise", act, changed_act, reason)
    pseudonymise_events(object_type="cases.inspectionact", object_ids=[act.pk for act in acts], pseudonym=None,
                        fields=INSPECTION_FIELDS)
    enqueue_many("case", [case.pk for case in cases])
    return True


def anonymise_person(*, viewer: Viewer, person_id: int, on: dt.date | None = None) -> bool:
    """Anonymise one due person (see the module's docstring) in one transaction; False when the person is no
    longer due (a case was opened meanwhile, or another run did it)."""
    on = on or today()
    with transaction.atomic(), _anonymisation():
        person = persons_due(on).select_for_update().filter(pk=person_id).first()
        if person is None:
            return False
        reason = reason_for(person, on)
        name = pseudonym("person", person.pk)
        changed = _blank(person, PERSON_FIELDS, {"last_name": name})
        person.anonymised_on = on
        person.save(update_fields=["anonymised_on"])
        _record(viewer, "person.anonymise", person, changed, reason)
        pseudonymise_events(object_type="cases.person", object_ids=[person.pk], pseudonym=name,
                            fields=PERSON_FIELDS)
        applications = list(Application.objects.filter(person=person).exclude(
            applicant_kind=Application.ApplicantKind.ORGANISATION))
        for application in applications:
            if changed_application := _blank(application, APPLICATION_FIELDS):
                _record(viewer, "application.anonymise", application, changed_application, reason)
        pseudonymise_events(object_type="cases.application", object_ids=[a.pk for a in applications],
                            pseudonym=None, fields=APPLICATION_FIELDS)
        for consent in Consent.objects.filter(person=person, withdrawn_on__isnull=True):
            before = audit.snapshot(consent, ["withdrawn_on"])
            consent.withdrawn_on = on
            consent.save(update_fields=["withdrawn_on"])
            audit.record_changed(viewer=viewer, verb="consent.withdraw", obj=consent, before=before,
                                 details={"reason": reason})
        enqueue("person", person.pk)
        enqueue_many("case", Case.objects.filter(applicant=person).values_list("pk", flat=True))
        if person.household_id is not None:
            _anonymise_household(viewer, Household.objects.select_for_update().get(pk=person.household_id), reason)
    logger.info("person anonymised", extra={"person_id": person.pk, "reason": reason})
    return True


def anonymise_due_persons(*, viewer: Viewer, on: dt.date | None = None) -> dict[str, int]:
    """Anonymise every person due on `on`; each in its own transaction, so one failure does not undo the rest.
    Returns the counts per reason."""
    on = on or today()
    counts = {REASON_RETENTION: 0, REASON_CONSENT: 0, "skipped": 0}
    for person_id in list(persons_due(on).values_list("pk", flat=True)):
        reason = reason_for(Person(pk=person_id), on)
        if anonymise_person(viewer=viewer, person_id=person_id, on=on):
            counts[reason] += 1
        else:
            counts["skipped"] += 1
    return counts


def refuse_read_of_stopped_person(*, viewer: Viewer, person_id: int) -> None:
    """A read of a person of the viewer's scope whose processing stopped: refused, and the attempt audited."""
    message = _("This person's personal data is no longer processed: the consent to processing was withdrawn.")
    audit.record_attempt(viewer=viewer, verb="person.read", object_type="cases.person", object_id=person_id,
                         code=PermissionDenied.code, message=str(message))
    raise PermissionDenied(message)
