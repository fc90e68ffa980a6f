"""Liveness and readiness probes (`/healthz`, `/readyz`).

Readiness reports each part: the database (reachable, migrations applied), search
and identity. Search or identity being down degrades the portal but does not make
it unready: the portal keeps serving with database fallbacks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

#: Optional component checks: module path → callable returning {"status": "ok"|"degraded"|"down", ...}.
COMPONENT_CHECKS: dict[str, str] = {
    "search": "search.health:status",
    "identity": "identity.health:status",
    "audit": "portal.audit.health:status",
    "jobs": "portal.jobs.health:status",  # the background-job queue's backlog and failures
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


def _load(path: str) -> Callable[[], dict[str, Any]] | None:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, attr, None)


def readiness() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {"database": database_status()}
    for name, path in COMPONENT_CHECKS.items():
        check = _load(path)
        if check is None:
            continue
        try:
            report[name] = check()
        except Exception as exc:
            report[name] = {"status": "down", "error": exc.__class__.__name__}
    ready = report["database"]["status"] == "ok"
    overall = "ok" if all(part.get("status") == "ok" for part in report.values()) else "degraded"
    return ready, {"status": overall if ready else "down", "components": report}


def readiness_details_allowed(client: str | None, authorization: str | None) -> bool:
    """The full report only for the internal network (INTERNAL_NETWORKS) or `Authorization: Bearer <READYZ_TOKEN>`."""
    from django.conf import settings

    from portal.core.network import bearer_matches, is_internal

    return is_internal(client) or bearer_matches(authorization, getattr(settings, "READYZ_TOKEN", ""))
