"""The audit table in the database: append-only triggers on both engines, and the checks `/readyz` reports.

PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE (migrations 0002, 0003).
What triggers cannot stop is a role that owns the table (it may `ALTER TABLE … DISABLE TRIGGER`) or a superuser:
the application connects as a role that neither owns the table nor holds UPDATE, DELETE or TRUNCATE on it
(`portal manage audit_grants`, docs/database-roles.md), and `least_privilege_problems` says when it does not.

SQLite: the same refusals as triggers (migration 0003). SQLite has no roles: whoever can write the file can do
anything, so the file's permissions are the boundary there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

AUDIT_TABLE = "audit_auditevent"
APPEND_ONLY_MESSAGE = "audit events are append-only"

#: SQLite triggers (name, statement), created by migration 0003 and re-created after any migration that rebuilt
#: the table (SQLite rebuilds a table to alter it, and the triggers go with the old one).
SQLITE_TRIGGERS: tuple[tuple[str, str], ...] = tuple(
    (f"audit_event_no_{operation.lower()}",
     f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{operation.lower()} BEFORE {operation} ON {AUDIT_TABLE} "
     f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")
    for operation in ("UPDATE", "DELETE"))
#: PostgreSQL triggers that must exist and be enabled.
POSTGRES_TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")


def ensure_sqlite_triggers(connection: Any) -> None:
    """Create the SQLite append-only triggers if they are missing (idempotent)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [AUDIT_TABLE])
        if cursor.fetchone() is None:
            return
        for _name, statement in SQLITE_TRIGGERS:
            cursor.execute(statement)


def append_only_problems(connection: Any) -> list[str]:
    """Missing or disabled append-only triggers of the audit table (codes; empty when all are in force)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE])
            present = {row[0] for row in cursor.fetchall()}
            return [f"trigger_missing:{name}" for name, _sql in SQLITE_TRIGGERS if name not in present]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass",
                           [AUDIT_TABLE])
            state = dict(cursor.fetchall())
            problems = [f"trigger_missing:{name}" for name in POSTGRES_TRIGGERS if name not in state]
            # 'O' fires in normal sessions; 'D' is disabled, 'R' only for replication.
            problems += [f"trigger_disabled:{name}" for name in POSTGRES_TRIGGERS if state.get(name, "O") != "O"]
            return problems
    return [f"unsupported_vendor:{connection.vendor}"]


def least_privilege_problems(connection: Any) -> list[str]:
    """What the connected role could do to rewrite history on PostgreSQL (codes; empty for a least-privilege
    application role): be a superuser, own the table (or be a member of its owner), or hold UPDATE, DELETE or
    TRUNCATE on it."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'),
                      has_table_privilege(current_user, c.oid, 'UPDATE'),
                      has_table_privilege(current_user, c.oid, 'DELETE'),
                      has_table_privilege(current_user, c.oid, 'TRUNCATE')
               FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
               WHERE c.oid = %s::regclass""", [AUDIT_TABLE])
        row = cursor.fetchone()
    if row is None:
        return ["audit_table_missing"]
    superuser, owner, update, delete, truncate = row
    names = ("superuser", "owns_audit_table", "may_update_audit", "may_delete_audit", "may_truncate_audit")
    return [name for name, held in zip(names, (superuser, owner, update, delete, truncate), strict=True) if held]


def allow_test_flush() -> None:
    """Let Django's test flush (between transactional tests) empty the audit table: on PostgreSQL the flush runs
    with `session_replication_role = replica` (a superuser's setting: the throw-away test cluster's), on SQLite
    the triggers are dropped and re-created around it. For the test suite only — nothing in the portal flushes."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    original: Callable[[Any, Iterable[str]], None] = BaseDatabaseOperations.execute_sql_flush
    if getattr(original, "audit_aware", False):
        return

    def execute_sql_flush(self: Any, sql_list: Iterable[str]) -> None:
        sql_list = list(sql_list)
        if not any(AUDIT_TABLE in sql for sql in sql_list):
            return original(self, sql_list)
        if self.connection.vendor == "postgresql":
            return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])
        if self.connection.vendor == "sqlite":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                               [AUDIT_TABLE])
                triggers = cursor.fetchall()
            return original(self, [*(f'DROP TRIGGER IF EXISTS "{name}"' for name, _sql in triggers), *sql_list,
                                   *(sql for _name, sql in triggers)])
        return original(self, sql_list)

    execute_sql_flush.audit_aware = True  # type: ignore[attr-defined]
    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
