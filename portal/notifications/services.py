"""What the portal tells whom, and when (уведомления, напоминания, эскалация).

Daily (`run_daily(day)`: the scheduler at 07:00, or `portal remind --date`), each part driven by the current
state and idempotent through the notification log — a second run of the same day sends nothing new:

- the escalation ladder of open measures (в работе: assigned or accepted, in a programme in force), counted in
  working days on the production calendar, since interagency regulations set execution terms in working days:
  due within 3 working days → the partner; overdue by 1 → the partner; by 7 → the partner's head contact and
  the case's coordinator; by 14 → a digest to the regional supervisors. A measure fulfilled (or otherwise
  closed) before the run is not in it. Each level is told once per measure, deadline and organisation;
- the coordinators' digest: interim reviews due within 7 days, terms ending within 30 days, lapsed terms,
  measures reported not fulfilled, partners' agreements on interaction ending within 30 days — each item once
  per coordinator;
- consultations: reminders to the specialist 20 and 27 days after the question (the 30-day answer term of
  59-FZ counts calendar days), and the topic's moderators once the question is overdue;
- benefactors who asked for it: new needs of their district and kinds of help.

At once (after the commit of the change, `portal.notifications.events`): a measure assigned, reassigned or
cancelled → the organisation (its address, its contacts marked to receive assignments, its staff in-app); an
organisation without an address → an audit row, and «организация не уведомлена» for the coordinator; a signal's
status changed → its reporting organisation (the status only: never the findings, persons or case).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.models import Case, Measure, Person, Signal
from portal.community.models import Benefactor, Need
from portal.consultations.models import Question, Topic
from portal.core.calendar import working_days_in
from portal.core.errors import PermissionDenied, ValidationFailed
from portal.core.viewer import Viewer
from portal.notifications import recipients as links
from portal.notifications.delivery import (
    Message,
    claim_items,
    deliver,
    known_keys,
    mail_recipients,
    record_undelivered,
    user_recipients,
)
from portal.notifications.messages import safe_task
from portal.notifications.models import PERSONAL_CHANNELS, Channel, Kind, NeedsDigestSubscription, OptOut
from portal.notifications.recipients import Directory
from portal.notifications.selectors import PERSONAL_KINDS, inbox
from portal.partners.selectors import agreements_ending

logger = logging.getLogger("portal.notifications")

#: Case statuses in which a programme is in force (its measures are executed).
PROGRAMME_IN_FORCE = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder (лестница эскалации), in working days."""

    due_within: int = 3
    overdue: int = 1
    head: int = 7
    supervisor: int = 14


LADDER = Ladder()
REVIEW_WITHIN_DAYS = 7
TERM_ENDING_WITHIN_DAYS = 30
AGREEMENT_ENDING_WITHIN_DAYS = 30
QUESTION_REMINDER_DAYS = (20, 27)
SYSTEM = Viewer.system("notifications")


@dataclass
class Report:
    """What a run sent (rows inserted per kind)."""

    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.sent[row.kind] += 1

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.sent.items()))


def case_names(case_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each case's persons (its household and applicant): masked in the tasks messages quote."""
    ids = sorted(set(case_ids))
    names: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return names
    for lookup in ("household__cases__id", "applied_cases__id", "measures__case_id"):
        for case_id, *parts in Person.objects.filter(**{f"{lookup}__in": ids}).values_list(
                lookup, "last_name", "first_name", "middle_name"):
            names[case_id] += [part for part in parts if part]
    return names


def _digest_key(kind: str, day: dt.date, recipient: str, items: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(items)).encode()).hexdigest()[:16]
    return f"{kind}:{day.isoformat()}:{recipient}:{digest}"


# --- The escalation ladder ---------------------------------------------------------------------------------

class _WorkingDays:
    """Working days between a deadline and the run's day, from one pass over the calendar (a region has
    hundreds of distinct deadlines; counting each from scratch would walk the calendar hundreds of times)."""

    def __init__(self, day: dt.date, deadlines: Iterable[dt.date]) -> None:
        self.day = day
        known = list(deadlines)
        start, end = min([day, *known]), max([day, *known])
        self._working = working_days_in(start, end)

    def signed(self, deadline: dt.date) -> int:
        """Working days left until the deadline (≥ 0), or minus the working days it is overdue: as
        `working_days_between`, the first day is not counted and the last one is."""
        if deadline >= self.day:
            return bisect_right(self._working, deadline) - bisect_right(self._working, self.day)
        return -(bisect_right(self._working, self.day) - bisect_right(self._working, deadline))


