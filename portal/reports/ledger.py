"""The reporting ledger: audit rows of reportable transitions → typed `LedgerEvent` rows.

Why a projection and not the audit trail itself: the trail records every transition with its time and the
values before and after, so it is the source, but its rows are untyped JSON shared with reads and refused
attempts, with no institution, organisation or kind of help to group by; a region-wide month over it cannot
be counted in SQL within the report's time budget. The projection is written by a `post_save` receiver of
`AuditEvent` (connected in `ReportsConfig.ready`), so it is in the transaction of the change (no fact without
its audit row and the reverse), needs no call in every service, and follows new transitions by the status
they set rather than by service name (a partner's return — status «returned» — is counted when it exists).

A measure's fact costs one INSERT (issue 18: `fulfilMeasure` in at most 5 statements): the measure row the change
has just written, with its case and precinct loaded by the service's locking read, is kept by a `post_save`
receiver of `Measure` (`remember_written_measure`) and taken by the audit row that follows it when it names the
same measure and version; the assignment time comes from the latest assignment fact by a subquery inside that
INSERT. Without such a row (the case not loaded with it, a bulk update) the measure is read, as before.

Data loaded in bulk without services (the demo region, a migration from another system) has no audit rows:
`open_ledger` writes its opening balance from the rows as they are (see there).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases.models import Case, Measure, Signal
from portal.core.statements import Compiled, InsertStatement, compile_query
from portal.reports.models import LedgerEvent

Kind = LedgerEvent.Kind

#: Keys of an audit change that carry a coded reason (issue 16: coded reasons for not fulfilled / returned).
REASON_KEYS = ("not_fulfilled_code", "reason_code", "return_reason_code", "return_code", "returned_reason_code")
UNSPECIFIED_REASON = "unspecified"

#: Measure status after a transition → the ledger fact.
MEASURE_FACTS = {
    "accepted": Kind.MEASURE_ACCEPTED,
    "fulfilled": Kind.MEASURE_FULFILLED,
    "not_fulfilled": Kind.MEASURE_NOT_FULFILLED,
    "returned": Kind.MEASURE_RETURNED,
    "cancelled": Kind.MEASURE_CANCELLED,
}


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None


def _after(changes: dict[str, Any], key: str) -> Any:
    pair = changes.get(key)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def _reason(event: AuditEvent) -> str:
    for key in REASON_KEYS:
        value = _after(event.changes, key) or event.details.get(key)
        if value:
            return str(value)[:32]
    return UNSPECIFIED_REASON


_written = threading.local()


def remember_written_measure(sender: type, instance: Measure, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver of `Measure`: what a fact needs of the row just written, when its case and precinct came
    with it (the service's locking read), for the audit row that follows it (`_measure_context`)."""
    _written.measure = None
    if raw or not Measure.case.is_cached(instance):
        return
    case = instance.case
    if not Case.precinct.is_cached(case):
        return
    _written.measure = (instance.pk, instance.version, {
        "institution_id": case.institution_id, "district_id": case.precinct.district_id, "case_id": case.pk,
        "measure_id": instance.pk, "help_kind": instance.kind, "deadline": instance.deadline,
    }, instance.organisation_id)


def _measure_context(event: AuditEvent) -> tuple[dict[str, Any], int] | None:
    """The fact's columns and the organisation of the measure an audit row is about: from the row its change has
    just written (the same measure, at the version the audit row records), else read."""
    written, _written.measure = getattr(_written, "measure", None), None
    if written is not None:
        pk, version, columns, organisation_id = written
        if str(pk) == event.object_id and _after(event.changes or {}, "version") == version:
            return columns, organisation_id
    measure = Measure.objects.select_related("case__precinct").filter(pk=event.object_id).first()
    if measure is None:
        return None
    return {"institution_id": measure.case.institution_id, "district_id": measure.case.precinct.district_id,
            "case_id": measure.case_id, "measure_id": measure.pk, "help_kind": measure.kind,
            "deadline": measure.deadline}, measure.organisation_id


def _assignment(measure_id: int) -> dict[str, Any]:
    """When the measure was last assigned: from its latest assignment fact by subqueries evaluated inside the
    INSERT of the new fact (no read of their own; NULL when it has none) — marked here, built when written."""
    return {"assigned_at": _LATEST_ASSIGNMENT, "assigned_on": _LATEST_ASSIGNMENT}


#: Stands for "from the measure's latest assignment fact" in a fact not yet written: a subquery inside its INSERT
#: (`_insert_fact`, or `_with_subqueries` for `bulk_create`), not built unless written that way.
_LATEST_ASSIGNMENT: Any = object()


def _with_subqueries(fact: LedgerEvent) -> LedgerEvent:
    for column in ("assigned_at", "assigned_on"):
        if getattr(fact, column) is _LATEST_ASSIGNMENT:
            setattr(fact, column, Subquery(_latest_assignment(int(fact.measure_id or 0), column)))
    return fact


