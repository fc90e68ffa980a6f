"""Reads of cases, persons and measures, always scoped by the Viewer (see `access`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.db.models import F, Model, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.audit.selectors import events_for_objects
from portal.cases.access import case_scope, may_manage_case, scoped_cases, scoped_measures
from portal.cases.models import (
    UNDER_WAY_STATUSES,
    Case,
    CaseTransfer,
    CollegialDecision,
    Consent,
    Household,
    Measure,
    MeasureComment,
    Person,
    Review,
    Signal,
)
from portal.cases.retention import processing_withdrawn, refuse_read_of_stopped_person
from portal.cases.terms import latest_end
from portal.core.errors import NotFound
from portal.core.ids import require_id
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation, OrganisationKind

M = TypeVar("M", bound=Model)


def today() -> dt.date:
    return timezone.localdate()


# --- Measures -----------------------------------------------------------------

def measures_for(viewer: Viewer) -> QuerySet[Measure]:
    """Measures the viewer may see: a partner only those assigned to its organisation."""
    return scoped_measures(viewer, Measure.objects.all())


def filter_measures(
    measures: QuerySet[Measure], *, status: str | Iterable[str] | None = None, overdue: bool | None = None,
    due_before: dt.date | None = None, kind: str | None = None, text: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Measure]:
    day = today or timezone.localdate()
    if status:
        measures = measures.filter(status=status) if isinstance(status, str) else measures.filter(status__in=status)
    open_q = Q(status__in=Measure.OPEN_STATUSES)
    if overdue is True:
        measures = measures.filter(open_q, deadline__lt=day)
    elif overdue is False:
        measures = measures.exclude(open_q & Q(deadline__lt=day))
    if due_before:
        measures = measures.filter(deadline__lte=due_before)
    if kind:
        measures = measures.filter(kind=kind)
    if text and text.strip():
        needle = text.strip()
        measures = measures.filter(Q(task__icontains=needle) | Q(content__icontains=needle)
                                   | Q(case__code__icontains=needle))
    return measures.order_by("deadline", "id")


def get_measure(*, viewer: Viewer, measure_id: int | str) -> Measure:
    """A visible measure; another organisation's measure is reported exactly like a missing one."""
    pk = require_id(measure_id, _("Measure not found."))
    measure = measures_for(viewer).select_related("case", "organisation").filter(pk=pk).first()
    if measure is None:
        raise NotFound(_("Measure not found."))
    return measure


def _recipient_values(measure: Measure) -> dict[str, str]:
    case = measure.case
    person = measure.recipient or case.applicant
    household = person.household if person.household_id else case.household
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "middle_name": person.middle_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "phone": person.phone,
        "address": household.address if household else "",
        "district": case.precinct.district.name,
    }


#: Shared fields that are not personal data on their own (no access record needed).
NON_PERSONAL_FIELDS = frozenset({"district"})


def shared_recipient_data_many(*, viewer: Viewer, measures: Iterable[Measure]) -> dict[int, dict[str, str]]:
    """Recipient data each measure shares with its organisation; one access record per measure read
    (152-FZ art. 19). Staff who may read the case see the shared subset too (same view as the partner)."""
    visible_ids = set(measures_for(viewer).filter(pk__in=[m.pk for m in measures]).values_list("pk", flat=True))
    wanted = [m for m in measures if m.pk in visible_ids]
    loaded = Measure.objects.filter(pk__in=[m.pk for m in wanted]).select_related(
        "recipient__household", "case__applicant__household", "case__household", "case__precinct__district",
    ).in_bulk()
    result: dict[int, dict[str, str]] = {}
    reads: list[audit.Read] = []
    for measure in wanted:
        full = loaded[measure.pk]
        values = _recipient_values(full)
        shared = {name: values[name] for name in full.shared_fields if name in values}
        result[measure.pk] = shared
        personal = set(shared) - NON_PERSONAL_FIELDS
        if personal:  # the row names the person by id and the case by its code, never by name
            reads.append(audit.Read(verb="measure.recipient.read", fields=personal, object_type="cases.person",
                                    object_id=full.recipient_id or full.case.applicant_id, object_repr=full.case.code,
                                    details={"measure": full.pk}))
    audit.record_reads(viewer=viewer, reads=reads)
    return result