def _ladder_levels(deadline: dt.date, day: dt.date, distance: int, ladder: Ladder) -> list[str]:
    if deadline >= day:
        return ["due_soon"] if distance <= ladder.due_within else []
    overdue = -distance
    return [level for level, threshold in (("overdue", ladder.overdue), ("head", ladder.head),
                                           ("supervisor", ladder.supervisor)) if overdue >= threshold]


def run_ladder(day: dt.date, *, ladder: Ladder = LADDER, directory: Directory | None = None) -> Report:
    """The daily escalation ladder for `day`."""
    directory = directory or Directory()
    report = Report()
    soonest = day + dt.timedelta(days=ladder.due_within * 3 + 14)  # beyond it no measure is «due soon»
    measures = list(Measure.objects.filter(status__in=Measure.OPEN_STATUSES, case__status__in=PROGRAMME_IN_FORCE,
                                           deadline__lte=soonest)
                    .order_by("deadline", "pk")
                    .values_list("pk", "task", "deadline", "organisation_id", "case_id", "case__code",
                                 "case__coordinator_id", "case__institution_id"))
    counter = _WorkingDays(day, {row[2] for row in measures})
    candidates: list[tuple[str, str, tuple[Any, ...]]] = []
    for row in measures:
        pk, _task, deadline, organisation_id = row[:4]
        distance = counter.signed(deadline)
        for level in _ladder_levels(deadline, day, distance, ladder):
            key = f"ladder:{level}:measure:{pk}:{deadline.isoformat()}:org:{organisation_id}"
            candidates.append((level, key, row))
    told = known_keys(key for level, key, _row in candidates if level != "supervisor")
    supervisor_items = {key: row for level, key, row in candidates if level == "supervisor"}
    fresh = [row for level, key, row in candidates if level != "supervisor" and key not in told]
    names = case_names(row[4] for row in fresh)
    directory.preload({row[3] for row in fresh})
    messages: list[Message] = []
    for level, key, row in candidates:
        if level == "supervisor" or key in told:
            continue
        pk, task, deadline, organisation_id, case_id, case_code, coordinator_id, institution_id = row
        params = {"case": case_code, "task": safe_task(task, names[case_id]), "deadline": deadline.isoformat(),
                  "organisation": directory.organisation_name(organisation_id), "days": -counter.signed(deadline)}
        if level in ("due_soon", "overdue"):
            people, _has_address = directory.organisation(organisation_id)
            kind = Kind.MEASURE_DUE_SOON if level == "due_soon" else Kind.MEASURE_OVERDUE
            messages.append(Message(key=key, kind=kind, params=params, recipients=people, object_type="cases.measure",
                                    object_id=str(pk), link=links.partner_measure_link(pk)))
        else:
            messages.append(Message(key=key + ":head", kind=Kind.MEASURE_ESCALATED, params=params,
                                    recipients=directory.head(organisation_id), object_type="cases.measure",
                                    object_id=str(pk), link=links.partner_measure_link(pk)))
            messages.append(Message(key=key + ":coordinator", kind=Kind.MEASURE_ESCALATED, params=params,
                                    recipients=directory.case_coordinators(coordinator_id, institution_id),
                                    object_type="cases.measure", object_id=str(pk),
                                    link=links.staff_measure_link(pk)))
    with transaction.atomic():
        report.add(deliver(messages, day=day))
        report.add(_supervisor_digest(day, supervisor_items, counter, directory))
    return report


def _supervisor_digest(day: dt.date, items: dict[str, tuple[Any, ...]], counter: _WorkingDays,
                       directory: Directory) -> list[Any]:
    """One digest per supervisor of the measures that reached the last level since the last digest."""
    if not items:
        return []
    fresh = claim_items("ladder:supervisor", items)
    if not fresh:
        return []
    listed = []
    names = case_names(items[key][4] for key in fresh)
    for key in fresh:
        _pk, task, deadline, organisation_id, case_id, case_code, _coordinator, _institution = items[key]
        listed.append({"case": case_code, "task": safe_task(task, names[case_id]), "deadline": deadline.isoformat(),
                       "organisation": directory.organisation_name(organisation_id),
                       "days": -counter.signed(deadline)})
    params = {"items": listed, "days": LADDER.supervisor}
    return deliver([Message(key=_digest_key(Kind.OVERDUE_DIGEST, day, "supervisors", fresh),
                            kind=Kind.OVERDUE_DIGEST, params=params, recipients=directory.supervisors(),
                            link=links.overdue_measures_link())], day=day)