def _latest_assignment(measure_id: int, column: str) -> QuerySet[LedgerEvent, dict[str, Any]]:
    """`column` of the measure's latest assignment fact (none: no row)."""
    return (LedgerEvent.objects.filter(measure_id=measure_id, kind=Kind.MEASURE_ASSIGNED)
            .order_by("-recorded_at", "-id").values(column)[:1])


def _measure_facts(event: AuditEvent) -> list[LedgerEvent]:
    changes = event.changes or {}
    status = _after(changes, "status")
    kind = MEASURE_FACTS.get(status) if status else None
    reassigned = "organisation_id" in changes
    if event.action != AuditEvent.Action.CREATE and not reassigned and kind is None:
        _written.measure = None
        return []  # no fact: nothing read
    context = _measure_context(event)
    if context is None:
        return []
    columns, organisation_id = context
    base: dict[str, Any] = {"recorded_at": event.at, "audit_event_id": event.pk, **columns}
    if event.action == AuditEvent.Action.CREATE:
        return [LedgerEvent(kind=Kind.MEASURE_ASSIGNED, on=_local_day(event.at),
                            organisation_id=organisation_id, assigned_at=event.at,
                            assigned_on=_local_day(event.at), **base)]
    if reassigned:  # taken from one organisation, assigned to another
        before, after = changes["organisation_id"]
        return [
            LedgerEvent(kind=Kind.MEASURE_WITHDRAWN, on=_local_day(event.at), organisation_id=before,
                        **_assignment(columns["measure_id"]), **base),
            LedgerEvent(kind=Kind.MEASURE_ASSIGNED, on=_local_day(event.at), organisation_id=after,
                        assigned_at=event.at, assigned_on=_local_day(event.at), **{**base, "audit_event_id": None}),
        ]
    assert kind is not None
    on = _date(_after(changes, "done_on")) if kind in (Kind.MEASURE_FULFILLED, Kind.MEASURE_NOT_FULFILLED) else None
    reason = _reason(event) if kind in (Kind.MEASURE_NOT_FULFILLED, Kind.MEASURE_RETURNED) else ""
    return [LedgerEvent(kind=kind, on=on or _local_day(event.at), organisation_id=organisation_id,
                        reason=reason, **_assignment(columns["measure_id"]), **base)]


def _case_facts(event: AuditEvent) -> list[LedgerEvent]:
    changes = event.changes or {}
    started = _date(_after(changes, "started_on")) if "started_on" in changes else None
    closing = _after(changes, "status") == Case.Status.CLOSED
    if not (started or closing):
        return []
    case = Case.objects.select_related("precinct").filter(pk=event.object_id).first()
    if case is None:
        return []
    base = {"recorded_at": event.at, "institution_id": case.institution_id, "district_id": case.precinct.district_id,
            "case_id": case.pk}
    facts = []
    if started and changes["started_on"][0] is None:
        facts.append(LedgerEvent(kind=Kind.CASE_STARTED, on=started, audit_event_id=event.pk, **base))
    if closing:
        facts.append(LedgerEvent(kind=Kind.CASE_CLOSED, on=_date(_after(changes, "closed_on")) or _local_day(event.at),
                                 outcome=_after(changes, "outcome") or case.outcome,
                                 audit_event_id=None if facts else event.pk, **base))
    return facts


def _signal_facts(event: AuditEvent) -> list[LedgerEvent]:
    if _after(event.changes or {}, "status") != Signal.Status.CONFIRMED:
        return []
    signal = Signal.objects.select_related("precinct").filter(pk=event.object_id).first()
    if signal is None:
        return []
    return [LedgerEvent(kind=Kind.SIGNAL_CONFIRMED, on=_local_day(event.at), recorded_at=event.at,
                        audit_event_id=event.pk, institution_id=signal.institution_id,
                        district_id=signal.precinct.district_id if signal.precinct else None, signal_id=signal.pk)]


PROJECTIONS = {"cases.measure": _measure_facts, "cases.case": _case_facts, "cases.signal": _signal_facts}


def facts_of(event: AuditEvent) -> list[LedgerEvent]:
    """The ledger facts an audit row carries (none for reads, attempts and other objects)."""
    if event.action not in (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.TRANSITION):
        return []
    if event.action == AuditEvent.Action.CREATE and event.object_type != "cases.measure":
        return []
    projection = PROJECTIONS.get(event.object_type)
    return projection(event) if projection else []


