"""Liveness and readiness probes (`/healthz`, `/readyz`).

Readiness reports each part: the database (reachable, migrations applied), search
and identity. Search or identity being down degrades the portal but does not make
it unready: the portal keeps serving with database fallbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from identity.health import status as identity_status
from portal.audit.health import status as audit_status
from portal.core.network import bearer_matches, is_internal
from portal.jobs.health import status as jobs_status
from search.health import status as search_status

#: Component checks: name → callable returning {"status": "ok"|"degraded"|"down", ...}.
COMPONENT_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "search": search_status,
    "identity": identity_status,
    "audit": audit_status,
    "jobs": jobs_status,  # the background-job queue's backlog and failures
}


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    finally:
        connections.close_all()
    if pending:
        return {"status": "down", "error": "migrations_pending", "pending": len(pending)}
    return {"status": "ok", "vendor": connection.vendor}


def readiness() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {"database": database_status()}
    for name, check in COMPONENT_CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:
            report[name] = {"status": "down", "error": exc.__class__.__name__}
    ready = report["database"]["status"] == "ok"
    overall = "ok" if all(part.get("status") == "ok" for part in report.values()) else "degraded"
    return ready, {"status": overall if ready else "down", "components": report}


def readiness_details_allowed(client: str | None, authorization: str | None) -> bool:
    """The full report only for the internal network (INTERNAL_NETWORKS) or `Authorization: Bearer <READYZ_TOKEN>`."""
    return is_internal(client) or bearer_matches(authorization, getattr(settings, "READYZ_TOKEN", ""))
