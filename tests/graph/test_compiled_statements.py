"""portal.core.statements: a statement compiled once and run with new values answers as the ORM does.

Checked against the ORM on the same data: rows (with converters), model instances (select_related and
annotations), an INSERT of a whole row (every column as `bulk_create` writes it) with a column given by a
compiled subquery; and the refusals (a marker found twice, a queryset empty by construction) that send the
caller back to the ORM."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.cases.models import Measure
from portal.core.statements import InsertStatement, StatementCache, compile_query
from portal.partners.models import Organisation
from portal.reports.models import LedgerEvent


def _measures_of(organisation_id: int) -> Any:
    return Measure.objects.filter(organisation_id=organisation_id).order_by("deadline", "id")


def test_rows_bind_each_value_like_the_orm(world: Any) -> None:
    statement = compile_query(lambda org: _measures_of(org).values_list("id", "deadline", "status", "shared_fields"),
                              marked=1)
    assert statement is not None and len(statement.slots) == 1
    for organisation in (world.school, world.police, world.clinic, world.berezovsky):
        expected = list(_measures_of(organisation.pk).values_list("id", "deadline", "status", "shared_fields"))
        assert statement.rows([organisation.pk]) == expected
    assert statement.rows([-1]) == []


def test_instances_are_the_querysets_own(world: Any) -> None:
    def build(measure_id: int) -> Any:
        working = Organisation.objects.filter(pk=OuterRef("organisation_id"), active=True)
        return (Measure.objects.filter(pk=measure_id).select_related("case__precinct", "organisation")
                .annotate(organisation_active=Exists(working)))

    statement = compile_query(build, marked=1)
    assert statement is not None
    for measure in (world.m_school, world.m_police):
        [got] = statement.instances([measure.pk])
        [expected] = list(build(measure.pk))
        assert type(got) is Measure and got.pk == expected.pk and got.version == expected.version
        assert got.organisation_active is True  # type: ignore[attr-defined]
        # the related rows came with it: no query to reach them
        with _no_queries():
            assert got.case.precinct.pk == expected.case.precinct.pk
            assert got.organisation.name == expected.organisation.name
    assert statement.instances([-5]) == []


class _no_queries:
    def __enter__(self) -> None:
        from django.test.utils import CaptureQueriesContext

        self._captured = CaptureQueriesContext(connection)
        self._captured.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._captured.__exit__(*exc)
        assert len(self._captured.captured_queries) == 0, self._captured.captured_queries


def test_refused_shapes_go_back_to_the_orm(world: Any) -> None:
    # the marker twice among the parameters: which one to bind is not known
    assert compile_query(lambda pk: Measure.objects.filter(pk=pk, case_id=pk), marked=1) is None
    # empty by construction: the ORM asks the database nothing
    assert compile_query(lambda pk: Measure.objects.filter(pk__in=[]), marked=1) is None


def test_cache_keeps_the_recent_and_keys_by_database() -> None:
    cache: StatementCache[int] = StatementCache(kept=2)
    built: list[str] = []

    def make(name: str) -> Any:
        return lambda: built.append(name) or len(built)

    assert cache.get("a", make("a")) == 1 and cache.get("a", make("a")) == 1
    cache.get("b", make("b"))
    cache.get("a", make("a"))  # "a" used again: "b" is the least recent
    cache.get("c", make("c"))
    cache.get("a", make("a"))
    cache.get("b", make("b"))  # was dropped: built again
    assert built == ["a", "b", "c", "b"]


def _columns(fact: LedgerEvent) -> dict[str, Any]:
    return {field.attname: getattr(fact, field.attname) for field in LedgerEvent._meta.concrete_fields
            if not field.primary_key}


def test_insert_writes_what_bulk_create_writes(world: Any) -> None:
    measure = world.m_school
    case = measure.case
    now = timezone.now()
    values = dict(kind=LedgerEvent.Kind.MEASURE_ASSIGNED, on=timezone.localdate(), recorded_at=now,
                  institution_id=case.institution_id, organisation_id=measure.organisation_id,
                  district_id=case.precinct.district_id, case_id=case.pk, measure_id=measure.pk,
                  help_kind="social", deadline=measure.deadline, assigned_at=now, assigned_on=timezone.localdate())
    by_orm = LedgerEvent.objects.bulk_create([LedgerEvent(**values)])[0]
    fact = LedgerEvent(**values)
    assert InsertStatement(LedgerEvent).insert(fact, using=connection.alias)
    assert fact.pk is not None and fact.pk != by_orm.pk and not fact._state.adding
    stored, expected = LedgerEvent.objects.get(pk=fact.pk), LedgerEvent.objects.get(pk=by_orm.pk)
    assert _columns(stored) == _columns(expected)


def test_insert_with_a_compiled_subquery_column(world: Any) -> None:
    measure = world.m_school
    case = measure.case
    assigned = timezone.now() - timezone.timedelta(days=3)
    base = dict(on=timezone.localdate(), institution_id=case.institution_id, organisation_id=measure.organisation_id,
                district_id=case.precinct.district_id, case_id=case.pk, measure_id=measure.pk, help_kind="social")
    LedgerEvent.objects.bulk_create([LedgerEvent(kind=LedgerEvent.Kind.MEASURE_ASSIGNED, recorded_at=assigned,
                                                 assigned_at=assigned, assigned_on=assigned.date(), **base)])

    def latest(column: str) -> Any:
        return lambda using: compile_query(
            lambda pk: LedgerEvent.objects.filter(measure_id=pk, kind=LedgerEvent.Kind.MEASURE_ASSIGNED)
            .order_by("-recorded_at").values(column)[:1], marked=1, using=using)

    statement = InsertStatement(LedgerEvent, subqueries={"assigned_at": latest("assigned_at"),
                                                         "assigned_on": latest("assigned_on")})
    fact = LedgerEvent(kind=LedgerEvent.Kind.MEASURE_FULFILLED, recorded_at=timezone.now(), **base)
    assert statement.insert(fact, subquery_values={"assigned_at": [measure.pk], "assigned_on": [measure.pk]},
                            using=connection.alias)
    def expected(measure_id: int) -> tuple[Any, Any]:
        latest_fact = (LedgerEvent.objects.filter(measure_id=measure_id, kind=LedgerEvent.Kind.MEASURE_ASSIGNED)
                       .order_by("-recorded_at").first())
        return (latest_fact.assigned_at, latest_fact.assigned_on) if latest_fact else (None, None)

    stored = LedgerEvent.objects.get(pk=fact.pk)
    assert (stored.assigned_at, stored.assigned_on) == expected(measure.pk) != (None, None)
    other = LedgerEvent(kind=LedgerEvent.Kind.MEASURE_FULFILLED, recorded_at=timezone.now(),
                        **{**base, "measure_id": world.m_police.pk})
    assert statement.insert(other, subquery_values={"assigned_at": [world.m_police.pk],
                                                    "assigned_on": [world.m_police.pk]}, using=connection.alias)
    stored = LedgerEvent.objects.get(pk=other.pk)
    assert (stored.assigned_at, stored.assigned_on) == expected(world.m_police.pk)
    missing = LedgerEvent(kind=LedgerEvent.Kind.MEASURE_FULFILLED, recorded_at=timezone.now(), **base)
    assert statement.insert(missing, subquery_values={"assigned_at": [-7], "assigned_on": [-7]},
                            using=connection.alias)
    stored = LedgerEvent.objects.get(pk=missing.pk)
    assert (stored.assigned_at, stored.assigned_on) == (None, None)  # no assignment fact: NULL, as the ORM's


def test_save_fields_is_a_save_with_update_fields(world: Any) -> None:
    from django.db import DatabaseError
    from django.db.models import signals

    from portal.audit.models import AuditEvent, AuditImmutableError
    from portal.core.statements import save_fields

    measure = Measure.objects.get(pk=world.m_school.pk)
    seen: list[tuple[str, Any]] = []

    def pre(sender: Any, instance: Any, update_fields: Any, **kwargs: Any) -> None:
        seen.append(("pre", update_fields))

    def post(sender: Any, instance: Any, created: bool, update_fields: Any, **kwargs: Any) -> None:
        seen.append(("post", (created, update_fields)))

    signals.pre_save.connect(pre, sender=Measure, dispatch_uid="test-save-fields-pre")
    signals.post_save.connect(post, sender=Measure, dispatch_uid="test-save-fields-post")
    try:
        before = measure.updated_at
        measure.result, measure.version = "Сделано частично", measure.version + 1
        save_fields(measure, ["result", "version", "updated_at"], using=connection.alias)
    finally:
        signals.pre_save.disconnect(dispatch_uid="test-save-fields-pre", sender=Measure)
        signals.post_save.disconnect(dispatch_uid="test-save-fields-post", sender=Measure)
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.result, stored.version) == ("Сделано частично", measure.version)
    assert stored.updated_at == measure.updated_at and measure.updated_at > before  # auto_now, as save() does
    fields = frozenset({"result", "version", "updated_at"})
    assert seen == [("pre", fields), ("post", (False, fields))]
    gone = Measure(pk=-3, result="x")
    with pytest.raises(DatabaseError):  # no row: as Django's save(update_fields=…)
        save_fields(gone, ["result"], using=connection.alias)
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    with pytest.raises(AuditImmutableError):  # a model with its own save(): that save decides (here: refuses)
        save_fields(event, ["verb"], using=connection.alias)


def test_save_new_sends_a_saves_signals(world: Any) -> None:
    from django.db.models import signals

    from portal.audit.models import AuditEvent

    seen: list[tuple[str, Any]] = []

    def post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append(("post", created, instance.pk))

    signals.post_save.connect(post, sender=AuditEvent, dispatch_uid="test-save-new-post")
    try:
        event = AuditEvent(actor_subject="s", actor_name="Проверка", action=AuditEvent.Action.UPDATE, verb="test.verb",
                           object_type="cases.measure", object_id="1", changes={"поле": ["было", "стало"]})
        InsertStatement(AuditEvent).save_new(event, using=connection.alias)
    finally:
        signals.post_save.disconnect(dispatch_uid="test-save-new-post", sender=AuditEvent)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"поле": ["было", "стало"]} and stored.details == {} and stored.at is not None
    assert seen == [("post", True, event.pk)]
