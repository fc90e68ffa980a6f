"""fulfilMeasure's statements (issue 18): at most 5 in all — one locking read with the viewer's scope in its WHERE
(the case locked and its precinct and the organisation read by the same statement), an UPDATE of the changed
fields, the audit INSERT, the reports ledger's INSERT (no read of its own: the fact comes from the locked row,
the assignment time from a subquery inside the INSERT) and the search outbox; no second read of the measure, the
case, the organisation or its agreements, and no reload for the answer. Counted: every statement the service
sends, except the SAVEPOINT / RELEASE of its `atomic` block nested in the test's transaction (BEGIN / COMMIT in
a served request)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from portal.cases import services
from portal.cases.models import Measure
from portal.core.errors import Conflict, NotFound

FULFIL = """mutation($id: ID!, $version: Int!) { fulfilMeasure(id: $id, version: $version, result: "Сделано")
  { id status version organisation { name } caseCode } }"""


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def _own(statements: list[str]) -> list[str]:
    """What the case service itself runs: without the reports ledger's rows (portal.reports follows the audit
    trail) and the search outbox's reads of the documents that follow a measure."""
    return [sql for sql in statements if "reports_ledgerevent" not in sql and "community_" not in sql]


def test_fulfil_is_one_lock_one_update_one_audit_row(world: Any, django_assert_max_num_queries: Any) -> None:
    # The whole URLconf loaded first, as in a served process: Wagtail's admin viewsets register their models
    # then (the read-only registries of cases and measures must not put them in the reference index, whose
    # post_save receiver re-read every saved measure: the order-dependent extra statements of issue 18).
    get_resolver().url_patterns  # noqa: B018
    school = world.partner(world.school)
    measure = services.accept_measure(viewer=school, measure_id=world.m_school.pk, version=world.m_school.version)
    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(5 + 2):  # + SAVEPOINT, RELEASE
        services.fulfil_measure(viewer=school, measure_id=measure.pk, version=measure.version, result="Сделано")
    statements = _statements(captured)
    assert len(statements) <= 5, "\n".join(statements)
    assert not any("wagtailcore_referenceindex" in sql for sql in statements)
    own = _own(statements)
    locking = [sql for sql in own if sql.startswith("SELECT")]
    assert locking and "cases_case" in locking[0] and "partners_organisation" in locking[0]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locking[0] and sum("FOR UPDATE" in sql for sql in statements) == 1
    # Agreements are read inside the locking statement only (SQLite has no FOR UPDATE to tell it by).
    assert not any("partners_agreement" in sql for sql in own if sql != locking[0])
    writes = [(sql.split(" ", 1)[0], sql.split('"')[1]) for sql in own if not sql.startswith("SELECT")]
    assert writes == [("UPDATE", "cases_measure"), ("INSERT", "audit_auditevent")]
    assert len(locking) == 1 and len(own) == 3
    # The ledger (portal.reports) writes its fact in one INSERT: no read of the measure, its case or its
    # assignment fact of its own.
    ledger = [sql for sql in statements if "reports_ledgerevent" in sql]
    assert len(ledger) == 1 and ledger[0].startswith('INSERT INTO "reports_ledgerevent"')
    assert sum(sql.startswith("SELECT") and 'FROM "cases_measure"' in sql for sql in statements) == 1
    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.FULFILLED


def test_gateway_answers_without_reloading(world: Any, gql: Any) -> None:
    school = world.partner(world.school)
    measure = services.accept_measure(viewer=school, measure_id=world.m_school.pk, version=world.m_school.version)
    with CaptureQueriesContext(connection) as captured:
        answer = gql(school, FULFIL, {"id": str(measure.pk), "version": measure.version})
    node = answer.data["fulfilMeasure"]
    assert node["status"] == "FULFILLED" and node["version"] == measure.version + 1
    assert node["organisation"]["name"] == world.school.name and node["caseCode"] == world.case_own.code
    statements = _statements(captured)
    assert len(statements) <= 5, "\n".join(statements)
    # (The lock's first FROM is that of its EXISTS on agreements: look for the measure table anywhere.)
    locks_and_reads = [sql for sql in statements if sql.startswith("SELECT") and 'FROM "cases_measure"' in sql]
    assert len(locks_and_reads) == 1  # the lock only: no read by the ledger, no reload by the gateway
    assert not any(sql.startswith("SELECT") and "reports_ledgerevent" in sql for sql in statements)


def test_version_conflict_and_scope_kept(world: Any) -> None:
    school = world.partner(world.school)
    measure = world.m_school
    with pytest.raises(Conflict) as conflict:
        services.fulfil_measure(viewer=school, measure_id=measure.pk, version=measure.version + 5, result="x")
    assert conflict.value.current.pk == measure.pk and conflict.value.current.version == measure.version
    with pytest.raises(NotFound):  # another organisation's measure is reported like a missing one
        services.fulfil_measure(viewer=world.partner(world.police), measure_id=measure.pk,
                                version=measure.version, result="x")
    assert Measure.objects.get(pk=measure.pk).status == measure.status


def test_the_compiled_locking_read_binds_each_measure_and_keeps_the_scope(world: Any) -> None:
    """The locking read is compiled once per viewer and day and run with each measure's id: the same viewer gets
    each of its own measures, another organisation's is still not found, and another viewer is not served the
    first one's statement."""
    school = world.partner(world.school)
    first = services.accept_measure(viewer=school, measure_id=world.m_school.pk, version=world.m_school.version)
    second = services.accept_measure(viewer=school, measure_id=world.m_school_other.pk,
                                     version=world.m_school_other.version)
    assert (first.pk, second.pk) == (world.m_school.pk, world.m_school_other.pk)
    assert second.case.pk == world.case_other.pk and second.organisation.pk == world.school.pk
    with pytest.raises(NotFound):  # compiled for the school: the police's measure is outside its WHERE
        services.accept_measure(viewer=school, measure_id=world.m_police.pk, version=world.m_police.version)
    police = world.partner(world.police)
    accepted = services.accept_measure(viewer=police, measure_id=world.m_police.pk, version=world.m_police.version)
    assert accepted.pk == world.m_police.pk and accepted.status == Measure.Status.ACCEPTED
    with pytest.raises(NotFound):
        services.accept_measure(viewer=police, measure_id=world.m_school.pk, version=first.version)