def shared_recipient_data(*, viewer: Viewer, measure: Measure) -> dict[str, str]:
    return shared_recipient_data_many(viewer=viewer, measures=[measure]).get(measure.pk, {})


def overdue_measures(*, viewer: Viewer, today: dt.date | None = None) -> QuerySet[Measure]:
    """Overdue measures (просроченные мероприятия) of the viewer's cases across organisations."""
    return filter_measures(measures_for(viewer), overdue=True, today=today).select_related("organisation", "case")


# --- Cases, persons, signals -----------------------------------------------------

def cases_for(viewer: Viewer) -> QuerySet[Case]:
    return scoped_cases(viewer, Case.objects.all())


def get_case(*, viewer: Viewer, case_id: int | str) -> Case:
    pk = require_id(case_id, _("Case not found."))
    case = cases_for(viewer).select_related("precinct__district", "institution", "applicant", "household").filter(
        pk=pk).first()
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def due_for_review(day: dt.date) -> Q:
    """The rule of a due interim review (промежуточная оценка): an open case whose review date has come by `day`.
    The one rule of the staff lists, the dashboard, the case search and the gateway's `reviewsDue`."""
    return Q(review_due_on__lte=day) & ~Q(status=Case.Status.CLOSED)


def lapsed(day: dt.date) -> Q:
    """Cases whose term ended before `day` without a decision (срок истёк): still under way, past `ends_on`."""
    return Q(status__in=UNDER_WAY_STATUSES, ends_on__lt=day)


def lapsed_cases(*, viewer: Viewer, today: dt.date | None = None) -> QuerySet[Case]:
    """The viewer's cases whose term has lapsed, longest lapsed first: they wait for an extension or closing."""
    return cases_for(viewer).filter(lapsed(today or timezone.localdate())).order_by("ends_on", "id")