# --- Coordinators' digest ----------------------------------------------------------------------------------

def run_coordinator_digests(day: dt.date, *, directory: Directory | None = None) -> Report:
    """Each coordinator: what of their cases needs attention and was not in an earlier digest."""
    directory = directory or Directory()
    report = Report()
    per_case: dict[tuple[int | None, int], list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED)
    fields = ("pk", "code", "coordinator_id", "institution_id")
    for pk, code, coordinator, institution, due in open_cases.filter(
            review_due_on__range=(day, day + dt.timedelta(days=REVIEW_WITHIN_DAYS))).values_list(
            *fields, "review_due_on"):
        per_case[(coordinator, institution)].append(
            ("reviews", f"review:{pk}:{due.isoformat()}", {"case": code, "date": due.isoformat()}))
    for pk, code, coordinator, institution, ends in open_cases.filter(
            ends_on__range=(day, day + dt.timedelta(days=TERM_ENDING_WITHIN_DAYS))).values_list(*fields, "ends_on"):
        per_case[(coordinator, institution)].append(
            ("terms_ending", f"term_ending:{pk}:{ends.isoformat()}", {"case": code, "date": ends.isoformat()}))
    for pk, code, coordinator, institution, ends in open_cases.filter(ends_on__lt=day).values_list(
            *fields, "ends_on"):
        per_case[(coordinator, institution)].append(
            ("terms_lapsed", f"term_lapsed:{pk}:{ends.isoformat()}", {"case": code, "date": ends.isoformat()}))
    not_fulfilled = (Measure.objects.filter(status=Measure.Status.NOT_FULFILLED, case__in=open_cases,
                                            done_on__gte=day - dt.timedelta(days=TERM_ENDING_WITHIN_DAYS))
                     .values_list("pk", "task", "deadline", "organisation_id", "case__code",
                                  "case__coordinator_id", "case__institution_id", "done_on", "case_id"))
    returned = list(not_fulfilled)
    names = case_names(case_id for *_fields, case_id in returned)
    for pk, task, deadline, organisation_id, code, coordinator, institution, done_on, case_id in returned:
        per_case[(coordinator, institution)].append(
            ("not_fulfilled", f"not_fulfilled:{pk}:{done_on}",
             {"case": code, "task": safe_task(task, names[case_id]), "deadline": deadline.isoformat(),
              "organisation": directory.organisation_name(organisation_id)}))
    # Returned by the organisation (возвращено): waiting for the coordinator to reassign or cancel it; told once per
    # return (a measure reassigned and returned again has a new version).
    handed_back = list(Measure.objects.filter(status=Measure.Status.RETURNED, case__in=open_cases).values_list(
        "pk", "task", "deadline", "organisation_id", "case__code", "case__coordinator_id", "case__institution_id",
        "version", "return_code", "case_id"))
    names = case_names(case_id for *_fields, case_id in handed_back)
    for pk, task, deadline, organisation_id, code, coordinator, institution, version, reason, case_id in handed_back:
        per_case[(coordinator, institution)].append(
            ("returned", f"returned:{pk}:{version}",
             {"case": code, "task": safe_task(task, names[case_id]), "deadline": deadline.isoformat(),
              "organisation": directory.organisation_name(organisation_id), "reason": reason}))
    per_recipient: dict[str, tuple[Any, list[tuple[str, str, dict[str, Any]]]]] = {}
    for (coordinator, institution), items in per_case.items():
        for person in directory.case_coordinators(coordinator, institution):
            per_recipient.setdefault(person.address, (person, []))[1].extend(items)
    for people, item in _agreements_ending(day, open_cases, directory):
        for person in people:
            per_recipient.setdefault(person.address, (person, []))[1].append(item)
    messages = []
    for address, (person, items) in sorted(per_recipient.items()):
        by_key = {key: (section, values) for section, key, values in items}
        fresh = claim_items(address, sorted(by_key))
        if not fresh:
            continue
        params: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for key in sorted(fresh, key=lambda k: (by_key[k][1].get("date") or by_key[k][1].get("deadline"), k)):
            section, values = by_key[key]
            params[section].append(values)
        messages.append(Message(key=_digest_key(Kind.COORDINATOR_DIGEST, day, address, fresh),
                                kind=Kind.COORDINATOR_DIGEST, params=dict(params), recipients=[person],
                                link=links.staff_cases_link()))
    report.add(deliver(messages, day=day))
    return report


