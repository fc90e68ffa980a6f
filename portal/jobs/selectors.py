"""Reads of the job queue: its backlog (readiness, metrics) and the lists of the admin view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def backlog() -> dict[str, Any]:
    """Jobs due and waiting for a worker, the age of the oldest one, jobs waiting for a retry, running, failed."""
    now = timezone.now()
    due = DBTaskResult.objects.ready()
    oldest = due.aggregate(oldest=Min("enqueued_at"))["oldest"]
    waiting_retry = DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now).exclude(
        worker_ids=[])
    return {
        "due": due.count(),
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "retrying": waiting_retry.count(),
        "running": DBTaskResult.objects.running().count(),
        "failed": DBTaskResult.objects.failed().count(),
        "failed_last_day": DBTaskResult.objects.failed().filter(finished_at__gte=now - timedelta(days=1)).count(),
    }


def jobs(status: str | None = None) -> QuerySet[DBTaskResult]:
    found = DBTaskResult.objects.all()
    if status:
        found = found.filter(status=status)
    return found.order_by("-enqueued_at")