def reviews_due(*, viewer: Viewer, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases of the viewer's scope whose interim review is due (`due_for_review`)."""
    return cases_for(viewer).filter(due_for_review(today or timezone.localdate())).order_by("review_due_on", "id")


def terms_ending(*, viewer: Viewer, within_days: int = 30, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases whose term ends soon: the decision to close or extend is due."""
    day = today or timezone.localdate()
    return cases_for(viewer).exclude(status=Case.Status.CLOSED).filter(
        ends_on__lte=day + dt.timedelta(days=within_days)).order_by("ends_on", "id")


def _registered_by(*, subject: str | None = None, institution_id: int | None = None) -> Q:
    """Persons the actor registered, and the members of households it registered, as long as neither the
    person nor the household is part of any case: until then the registering officer or institution is the
    only one who runs them; afterwards the cases decide."""
    if subject:
        registered = Q(registered_by_subject=subject) | Q(household__registered_by_subject=subject)
    else:
        registered = Q(registered_by_institution_id=institution_id) | Q(
            household__registered_by_institution_id=institution_id)
    in_a_case = (Q(pk__in=Case.objects.values("applicant_id"))
                 | Q(household_id__in=Case.objects.values("household_id")))
    return registered & ~in_a_case


def persons_for(viewer: Viewer) -> QuerySet[Person]:
    """Persons of the viewer's scope: households of an officer's precincts, people of a coordinator's cases,
    and, before any case exists, the persons and households the officer, or the coordinator's institution,
    registered itself (so that consent can be recorded and the case registered). Never a person whose consent
    to processing was withdrawn: processing stops (`retention.processing_withdrawn`)."""
    return _persons_in_scope(viewer).exclude(processing_withdrawn())


def _persons_in_scope(viewer: Viewer) -> QuerySet[Person]:
    if viewer.has_role(Role.ADMIN, Role.SUPERVISOR):
        return Person.objects.all()
    scope = Q(pk__in=[])
    if viewer.has_role(Role.OFFICER):
        if viewer.precinct_ids:
            scope |= Q(household__precinct_id__in=sorted(viewer.precinct_ids))
        if viewer.subject:
            scope |= _registered_by(subject=viewer.subject)
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_id:
        cases = Case.objects.filter(institution_id=viewer.institution_id)
        scope |= Q(pk__in=cases.values("applicant_id")) | Q(household_id__in=cases.values("household_id"))
        scope |= _registered_by(institution_id=viewer.institution_id)
    return Person.objects.filter(scope)


def households_for(viewer: Viewer) -> QuerySet[Household]:
    """Households of the viewer's scope, by the rules of `persons_for`: an officer's precincts, the households of
    a coordinator's cases, and, before any case exists, the households the officer, or the coordinator's
    institution, registered itself."""
    if viewer.has_role(Role.ADMIN, Role.SUPERVISOR):
        return Household.objects.all()
    in_a_case = Q(pk__in=Case.objects.values("household_id"))
    scope = Q(pk__in=[])
    if viewer.has_role(Role.OFFICER):
        if viewer.precinct_ids:
            scope |= Q(precinct_id__in=sorted(viewer.precinct_ids))
        if viewer.subject:
            scope |= Q(registered_by_subject=viewer.subject) & ~in_a_case
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_id:
        scope |= Q(pk__in=Case.objects.filter(institution_id=viewer.institution_id).values("household_id"))
        scope |= Q(registered_by_institution_id=viewer.institution_id) & ~in_a_case
    return Household.objects.filter(scope)


def get_person(*, viewer: Viewer, person_id: int | str) -> Person:
    pk = require_id(person_id, _("Person not found."))
    person = persons_for(viewer).filter(pk=pk).first()
    if person is None:
        if _persons_in_scope(viewer).filter(pk=pk).exists():  # in scope, but processing stopped
            refuse_read_of_stopped_person(viewer=viewer, person_id=pk)
        raise NotFound(_("Person not found."))
    return person


def signals_for(viewer: Viewer) -> QuerySet[Signal]:
    """Signals of the viewer's cases scope (an institution's queue includes its signals without a precinct), the
    signals assigned to an officer for checking, and the signals the viewer registered itself — all an operator
    (оператор приёма сигналов) sees."""
    scope = case_scope(viewer)
    if viewer.has_role(Role.OFFICER) and viewer.username:
        assigned = Q(assigned_officer__username=viewer.username)
        scope = assigned if scope is None else scope | assigned
    if viewer.subject and (viewer.has_role(Role.OPERATOR, Role.OFFICER, Role.COORDINATOR) or viewer.is_partner):
        own = Q(registered_by_subject=viewer.subject)
        scope = own if scope is None else scope | own
    if scope is None:
        return Signal.objects.none()
    return Signal.objects.filter(scope).select_related("precinct", "institution")


# --- Case workspace: search, dashboard, timeline, what may be done now -----------

def _words(text: str | None) -> list[str]:
    return [word for word in (text or "").replace(",", " ").split() if word]


def find_cases(
    viewer: Viewer, *, text: str | None = None, status: str | None = None, overdue: bool | None = None,
    review_due: bool | None = None, term_ending: bool | None = None, precinct_id: int | None = None,
    institution_id: int | None = None, today: dt.date | None = None, lapsed_term: bool | None = None,
) -> QuerySet[Case]:
    """Cases of the viewer's scope by number, the surname of the applicant or a household member, or the address
    (every word must match one of them), filtered by status, overdue measures, interim review due, term ending
    within 30 days, term lapsed, precinct and institution."""
    day = today or timezone.localdate()
    cases = cases_for(viewer)
    for word in _words(text):
        cases = cases.filter(Q(code__icontains=word) | Q(applicant__last_name__icontains=word)
                             | Q(household__members__last_name__icontains=word)
                             | Q(household__address__icontains=word))
    if status:
        cases = cases.filter(status=status)
    if overdue is not None:
        late = Measure.objects.filter(status__in=Measure.OPEN_STATUSES, deadline__lt=day).values("case_id")
        cases = cases.filter(pk__in=late) if overdue else cases.exclude(pk__in=late)
    if review_due is not None:
        due = due_for_review(day)
        cases = cases.filter(due) if review_due else cases.exclude(due)
    if term_ending is not None:
        ending = Q(ends_on__lte=day + dt.timedelta(days=30)) & ~Q(status=Case.Status.CLOSED)
        cases = cases.filter(ending) if term_ending else cases.exclude(ending)
    if lapsed_term is not None:
        cases = cases.filter(lapsed(day)) if lapsed_term else cases.exclude(lapsed(day))
    if precinct_id:
        cases = cases.filter(precinct_id=precinct_id)
    if institution_id:
        cases = cases.filter(institution_id=institution_id)
    return cases.filter(pk__in=cases.values("pk")).select_related(
        "applicant", "household", "precinct__district", "institution").order_by("-registered_on", "-id")


def find_persons(viewer: Viewer, *, text: str | None = None) -> QuerySet[Person]:
    """Persons of the viewer's scope by surname, first name, address or the number of their case."""
    persons = persons_for(viewer)
    for word in _words(text):
        persons = persons.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word)
                                 | Q(household__address__icontains=word) | Q(applied_cases__code__icontains=word)
                                 | Q(household__cases__code__icontains=word))
    return persons.filter(pk__in=persons.values("pk")).select_related("household").order_by(
        "last_name", "first_name", "id")