def _agreements_ending(day: dt.date, open_cases: Any, directory: Directory) -> list[tuple[list[Any], tuple[
        str, str, dict[str, Any]]]]:
    """Agreements on interaction ending within 30 days (seed 004 rows 31–32), each with whom to remind: the
    coordinators of the institutions whose open cases have open measures with that organisation (they must renew
    or reassign), or, when there are none, all coordinators of the organisation's district (the regional
    supervisors for an organisation without a district). Told once per agreement and end date."""
    reminders = []
    for agreement in agreements_ending(on=day, within_days=AGREEMENT_ENDING_WITHIN_DAYS):
        organisation = agreement.organisation
        assert agreement.expires_on is not None  # the selector lists agreements with an end date only
        item = ("agreements_ending", f"agreement_ending:{agreement.pk}:{agreement.expires_on.isoformat()}",
                {"organisation": str(organisation), "number": agreement.number,
                 "date": agreement.expires_on.isoformat()})
        institutions = sorted(set(Measure.objects.filter(
            organisation_id=organisation.pk, status__in=Measure.OPEN_STATUSES, case__in=open_cases).values_list(
            "case__institution_id", flat=True)))
        if institutions:
            people = [person for institution in institutions for person in directory.coordinators(institution)]
        elif organisation.district_id is not None:
            people = directory.district_coordinators(organisation.district_id)
        else:
            people = directory.supervisors()
        reminders.append((people, item))
    return reminders


# --- Consultations -----------------------------------------------------------------------------------------

def run_consultations(day: dt.date) -> Report:
    """Reminders to the specialist at 20 and 27 days; the topic's moderators once a question is overdue."""
    report = Report()
    messages: list[Message] = []
    first_reminder = timezone.make_aware(dt.datetime.combine(
        day - dt.timedelta(days=min(QUESTION_REMINDER_DAYS) - 1), dt.time.min))
    questions = (Question.objects.filter(status__in=Question.OPEN_STATUSES)
                 .filter(Q(created_at__lt=first_reminder) | Q(due_on__lt=day))
                 .select_related("topic", "specialist").order_by("created_at", "pk"))
    moderators: dict[int, list[Any]] = {}
    for question in questions:
        asked = timezone.localdate(question.created_at)
        age = (day - asked).days
        params = {"number": question.pk, "topic": question.topic.name, "due": question.due_on.isoformat(),
                  "days": age}
        reached = [level for level in QUESTION_REMINDER_DAYS if age >= level]
        specialist = question.specialist
        if reached and specialist is not None and question.due_on >= day:
            keys = {level: f"question:reminder:{question.pk}:{level}" for level in QUESTION_REMINDER_DAYS}
            told = known_keys(keys.values())
            top = max(reached)
            # After downtime only the latest reminder is sent, and an earlier one never follows a later one.
            if not any(keys[level] in told for level in QUESTION_REMINDER_DAYS if level >= top):
                people = user_recipients([specialist.user_id]) if specialist.user_id else []
                people = people or mail_recipients([specialist.email])
                messages.append(Message(key=keys[top], kind=Kind.QUESTION_REMINDER, params=params, recipients=people,
                                        object_type="consultations.question", object_id=str(question.pk),
                                        link=links.question_queue_link(question.pk)))
        if question.due_on < day:
            if question.topic_id not in moderators:
                ids = Topic.moderators.through.objects.filter(topic_id=question.topic_id).values_list(
                    "user_id", flat=True)
                moderators[question.topic_id] = user_recipients(ids)
            messages.append(Message(key=f"question:overdue:{question.pk}:{question.due_on.isoformat()}",
                                    kind=Kind.QUESTION_OVERDUE, params=params,
                                    recipients=moderators[question.topic_id],
                                    object_type="consultations.question", object_id=str(question.pk),
                                    link=links.question_queue_link(question.pk)))
    report.add(deliver(messages, day=day))
    return report


# --- Benefactors -------------------------------------------------------------------------------------------

def unsubscribe_token(benefactor_id: int) -> str:
    return signing.dumps({"b": benefactor_id}, salt="notifications.needs_digest")


def benefactor_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt="notifications.needs_digest")
    except signing.BadSignature:
        return None
    return int(value["b"]) if isinstance(value, dict) and "b" in value else None


