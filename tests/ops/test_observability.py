"""Structured logs with the request context and Prometheus metrics behind an internal-network gate."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import smtplib
import time
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from identity import testing
from portal.ops import metrics
from portal.ops.context import bound_request
from portal.ops.logs import JSON_FORMATTER, ContextFilter
from portal.testing.server import RunningServer

SCHOOL = {"username": "partner.school7", "roles": ("partner",), "groups": ("/partners/school-7",)}


def _access_record(caplog: pytest.LogCaptureFixture, **fields: Any) -> logging.LogRecord:
    """The access line with these fields (written just after the response is sent: waits a little)."""
    deadline = time.monotonic() + 10
    while True:
        for record in caplog.records:
            if record.name == "portal.access" and all(getattr(record, k, None) == v for k, v in fields.items()):
                return record
        if time.monotonic() > deadline:
            raise AssertionError(f"no access line with {fields}")
        time.sleep(0.05)


def _formatter() -> logging.Formatter:
    config = dict(JSON_FORMATTER)
    module, _, name = config.pop("()").rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)(**config)


def _json_line(record: logging.LogRecord) -> dict[str, Any]:
    return json.loads(_formatter().format(record))


def _subject(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def test_request_id_is_taken_or_made_and_returned(portal_server: RunningServer) -> None:
    given = httpx.get(portal_server.url + "/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["x-request-id"] == "lb-1234.abc"
    made = httpx.get(portal_server.url + "/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


def test_access_line_has_route_status_duration_and_a_pseudonymous_viewer(
        portal_server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    from tests.graph.support import build_world

    build_world()
    token = testing.issue_token(**SCHOOL)
    caplog.set_level(logging.INFO, logger="portal.access")
    response = httpx.post(portal_server.url + "/graphql", headers={"Authorization": f"Bearer {token}",
                                                                   "X-Request-ID": "req-graph-1"},
                          json={"query": "query MyWork { myMeasures(first: 5) { totalCount } }"}, timeout=30)
    assert response.status_code == 200, response.text
    httpx.get(portal_server.url + "/no-such-page-48213/?address=ул.+Ленина,+5", timeout=30)

    line = _json_line(_access_record(caplog, request_id="req-graph-1"))
    assert line["route"] == "/graphql" and line["status"] == 200 and line["graphql_operation"] == "MyWork"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["logger"] == "portal.access"
    subject = _subject(token)
    expected = hmac.new(settings.SECRET_KEY.encode(), b"viewer:" + subject.encode(), hashlib.sha256).hexdigest()
    assert line["viewer"] == expected[:16]
    text = json.dumps(line, ensure_ascii=False)
    assert subject not in text and SCHOOL["username"] not in text and "school" not in text

    page = _json_line(_access_record(caplog, status=404))
    # The route names the pattern (Wagtail's page catch-all here), never the path or its query string.
    assert page["route"] == "wagtail_page"
    assert "48213" not in json.dumps(page, ensure_ascii=False) and "Ленина" not in json.dumps(page, ensure_ascii=False)


def test_django_route_is_the_pattern_not_the_path(portal_server: RunningServer,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.access")
    assert httpx.get(portal_server.url + "/admin/login/", timeout=30).status_code == 200
    line = _json_line(_access_record(caplog, status=200))
    assert line["route"] == "/admin/login/"


def test_log_lines_inside_work_carry_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    """What a job runner does with the request id it stored: every line logged inside carries it."""
    logger = logging.getLogger("portal.test")
    caplog.set_level(logging.INFO, logger="portal.test")
    with bound_request("req-42"):
        record = logging.LogRecord("portal.test", logging.INFO, __file__, 1, "work done", None, None)
        ContextFilter().filter(record)
        logger.info("work done")
    line = _json_line(record)
    assert line["request_id"] == "req-42" and line["message"] == "work done"
    outside = logging.LogRecord("portal.test", logging.INFO, __file__, 1, "idle", None, None)
    ContextFilter().filter(outside)
    assert outside.request_id == "-"


# --- Metrics ------------------------------------------------------------------------------------


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in metrics")


def test_metrics_count_requests_per_route_and_graphql_operation(portal_server: RunningServer) -> None:
    for _ in range(3):
        httpx.get(portal_server.url + "/healthz")
    httpx.post(portal_server.url + "/graphql", json={"query": "query Probe { __typename }"})
    response = httpx.get(portal_server.url + "/metrics")
    assert response.status_code == 200
    text = response.text
    assert _sample(text, "portal_http_requests_total", route="/healthz", method="GET", status="200") >= 3
    assert _sample(text, "portal_http_request_duration_seconds_count", route="/healthz") >= 3
    assert _sample(text, "portal_graphql_operations_total", operation="Probe", status="ok") >= 1
    assert _sample(text, "portal_graphql_operation_duration_seconds_bucket", operation="Probe", le="+Inf") >= 1
    from search.models import OutboxEntry

    assert _sample(text, "portal_search_outbox_backlog") == OutboxEntry.objects.count()
    assert "portal_search_outbox_oldest_age_seconds" in text and "portal_search_degraded" in text


def test_metrics_only_for_the_internal_network_or_the_token(portal_server: RunningServer, settings: Any) -> None:
    settings.INTERNAL_NETWORKS = ["10.0.0.0/8"]  # the test client (127.0.0.1) is outside now
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    url = portal_server.url + "/metrics"
    assert httpx.get(url).status_code == 403
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert httpx.get(url, headers={"Authorization": "Bearer s3cret-metrics-token"}).status_code == 200
    settings.METRICS_TOKEN = ""
    assert httpx.get(url, headers={"Authorization": "Bearer x"}).status_code == 403  # no token configured
    settings.INTERNAL_NETWORKS = ["127.0.0.0/8"]
    assert httpx.get(url).status_code == 200


def test_operation_names_are_bounded_labels() -> None:
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("x" * 100) == "invalid"
    assert metrics.operation_label("drop table;") == "invalid"
    for i in range(metrics.MAX_OPERATION_NAMES + 5):
        label = metrics.operation_label(f"Op{i}")
    assert label == "other"


def test_email_failures_are_counted(settings: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    before = metrics.EMAIL_FAILURES._value.get()
    connection = get_connection("portal.ops.mail.MeteredEmailBackend")
    with pytest.raises((OSError, smtplib.SMTPException)):
        connection.send_messages([EmailMessage("s", "b", "from@example.org", ["to@example.org"])])
    assert metrics.EMAIL_FAILURES._value.get() == before + 1
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent_before = metrics.EMAIL_SENT._value.get()
    assert get_connection("portal.ops.mail.MeteredEmailBackend").send_messages(
        [EmailMessage("s", "b", "from@example.org", ["to@example.org"])]) == 1
    assert metrics.EMAIL_SENT._value.get() == sent_before + 1


def test_several_workers_report_together(start_portal: Any) -> None:
    """prometheus_client's multiprocess mode: /metrics of any worker counts the requests of all."""
    portal = start_portal(workers=2, database=False)
    for _ in range(20):
        httpx.get(portal.url + "/healthz", timeout=30)
    for _ in range(3):  # whichever worker answers the scrape
        text = httpx.get(portal.url + "/metrics", timeout=30).text
        assert _sample(text, "portal_http_requests_total", route="/healthz", method="GET", status="200") >= 20
    assert portal.terminate() == 0
