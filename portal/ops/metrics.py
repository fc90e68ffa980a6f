"""Prometheus metrics (prometheus_client), shared by every web process.

Several workers (`portal serve --workers N`) write their samples to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode; `portal serve` creates and
empties the folder) and `/metrics`, answered by any of them, sums them up. Values that describe
the system rather than one process (search outbox backlog and age, search degraded) are read at
scrape time by collectors, so they are never stale or per-process.

Hook for the job runner (issue 15) and other packages: `register_scrape_collector(func)` where
`func()` returns an iterable of prometheus_client metric families (e.g. queue depth and failures
from `GaugeMetricFamily`/`CounterMetricFamily`); it runs at each scrape, in the scraping process.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger("portal.ops.metrics")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter("portal_http_requests", "HTTP requests answered", ["route", "method", "status"])
HTTP_LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer an HTTP request",
                         ["route", "method"], buckets=LATENCY_BUCKETS)
GRAPHQL_OPERATIONS = Counter("portal_graphql_operations", "GraphQL operations executed at /graphql",
                             ["operation", "status"])
GRAPHQL_LATENCY = Histogram("portal_graphql_operation_duration_seconds", "Time to answer a GraphQL operation",
                            ["operation"], buckets=LATENCY_BUCKETS)
EMAIL_SENT = Counter("portal_email_sent", "E-mail messages handed to the mail relay")
EMAIL_FAILURES = Counter("portal_email_failures", "E-mail messages the mail relay did not take")
CACHE_ERRORS = Counter("portal_cache_errors", "Calls to the shared cache that failed (answered as a miss)")

#: Client-chosen GraphQL operation names become labels: only well-formed names, and at most this
#: many distinct ones per process; later names are counted as "other" (bounded cardinality).
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_seen_operations: set[str] = set()
_seen_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _OPERATION_NAME.match(name):
        return "invalid"
    with _seen_lock:
        if name in _seen_operations:
            return name
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
        return name


# --- Scrape-time collectors -------------------------------------------------------------------

ScrapeCollector = Callable[[], Iterable[Metric]]
_scrape_collectors: list[ScrapeCollector] = []


def register_scrape_collector(func: ScrapeCollector) -> ScrapeCollector:
    """Add a function run at each scrape (see the module docstring). Usable as a decorator."""
    if func not in _scrape_collectors:
        _scrape_collectors.append(func)
    return func


@register_scrape_collector
def search_metrics() -> Iterable[Metric]:
    # search.models: this module loads with the cache and mail backends, which may come before the models
    from search.health import status

    report = status()
    backlog = GaugeMetricFamily("portal_search_outbox_backlog", "Search-outbox rows not yet applied to the engine")
    backlog.add_metric([], float(report.get("backlog", 0)))
    age = GaugeMetricFamily("portal_search_outbox_oldest_age_seconds",
                            "Age of the oldest search-outbox row (0 when empty)")
    age.add_metric([], float(report.get("oldest_pending_seconds", 0)))
    degraded = GaugeMetricFamily("portal_search_degraded", "1 when search is degraded (engine down, index "
                                 "incomplete or backlog too old)", labels=["reason"])
    degraded.add_metric([str(report.get("error", ""))], 0.0 if report.get("status") == "ok" else 1.0)
    return [backlog, age, degraded]


class _ScrapeTime(Collector):
    def describe(self) -> Iterable[Metric]:
        return []  # registering must not run the collectors (they read the database)

    def collect(self) -> Iterable[Metric]:
        from django.db import close_old_connections

        for func in list(_scrape_collectors):
            close_old_connections()
            try:
                yield from func()
            except Exception as exc:  # one broken source must not hide the others
                logger.warning("metrics collector failed", extra={"collector": getattr(func, "__name__", "?"),
                                                                  "error": exc.__class__.__name__})
            finally:
                close_old_connections()


_SCRAPE_TIME = _ScrapeTime()
REGISTRY.register(_SCRAPE_TIME)


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def render() -> bytes:
    """The exposition text of all workers' metrics plus the scrape-time collectors."""
    if not multiprocess_dir():
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_TIME)
    return generate_latest(registry)


def observe_http(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"} else "OTHER"
    HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    HTTP_LATENCY.labels(route=route, method=method).observe(seconds)


def observe_graphql(*, operation: str, status: str, seconds: float) -> None:
    GRAPHQL_OPERATIONS.labels(operation=operation, status=status).inc()
    GRAPHQL_LATENCY.labels(operation=operation).observe(seconds)