def find_signals(viewer: Viewer, *, text: str | None = None, status: str | None = None,
                 precinct_id: int | None = None) -> QuerySet[Signal]:
    """Signals of the viewer's scope by address, summary (which names the family), or the number of the case
    opened on it."""
    signals = signals_for(viewer)
    for word in _words(text):
        signals = signals.filter(Q(address__icontains=word) | Q(summary__icontains=word)
                                 | Q(cases__code__icontains=word))
    if status:
        signals = signals.filter(status=status)
    if precinct_id:
        signals = signals.filter(precinct_id=precinct_id)
    return signals.filter(pk__in=signals.values("pk")).order_by("-received_at", "-id")


def cases_of_person(*, viewer: Viewer, person: Person) -> QuerySet[Case]:
    """The visible cases a person is part of: as applicant, or as a member of the household."""
    return cases_for(viewer).filter(Q(applicant=person) | Q(household_id=person.household_id)
                                    if person.household_id else Q(applicant=person)).distinct().order_by(
        "-registered_on", "-id")


def case_timeline(*, viewer: Viewer, case: Case) -> list[AuditEvent]:
    """The history of a visible case from the audit trail, oldest first: its registration and transitions, its
    measures, programme decisions and the signal it came from (reads of personal data are not steps)."""
    get_case(viewer=viewer, case_id=case.pk)
    objects: list[tuple[str, int | str]] = [("cases.case", case.pk)]
    objects += [("cases.measure", pk) for pk in Measure.objects.filter(case=case).values_list("pk", flat=True)]
    if case.signal_id:
        objects.append(("cases.signal", case.signal_id))
    objects += [("cases.casetransfer", pk) for pk in CaseTransfer.objects.filter(case=case).values_list("pk",
                                                                                                    flat=True)]
    objects += [("cases.consent", pk) for pk in Consent.objects.filter(
        Q(person_id=case.applicant_id) | Q(person__household_id=case.household_id)).values_list("pk", flat=True)]
    return list(events_for_objects(viewer=viewer, objects=objects).exclude(action=AuditEvent.Action.READ))


_UNDER_WAY = UNDER_WAY_STATUSES


def case_action_refusals(*, viewer: Viewer, case: Case) -> dict[str, str | None]:
    """For each lifecycle action of a case, None when it may be tried now, or why not (the services still
    decide; these are the same rules, so the card can say the reason next to the action)."""
    if not may_manage_case(viewer, case):
        no_right = str(_("You may not change this case."))
        return dict.fromkeys(("measure", "approve", "review", "monitoring", "extend", "close", "transfer"), no_right)
    closed = str(_("The case is already closed."))
    is_closed = case.status == Case.Status.CLOSED
    live_measures = case.measures.exclude(status=Measure.Status.CANCELLED).count()
    open_measures = case.measures.filter(status__in=Measure.OPEN_STATUSES).count()
    refusals: dict[str, str | None] = {"measure": closed if is_closed else None}
    if case.status != Case.Status.REGISTERED:
        refusals["approve"] = closed if is_closed else str(_("The programme of this case has already been approved."))
    elif not live_measures:
        refusals["approve"] = str(_("Add at least one measure before approving the programme."))
    else:
        refusals["approve"] = None
    under_way = case.status in _UNDER_WAY
    refusals["review"] = None if under_way else closed if is_closed else str(
        _("Only a case under way can be reviewed."))
    if not under_way or case.started_on is None or case.ends_on is None:
        refusals["extend"] = closed if is_closed else str(_("Only a case under way can be extended."))
    elif case.ends_on >= latest_end(case.started_on):
        refusals["extend"] = str(_("Support lasts at most 12 months in total: the term can end on %(limit)s at the "
                                   "latest.") % {"limit": latest_end(case.started_on).strftime("%d.%m.%Y")})
    elif case.ends_on < timezone.localdate():
        refusals["extend"] = str(_("The term ended on %(end)s: a decision taken after it cannot extend it; close "
                                   "the case.") % {"end": case.ends_on.strftime("%d.%m.%Y")})
    else:
        refusals["extend"] = None
    refusals["monitoring"] = None if under_way else closed if is_closed else str(
        _("Only a case under way is inspected."))
    if is_closed:
        refusals["close"] = str(_("The case is already closed."))
    elif open_measures:
        refusals["close"] = str(_("%(count)s measure(s) are still open: have them fulfilled, reported or "
                                  "cancelled first.") % {"count": open_measures})
    else:
        refusals["close"] = None
    if is_closed:
        refusals["transfer"] = closed
    elif case.transfers.filter(status=CaseTransfer.Status.PROPOSED).exists():
        refusals["transfer"] = str(_("A transfer of this case is already waiting for the receiving institution."))
    else:
        refusals["transfer"] = None
    return refusals


