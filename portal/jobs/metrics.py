"""Job-queue metrics, read at scrape time (portal.ops.metrics' hook): queue depth, the age of its oldest job,
jobs waiting for a retry, running and failed."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from portal.jobs.selectors import backlog
from portal.ops.metrics import register_scrape_collector


def job_metrics() -> Iterable[Metric]:
    report = backlog()
    families = []
    for key, name, text in (
        ("due", "portal_jobs_queue_depth", "Jobs due and waiting for a worker"),
        ("oldest_due_seconds", "portal_jobs_oldest_due_age_seconds", "Age of the oldest job waiting (0 when none)"),
        ("retrying", "portal_jobs_retrying", "Failed jobs waiting for their next attempt"),
        ("running", "portal_jobs_running", "Jobs being run by a worker"),
        ("failed", "portal_jobs_failed", "Jobs that failed after their last attempt (kept for administrators)"),
    ):
        family = GaugeMetricFamily(name, text)
        family.add_metric([], float(report[key]))
        families.append(family)
    return families


def register() -> None:
    register_scrape_collector(job_metrics)
