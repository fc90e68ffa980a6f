"""Issue 11, finding 5: audit rows cannot be removed, on either database.

SQLite (PORTAL_TEST_DB=sqlite): triggers refuse UPDATE and DELETE. PostgreSQL: TRUNCATE is refused by a
statement trigger, and the least-privilege application role of `portal manage audit_grants` can neither
update, delete, truncate nor disable the triggers; `/readyz` says whether the portal's own role is such a role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from portal.audit.db import append_only_problems, least_privilege_problems
from portal.audit.health import status
from portal.audit.models import AuditEvent
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _an_event() -> AuditEvent:
    f.registered_case()
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    return event


def test_raw_updates_and_deletes_of_audit_rows_are_refused_by_the_database() -> None:
    """Both engines (run the suite with PORTAL_TEST_DB=sqlite for SQLite)."""
    event = _an_event()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET verb = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).verb == event.verb
    assert append_only_problems(connection) == []


def test_truncate_is_refused_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    event = _an_event()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE audit_auditevent")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_sqlite_triggers_come_back_after_migrating() -> None:
    """SQLite rebuilds a table to alter it (the triggers go with the old one): migrating puts them back."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _raw("DROP TRIGGER audit_event_no_delete")
    assert append_only_problems(connection) == ["trigger_missing:audit_event_no_delete"]
    assert status()["status"] == "degraded"
    call_command("migrate", "audit", verbosity=0)
    assert append_only_problems(connection) == []
    assert status() == {"status": "ok"}


# --- PostgreSQL: the least-privilege application role ---------------------------------------------------------

def _superuser_connection(**overrides: Any) -> Any:
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"],
                           user=overrides.get("user", settings["USER"]), autocommit=True)


@pytest.fixture
def app_role() -> Iterator[str]:
    """A login role with the grants of `portal manage audit_grants`, made outside the test transaction (grants
    are transactional) and dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    name = f"portal_app_{uuid.uuid4().hex[:8]}"
    from portal.audit.management.commands.audit_grants import grant_statements

    with _superuser_connection() as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
        for statement in grant_statements(name, database=connection.settings_dict["NAME"]):
            admin.execute(statement)
    try:
        yield name
    finally:
        with _superuser_connection() as admin:
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')


def test_the_application_role_cannot_remove_or_rewrite_audit_rows(app_role: str) -> None:
    import psycopg

    with _superuser_connection() as admin:  # a committed row to attack
        admin.execute("INSERT INTO audit_auditevent (at, actor_subject, actor_name, actor_organisation, action, verb, "
                      "object_type, object_id, object_repr, changes, details) VALUES (now(), 't', 't', '', "
                      "'create', 'test.row', 'test', '1', '', '{}', '{}')")
    with _superuser_connection(user=app_role) as app:
        # What the portal does: reads and appends.
        app.execute("INSERT INTO audit_auditevent (at, actor_subject, actor_name, actor_organisation, action, verb, "
                    "object_type, object_id, object_repr, changes, details) VALUES (now(), 'a', 'a', '', "
                    "'create', 'test.app', 'test', '2', '', '{}', '{}')")
        assert app.execute("SELECT count(*) FROM audit_auditevent WHERE verb LIKE 'test.%'").fetchone()[0] == 2
        for attack in ("UPDATE audit_auditevent SET verb = 'forged'", "DELETE FROM audit_auditevent",
                       "TRUNCATE audit_auditevent", "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
                       "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate",
                       "DROP TRIGGER audit_event_append_only ON audit_auditevent",
                       "SET session_replication_role = replica"):
            with pytest.raises(psycopg.Error):
                app.execute(attack)
        # Granting itself more is answered with a warning only ("no privileges were granted"): still refused.
        app.execute("GRANT DELETE, TRUNCATE ON audit_auditevent TO CURRENT_USER")
        for attack in ("DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(attack)
        # Other tables stay writable as before (the portal updates and deletes its own rows).
        app.execute("UPDATE territory_district SET population = population WHERE false")
        app.execute("DELETE FROM territory_district WHERE false")
        assert app.execute("SELECT count(*) FROM audit_auditevent WHERE verb LIKE 'test.%'").fetchone()[0] == 2


def test_readiness_tells_whether_the_portal_role_is_least_privilege(app_role: str, settings: Any) -> None:
    # The test suite connects as the cluster's superuser: reported, not hidden.
    report = status()
    assert report["status"] == "degraded"
    assert {"superuser", "owns_audit_table"} <= set(report["problems"])
    from django.db import connections
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": {**connections["default"].settings_dict, "USER": app_role}})
    app_connection = handler["default"]
    try:
        assert least_privilege_problems(app_connection) == []
        assert append_only_problems(app_connection) == []
    finally:
        app_connection.close()


def test_audit_grants_command_prints_the_grants_or_refuses_on_sqlite() -> None:
    from io import StringIO

    from django.core.management.base import CommandError

    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("audit_grants", "portal_app")
        return
    out = StringIO()
    call_command("audit_grants", "portal_app", stdout=out)
    printed = out.getvalue()
    assert ('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "public"."audit_auditevent" '
            'FROM "portal_app"') in printed
    assert "ALTER DEFAULT PRIVILEGES" in printed
    with pytest.raises(CommandError, match="plain PostgreSQL name"):
        call_command("audit_grants", 'x"; DROP TABLE audit_auditevent; --')