def staff_dashboard(*, viewer: Viewer, today: dt.date | None = None) -> dict[str, QuerySet[Any]]:
    """What needs the staff member's attention (рабочий стол): new signals, overdue measures of their cases,
    interim reviews due within 7 days, terms ending within 30 days, terms lapsed; and the signals the viewer
    registered itself, newest first (all an operator has)."""
    day = today or timezone.localdate()
    return {
        "my_signals": signals_for(viewer).filter(registered_by_subject=viewer.subject or "-")
        .order_by("-received_at", "-id"),
        # A repeated report is attached to the signal being handled: it is not new work of its own.
        "new_signals": signals_for(viewer).filter(status=Signal.Status.RECEIVED, repeat_of__isnull=True)
        .order_by("-received_at", "-id"),
        "overdue_measures": overdue_measures(viewer=viewer, today=day).filter(
            case__in=cases_for(viewer)).select_related("case__applicant"),
        "reviews_due": reviews_due(viewer=viewer, today=day + dt.timedelta(days=7)).select_related("applicant"),
        "terms_ending": terms_ending(viewer=viewer, within_days=30, today=day).filter(
            ends_on__isnull=False).exclude(lapsed(day)).select_related("applicant"),
        "terms_lapsed": lapsed_cases(viewer=viewer, today=day).select_related("applicant"),
    }


# --- Batched, scoped reads of related rows (the gateway's dataloaders, the partner workspace) -------------------

def _first_per(rows: QuerySet[M], *, per: str, order: list[str], limit: int) -> QuerySet[M]:
    """The first `limit` rows of each `per` group in `order`, counted in the database (a window function), so
    that no nested list grows without bound."""
    ranked = rows.annotate(_rank=Window(RowNumber(), partition_by=[F(per)],
                                        order_by=[F(name[1:]).desc() if name.startswith("-") else F(name).asc()
                                                  for name in order]))
    return cast("QuerySet[M]", ranked.filter(_rank__lte=limit))  # the plugin's annotate() forgets a TypeVar model


def _grouped(rows: Iterable[M], key: Callable[[M], int]) -> dict[int, list[M]]:
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def filter_cases(cases: QuerySet[Case], *, status: Iterable[str] | None = None, precinct_id: int | None = None,
                 code_text: str | None = None, lapsed_term: bool | None = None,
                 today: dt.date | None = None) -> QuerySet[Case]:
    """Cases of an already scoped queryset narrowed by status, precinct, part of the case number (номер
    дела) and whether the term has lapsed (`lapsed`); newest registration first."""
    if lapsed_term is not None:
        rule = lapsed(today or timezone.localdate())
        cases = cases.filter(rule) if lapsed_term else cases.exclude(rule)
    if status:
        cases = cases.filter(status__in=list(status))
    if precinct_id is not None:
        cases = cases.filter(precinct_id=precinct_id)
    if code_text:
        cases = cases.filter(code__icontains=code_text)
    return cases.order_by("-registered_on", "-id")


def persons_by_name(*, viewer: Viewer, text: str | None = None) -> QuerySet[Person]:
    """Persons of the viewer's scope whose last or first name contains `text` (all of them without one), by
    name."""
    persons = persons_for(viewer)
    if text:
        persons = persons.filter(Q(last_name__icontains=text) | Q(first_name__icontains=text))
    return persons.order_by("last_name", "first_name", "pk")


