"""A job enqueued during a request runs under that request's id: its log lines can be found next to the
request's. A job enqueued outside a request (a periodic one) runs under its own id."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.jobs import enqueue_on_commit, job
from portal.jobs.worker import run
from portal.ops.context import bound_request, current_request_id
from portal.ops.models import JobOrigin

pytestmark = pytest.mark.django_db(transaction=True)

job_logger = logging.getLogger("portal.tests.job")


@job()
def report_progress(step: str) -> str | None:
    job_logger.info("job step", extra={"step": step})
    return current_request_id()


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _drain() -> None:
    run(batch=True, scheduler=False, interval=0)


def _records(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == name]


def test_a_job_enqueued_in_a_request_logs_with_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    with bound_request("req-job-7"):
        with transaction.atomic():
            enqueue_on_commit(report_progress, "one")
    assert JobOrigin.objects.get().request_id == "req-job-7"
    caplog.set_level(logging.INFO)
    _drain()  # the worker: a process (here a thread) with no request of its own
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "req-job-7"
    [step] = _records(caplog, "portal.tests.job")
    assert step.request_id == "req-job-7" and step.route == "job:" + report_progress.module_path
    started, finished = _records(caplog, "portal.jobs.run")
    assert (started.message, finished.message) == ("job started", "job finished")
    assert started.request_id == finished.request_id == "req-job-7"
    assert finished.status == "SUCCESSFUL"
    assert current_request_id() is None  # the job's context ends with the job


def test_a_job_enqueued_outside_a_request_runs_under_its_own_id(caplog: pytest.LogCaptureFixture) -> None:
    result = report_progress.enqueue("two")
    assert not JobOrigin.objects.exists()
    caplog.set_level(logging.INFO)
    _drain()
    [step] = _records(caplog, "portal.tests.job")
    assert step.request_id == str(result.id)


def test_the_origin_goes_with_its_job() -> None:
    with bound_request("req-job-8"):
        report_progress.enqueue("three")
    DBTaskResult.objects.all().delete()  # as the nightly pruning does
    assert not JobOrigin.objects.exists()