def run_needs_digests(day: dt.date) -> Report:
    """Benefactors who asked for it: the needs of their district and kinds of help published since they
    subscribed and not yet in a digest (category, kind of help, urgency and a link: the public fields)."""
    report = Report()
    messages = []
    subscribed = (Benefactor.objects.filter(status=Benefactor.Status.APPROVED, needs_digest__isnull=False)
                  .exclude(email="").select_related("needs_digest").order_by("pk"))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    for benefactor in subscribed:
        needs = list(Need.objects.filter(district_id=benefactor.district_id, help_kind__in=benefactor.help_kinds,
                                         withdrawn_at__isnull=True, created_at__lt=end,
                                         created_at__gte=benefactor.needs_digest.created_at)
                     .order_by("created_at", "pk"))
        address = f"benefactor:{benefactor.pk}"
        fresh = set(claim_items(address, [f"need:{need.pk}" for need in needs]))
        items = [{"number": need.pk, "kind": need.help_kind, "urgency": need.urgency}
                 for need in needs if f"need:{need.pk}" in fresh]
        if not items:
            continue
        stop = f"{settings.PUBLIC_BASE_URL}/notifications/needs/stop/{unsubscribe_token(benefactor.pk)}/"
        params = {"items": items, "unsubscribe": stop}
        messages.append(Message(key=_digest_key(Kind.NEEDS_DIGEST, day, address, sorted(fresh)),
                                kind=Kind.NEEDS_DIGEST, params=params,
                                recipients=mail_recipients([benefactor.email]), object_type="community.benefactor",
                                object_id=str(benefactor.pk), link=links.needs_link(), channels=(Channel.EMAIL,)))
    report.add(deliver(messages, day=day))
    return report


# --- The daily run -----------------------------------------------------------------------------------------

def run_daily(day: dt.date | None = None) -> Report:
    """Everything due on `day` (today by default), in order: ladder, coordinators, consultations, benefactors."""
    day = day or timezone.localdate()
    directory = Directory()
    report = Report()
    for part in (run_ladder(day, directory=directory), run_coordinator_digests(day, directory=directory),
                 run_consultations(day), run_needs_digests(day)):
        for kind, count in part.sent.items():
            report.sent[kind] += count
    logger.info("daily notifications", extra={"day": day.isoformat(), "sent": report.as_dict()})
    return report


# --- Immediate events --------------------------------------------------------------------------------------

def _measure_params(measure: Measure, organisation_id: int, directory: Directory) -> dict[str, Any]:
    return {"case": measure.case.code, "task": safe_task(measure.task, case_names([measure.case_id])[measure.case_id]),
            "deadline": measure.deadline.isoformat(),
            "organisation": directory.organisation_name(organisation_id)}


def _tell_organisation(*, kind: str, key: str, measure: Measure, organisation_id: int, day: dt.date,
                       directory: Directory, event: AuditEvent) -> int:
    people, has_address = directory.organisation(organisation_id)
    params = _measure_params(measure, organisation_id, directory)
    link = links.partner_measure_link(measure.pk) if kind != Kind.MEASURE_WITHDRAWN else ""
    sent = len(deliver([Message(key=key, kind=kind, params=params, recipients=people, object_type="cases.measure",
                                object_id=str(measure.pk), link=link)], day=day))
    if has_address:
        return sent
    # No address: nobody at the organisation was told by e-mail. Keep it, audit it, tell the coordinator.
    if record_undelivered(key=key, kind=kind, organisation_id=organisation_id, object_type="cases.measure",
                          object_id=str(measure.pk), params=params, day=day):
        audit.record(viewer=SYSTEM, action=AuditEvent.Action.UPDATE, verb="notification.not_delivered",
                     obj=measure, details={"organisation": organisation_id, "kind": str(kind),
                                           "reason": "no_address", "event": event.pk})
        case = measure.case
        sent += len(deliver([Message(key=f"not_notified:{key}", kind=Kind.NOT_NOTIFIED, params=params,
                                     recipients=directory.case_coordinators(case.coordinator_id,
                                                                            case.institution_id),
                                     object_type="cases.measure", object_id=str(measure.pk),
                                     link=links.staff_measure_link(measure.pk))], day=day))
    return sent


def _organisation_change(changes: dict[str, Any]) -> tuple[int | None, int | None]:
    before, after = changes.get("organisation_id", [None, None])
    return (int(before) if before else None), (int(after) if after else None)