def get_signal(*, viewer: Viewer, signal_id: int | None) -> Signal:
    """A signal of the viewer's scope; one outside it is reported exactly like a missing one."""
    signal = signals_for(viewer).select_related(
        "precinct__district", "precinct__officer", "institution", "reporter_organisation").filter(
        pk=signal_id if signal_id is not None else -1).first()
    if signal is None:
        raise NotFound(_("Signal not found."))
    return signal


def partner_visible_actors(viewer: Viewer) -> frozenset[str] | None:
    """For a partner: the organisations whose people it may see by name in a measure's history and comments —
    its own and the social-service institutions ("" = administrators and the system); another partner (e.g.
    before a reassignment) stays anonymous. None for staff: nothing is hidden."""
    if not viewer.is_partner:
        return None
    institutions = Organisation.objects.filter(kind=OrganisationKind.SOCIAL_SERVICE).values_list("code", flat=True)
    return frozenset({*institutions, viewer.organisation_code or "", ""})


def measure_histories(*, viewer: Viewer, measure_ids: Iterable[int], newest: int) -> dict[int, list[AuditEvent]]:
    """Changes and refused attempts (история) of the visible measures among `measure_ids`, at most the `newest`
    of each, oldest first; reads are not history. Each event carries `redacted`: True when the reader is a
    partner and the actor belongs to another partner organisation (shown without name)."""
    visible = [str(pk) for pk in measures_for(viewer).filter(pk__in=list(measure_ids)).values_list("pk", flat=True)]
    if not visible:
        return {}
    events = _first_per(AuditEvent.objects.filter(object_type="cases.measure", object_id__in=visible)
                        .exclude(action=AuditEvent.Action.READ), per="object_id", order=["-at", "-id"],
                        limit=newest).order_by("at", "id")
    allowed = partner_visible_actors(viewer)
    for event in events:
        event.redacted = allowed is not None and event.actor_organisation not in allowed  # type: ignore[attr-defined]
    return _grouped(events, lambda event: int(event.object_id))


def measure_comments_of(*, viewer: Viewer, measure_ids: Iterable[int], newest: int
                        ) -> dict[int, list[MeasureComment]]:
    """Comments on the visible measures among `measure_ids`, at most the `newest` of each, oldest first; each
    carries `redacted` like the events of `measure_histories`."""
    visible = measures_for(viewer).filter(pk__in=list(measure_ids)).values("pk")
    comments = list(_first_per(MeasureComment.objects.filter(measure_id__in=visible), per="measure_id",
                               order=["-created_at", "-id"], limit=newest).order_by("created_at", "id"))
    allowed = partner_visible_actors(viewer) if comments else None
    for comment in comments:
        comment.redacted = (  # type: ignore[attr-defined]
            allowed is not None and comment.author_organisation not in allowed)
    return _grouped(comments, lambda comment: comment.measure_id)


def cases_by_id(*, viewer: Viewer, case_ids: Iterable[int]) -> dict[int, Case]:
    """The visible cases among `case_ids`, with what a case card shows."""
    rows = cases_for(viewer).filter(pk__in=list(case_ids)).select_related(
        "precinct__district", "precinct__officer", "institution", "applicant", "household")
    return {case.pk: case for case in rows}


def measures_of_cases(*, viewer: Viewer, case_ids: Iterable[int], first: int) -> dict[int, list[Measure]]:
    """The visible measures of each case (its programme), deadline first, at most `first` per case."""
    rows = _first_per(measures_for(viewer).filter(case_id__in=list(case_ids)), per="case_id",
                      order=["deadline", "id"], limit=first).select_related("case", "organisation")
    return _grouped(rows.order_by("deadline", "id"), lambda measure: measure.case_id)


def reviews_of_cases(*, viewer: Viewer, case_ids: Iterable[int], first: int) -> dict[int, list[Review]]:
    """Interim reviews of the visible cases, oldest first, at most `first` per case."""
    rows = _first_per(Review.objects.filter(case__in=cases_for(viewer).filter(pk__in=list(case_ids))),
                      per="case_id", order=["reviewed_on", "id"], limit=first)
    return _grouped(rows.order_by("reviewed_on", "id"), lambda review: review.case_id)


