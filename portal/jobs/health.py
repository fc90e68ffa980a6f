"""The job queue's part of `/readyz`: its backlog. A backlog older than JOBS_BACKLOG_MAX_MINUTES (no worker
running, or workers not keeping up) degrades readiness without making the portal unready. Failed jobs are
counted (and listed in the admin), not judged: a failure that the next attempt repairs must not mark the portal
degraded for a day."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from portal.jobs.selectors import backlog


def status() -> dict[str, Any]:
    report: dict[str, Any] = {"status": "ok", **backlog()}
    if report["oldest_due_seconds"] > int(settings.JOBS_BACKLOG_MAX_MINUTES) * 60:
        report.update(status="degraded", error="backlog_stale")
    return report