def project_audit_event(sender: type, instance: AuditEvent, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver of `AuditEvent`: append the facts of a new audit row."""
    if not created or raw:
        _written.measure = None
        return
    facts = facts_of(instance)
    _written.measure = None  # kept for the audit row that follows its change only
    if len(facts) == 1 and _insert_fact(facts[0]):
        return
    if facts:
        LedgerEvent.objects.bulk_create([_with_subqueries(fact) for fact in facts])


def _latest_assignment_value(column: str) -> Callable[[str], Compiled | None]:
    def compile(using: str) -> Compiled | None:
        return compile_query(lambda measure_id: _latest_assignment(measure_id, column), marked=1, using=using)
    return compile


#: One fact, written by a statement built once (issue 18: building Django's INSERT cost more than running it).
_FACT = InsertStatement(LedgerEvent)
_FACT_AFTER_ASSIGNMENT = InsertStatement(LedgerEvent, subqueries={
    "assigned_at": _latest_assignment_value("assigned_at"), "assigned_on": _latest_assignment_value("assigned_on")})


def _insert_fact(fact: LedgerEvent) -> bool:
    """Write one fact (its assignment time by the subqueries of `_assignment`, as `bulk_create` would); False
    when it is not of a shape written here."""
    using = transaction.get_connection().alias
    at, on = fact.assigned_at, fact.assigned_on
    if at is _LATEST_ASSIGNMENT and on is _LATEST_ASSIGNMENT:
        return _FACT_AFTER_ASSIGNMENT.insert(fact, subquery_values={"assigned_at": [fact.measure_id],
                                                                    "assigned_on": [fact.measure_id]}, using=using)
    if at is _LATEST_ASSIGNMENT or on is _LATEST_ASSIGNMENT:
        return False  # one column from the ledger, one given: `bulk_create` (`_with_subqueries`)
    return _FACT.insert(fact, using=using)


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def open_ledger(*, batch_size: int = 5000) -> int:
    """Opening balance: facts for signals, cases and measures that have none in the ledger (data loaded in bulk,
    without services). Each is dated by the row's own dates and recorded at the end of that day; a measure's
    acceptance time is not known, so it counts as accepted when assigned. Returns the number of facts written."""
    facts: list[LedgerEvent] = []
    written = 0

    def flush(force: bool = False) -> None:
        nonlocal written
        if facts and (force or len(facts) >= batch_size):
            LedgerEvent.objects.bulk_create(facts, batch_size=batch_size)
            written += len(facts)
            facts.clear()

    known_signal = LedgerEvent.objects.filter(signal_id=OuterRef("pk"))
    for signal in (Signal.objects.filter(status=Signal.Status.CONFIRMED).exclude(Exists(known_signal))
                   .values("pk", "institution_id", "precinct__district_id", "inspected_on", "received_at")
                   .iterator(chunk_size=batch_size)):
        day = signal["inspected_on"] or _local_day(signal["received_at"])
        facts.append(LedgerEvent(kind=Kind.SIGNAL_CONFIRMED, on=day, recorded_at=_end_of(day),
                                 institution_id=signal["institution_id"], district_id=signal["precinct__district_id"],
                                 signal_id=signal["pk"]))
        flush()
    known_case = LedgerEvent.objects.filter(case_id=OuterRef("pk"), measure_id__isnull=True)
    for case in (Case.objects.exclude(started_on__isnull=True).exclude(Exists(known_case))
                 .values("pk", "institution_id", "precinct__district_id", "started_on", "closed_on", "outcome",
                         "status")
                 .iterator(chunk_size=batch_size)):
        base: dict[str, Any] = {"institution_id": case["institution_id"],
                                "district_id": case["precinct__district_id"], "case_id": case["pk"]}
        started_on = case["started_on"]
        assert started_on is not None  # excluded above
        facts.append(LedgerEvent(kind=Kind.CASE_STARTED, on=started_on, recorded_at=_end_of(started_on), **base))
        if case["status"] == Case.Status.CLOSED and case["closed_on"]:
            facts.append(LedgerEvent(kind=Kind.CASE_CLOSED, on=case["closed_on"], outcome=case["outcome"],
                                     recorded_at=_end_of(case["closed_on"]), **base))
        flush()
    known_measure = LedgerEvent.objects.filter(measure_id=OuterRef("pk"))
    for measure in (Measure.objects.exclude(Exists(known_measure))
                    .values("pk", "case_id", "case__institution_id", "case__precinct__district_id", "case__started_on",
                            "case__registered_on", "organisation_id", "kind", "deadline", "status", "done_on",
                            "created_at")
                    .iterator(chunk_size=batch_size)):
        assigned_on = min(measure["case__started_on"] or measure["case__registered_on"], measure["deadline"])
        assigned_at = _end_of(assigned_on)
        base = {"institution_id": measure["case__institution_id"],
                "district_id": measure["case__precinct__district_id"], "case_id": measure["case_id"],
                "measure_id": measure["pk"], "organisation_id": measure["organisation_id"],
                "help_kind": measure["kind"], "deadline": measure["deadline"], "assigned_at": assigned_at,
                "assigned_on": assigned_on}
        facts.append(LedgerEvent(kind=Kind.MEASURE_ASSIGNED, on=assigned_on, recorded_at=assigned_at, **base))
        status = measure["status"]
        if status != Measure.Status.ASSIGNED:
            facts.append(LedgerEvent(kind=Kind.MEASURE_ACCEPTED, on=assigned_on, recorded_at=assigned_at, **base))
        final = MEASURE_FACTS.get(status)
        if final is not None and final != Kind.MEASURE_ACCEPTED:
            day = measure["done_on"] or assigned_on
            facts.append(LedgerEvent(kind=final, on=day, recorded_at=_end_of(day),
                                     reason=UNSPECIFIED_REASON if status in ("not_fulfilled", "returned") else "",
                                     **base))
        flush()
    flush(force=True)
    return written