def decisions_of_cases(*, viewer: Viewer, case_ids: Iterable[int], first: int
                       ) -> dict[int, list[CollegialDecision]]:
    """Collegial decisions of the visible cases, oldest first, at most `first` per case."""
    rows = _first_per(CollegialDecision.objects.filter(case__in=cases_for(viewer).filter(pk__in=list(case_ids))),
                      per="case_id", order=["decided_on", "id"], limit=first)
    return _grouped(rows.order_by("decided_on", "id"), lambda decision: decision.case_id)


def members_of_households(*, viewer: Viewer, household_ids: Iterable[int], first: int) -> dict[int, list[Person]]:
    """Members of each household within the viewer's scope, at most `first` per household."""
    rows = _first_per(persons_for(viewer).filter(household_id__in=list(household_ids)), per="household_id",
                      order=["id"], limit=first)
    return _grouped(rows.order_by("pk"), lambda person: int(person.household_id or 0))


def consents_of_persons(*, viewer: Viewer, person_ids: Iterable[int], first: int) -> dict[int, list[Consent]]:
    """Consents of the visible persons, newest first, at most `first` per person."""
    rows = _first_per(Consent.objects.filter(person__in=persons_for(viewer).filter(pk__in=list(person_ids))),
                      per="person_id", order=["-given_on", "-id"], limit=first)
    return _grouped(rows.order_by("-given_on", "-id"), lambda consent: consent.person_id)


def open_work_first(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Measures with the open ones (assigned, accepted) first, each group by deadline: what still needs doing
    leads a partner's «Мои мероприятия»."""
    from django.db.models import Case as Cases
    from django.db.models import IntegerField, Value, When

    rank = Cases(When(status__in=Measure.OPEN_STATUSES, then=Value(0)), default=Value(1),
                 output_field=IntegerField())
    return measures.annotate(open_rank=rank).order_by("open_rank", "deadline", "id")


def pending_transfers(*, viewer: Viewer, case: Case | None = None) -> QuerySet[CaseTransfer]:
    """Transfers waiting for a decision (передача дела) that concern the viewer: proposed to their institution
    (to accept or decline) or proposed by it (to follow up); of one case when given. Admins see all."""
    transfers = CaseTransfer.objects.filter(status=CaseTransfer.Status.PROPOSED).select_related(
        "case", "from_institution", "to_institution", "to_precinct__district")
    if case is not None:
        transfers = transfers.filter(case=case)
    if viewer.is_admin:
        return transfers
    if viewer.institution_id is None or not viewer.has_role(Role.COORDINATOR, Role.OFFICER):
        return transfers.none()
    return transfers.filter(Q(to_institution_id=viewer.institution_id) | Q(from_institution_id=viewer.institution_id))


#: The relations a transfer is shown with (case number, both institutions and precincts with their districts).
TRANSFER_RELATIONS = ("case", "from_institution", "to_institution", "from_precinct__district",
                      "from_precinct__officer", "to_precinct__district", "to_precinct__officer")


def incoming_transfers(*, viewer: Viewer) -> QuerySet[CaseTransfer]:
    """Transfers proposed to the viewer's institution that the viewer is to accept or decline: the receiving
    institution's coordinator (the one who decides, `services.transfers`); admins see all. Oldest first."""
    transfers = CaseTransfer.objects.filter(status=CaseTransfer.Status.PROPOSED).select_related(*TRANSFER_RELATIONS)
    if not viewer.is_admin:
        if viewer.institution_id is None or not viewer.has_role(Role.COORDINATOR):
            return transfers.none()
        transfers = transfers.filter(to_institution_id=viewer.institution_id)
    return transfers.order_by("proposed_at", "id")


def transfers_of_cases(*, viewer: Viewer, case_ids: Iterable[int], first: int) -> dict[int, list[CaseTransfer]]:
    """Transfers (proposed, accepted, declined) of the visible cases, newest first, at most `first` per case."""
    rows = _first_per(CaseTransfer.objects.filter(case__in=cases_for(viewer).filter(pk__in=list(case_ids))),
                      per="case_id", order=["-proposed_at", "-id"], limit=first)
    return _grouped(rows.select_related(*TRANSFER_RELATIONS).order_by("-proposed_at", "-id"),
                    lambda transfer: transfer.case_id)
