"""Readiness of search for `/readyz`: ok, or degraded (engine unreachable or its index cannot be read, an
index lost or never built completely, or an outbox backlog too old)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from search.api import get_backend
from search.models import OutboxEntry
from search.sync import lost_indexes


def status() -> dict[str, Any]:
    backend = get_backend()
    engine = "meilisearch" if settings.MEILISEARCH_URL else "embedded"
    reachable = backend.health()
    backlog = OutboxEntry.objects.count()
    oldest = OutboxEntry.objects.order_by("id").values_list("created_at", flat=True).first()
    max_age = dt.timedelta(minutes=getattr(settings, "SEARCH_BACKLOG_MAX_MINUTES", 10))
    stale = oldest is not None and timezone.now() - oldest > max_age
    report: dict[str, Any] = {"status": "ok", "engine": engine, "backlog": backlog}
    if oldest is not None:
        report["oldest_pending_seconds"] = int((timezone.now() - oldest).total_seconds())
    if not reachable:
        report.update(status="degraded", error="engine_unreachable")
        return report
    try:
        lost = lost_indexes(backend)
    except Exception:
        report.update(status="degraded", error="engine_unreachable")
        return report
    if lost:
        report.update(status="degraded", error="index_incomplete", indexes=lost)
    elif stale:
        report.update(status="degraded", error="backlog_stale")
    return report