@transaction.atomic
def notify_event(event_id: int) -> int:
    """Tell who must know of the change an audit event records (measure assigned, reassigned, cancelled; a
    signal's status). Returns the messages sent; a repeated call sends nothing."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None or event.action == AuditEvent.Action.ATTEMPT:
        return 0
    day = timezone.localdate(event.at)
    directory = Directory()
    if event.object_type == "cases.measure":
        measure = Measure.objects.select_related("case").filter(pk=int(event.object_id)).first()
        if measure is None:
            return 0
        if event.verb == "measure.assign":
            return _tell_organisation(kind=Kind.MEASURE_ASSIGNED, key=f"measure:{measure.pk}:assigned:{event.pk}",
                                      measure=measure, organisation_id=measure.organisation_id, day=day,
                                      directory=directory, event=event)
        if event.verb == "measure.reassign":
            previous, current = _organisation_change(event.changes)
            sent = 0
            if current:
                sent += _tell_organisation(kind=Kind.MEASURE_ASSIGNED,
                                           key=f"measure:{measure.pk}:assigned:{event.pk}", measure=measure,
                                           organisation_id=current, day=day, directory=directory, event=event)
            if previous:
                people, _has_address = directory.organisation(previous)
                sent += len(deliver([Message(
                    key=f"measure:{measure.pk}:withdrawn:{event.pk}", kind=Kind.MEASURE_WITHDRAWN,
                    params=_measure_params(measure, previous, directory), recipients=people,
                    object_type="cases.measure", object_id=str(measure.pk))], day=day))
            return sent
        if event.verb == "measure.cancel":
            return _tell_organisation(kind=Kind.MEASURE_CANCELLED, key=f"measure:{measure.pk}:cancelled:{event.pk}",
                                      measure=measure, organisation_id=measure.organisation_id, day=day,
                                      directory=directory, event=event)
        return 0
    if event.object_type == "cases.signal":
        from portal.notifications.events import told_at_once  # cycle: events → jobs → this module

        if not told_at_once(event):
            return 0
        status = event.changes["status"][1]
        signal = Signal.objects.filter(pk=int(event.object_id)).first()
        if signal is None or not status or signal.reporter_organisation_id is None:
            return 0
        people, _has_address = directory.organisation(signal.reporter_organisation_id)
        params = {"number": signal.pk, "received": timezone.localdate(signal.received_at).isoformat(),
                  "status": status}
        return len(deliver([Message(key=f"signal:{signal.pk}:status:{status}", kind=Kind.SIGNAL_STATUS,
                                    params=params, recipients=people, object_type="cases.signal",
                                    object_id=str(signal.pk), link=links.workspace_signals_link())], day=day))
    return 0


# --- The in-app list, opt-outs, subscriptions --------------------------------------------------------------

def mark_read(*, viewer: Viewer, notification_id: int | None = None) -> int:
    """Mark one of the viewer's in-app notifications read (all of them when no id is given)."""
    unread = inbox(viewer=viewer).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_opt_outs(*, viewer: Viewer, opt_outs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Replace the viewer's opt-outs (kind, channel) with `opt_outs`; unknown pairs are refused."""
    if viewer.user_id is None:
        raise PermissionDenied(_("Sign in to choose your notifications."))
    wanted = set(opt_outs)
    allowed = {(str(kind), str(channel)) for kind in PERSONAL_KINDS for channel in PERSONAL_CHANNELS}
    if not wanted <= allowed:
        raise ValidationFailed(_("Unknown kind of notification."), field="opt_out")
    OptOut.objects.filter(user_id=viewer.user_id).exclude(
        pk__in=[pk for pk, kind, channel in OptOut.objects.filter(user_id=viewer.user_id)
                .values_list("pk", "kind", "channel") if (kind, channel) in wanted]).delete()
    OptOut.objects.bulk_create([OptOut(user_id=viewer.user_id, kind=kind, channel=channel)
                                for kind, channel in sorted(wanted)], ignore_conflicts=True)
    return wanted


def subscribe_benefactor(*, viewer: Viewer, benefactor_id: int) -> None:
    """A benefactor asked for the digest of new needs (recorded by staff, or by the sign-up form)."""
    NeedsDigestSubscription.objects.get_or_create(benefactor_id=benefactor_id)


def unsubscribe_benefactor(*, token: str) -> bool:
    """The link in every needs digest: stop it. True when a subscription ended."""
    benefactor_id = benefactor_from_token(token)
    if benefactor_id is None:
        return False
    deleted, _rows = NeedsDigestSubscription.objects.filter(benefactor_id=benefactor_id).delete()
    return bool(deleted)
