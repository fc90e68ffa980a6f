"""Readiness of the audit trail (`/readyz`, component "audit"): the append-only triggers are in force and, on
PostgreSQL, the portal's database role cannot bypass them (not a superuser, not the table's owner, no UPDATE,
DELETE or TRUNCATE on it). Anything else is "degraded": the portal serves, but history could be rewritten."""

from __future__ import annotations

from typing import Any

from django.db import connection

from portal.audit.db import append_only_problems, least_privilege_problems


def status() -> dict[str, Any]:
    problems = append_only_problems(connection) + least_privilege_problems(connection)
    report: dict[str, Any] = {"status": "degraded" if problems else "ok"}
    if problems:
        report["problems"] = problems
        report["hint"] = "see docs/database-roles.md"
    return report
