"""The job runner in one process, on the database queue of the configured database (PostgreSQL by default,
SQLite with PORTAL_TEST_DB=sqlite): jobs run once, failures are retried with backoff, periodic jobs are
enqueued once per due run whatever the number of schedulers, enqueue waits for the commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.jobs import Backoff, enqueue_on_commit, enqueue_unique
from portal.jobs.models import ScheduleState
from portal.jobs.registry import PERIODIC, Periodic
from portal.jobs.scheduler import run_due
from portal.jobs.worker import run
from tests.jobs import sample_jobs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue", "runs_table")]


def _drain() -> None:
    run(batch=True, scheduler=False, interval=0)


def _row(result: Any) -> DBTaskResult:
    return DBTaskResult.objects.get(id=result.id)


def test_jobs_wait_in_the_queue_and_run_once() -> None:
    results = [sample_jobs.record.enqueue(f"job-{number}") for number in range(5)]
    assert sample_jobs.runs() == []  # enqueued, not run: a worker runs them
    assert DBTaskResult.objects.ready().count() == 5
    _drain()
    assert sorted(sample_jobs.runs()) == [f"job-{number}" for number in range(5)]
    assert {_row(result).status for result in results} == {TaskResultStatus.SUCCESSFUL}
    _drain()
    assert len(sample_jobs.runs()) == 5  # nothing runs a second time


def test_a_failed_job_is_retried_with_backoff_then_succeeds() -> None:
    result = sample_jobs.flaky.enqueue("flaky", 2)
    started = timezone.now()
    _drain()
    row = _row(result)
    assert row.status == TaskResultStatus.READY and len(row.worker_ids) == 1
    assert "failure 1 of 2" in row.traceback  # the last error stays visible while it waits
    assert timedelta(seconds=4) <= row.run_after - started <= timedelta(seconds=15)  # backoff 5 s
    _drain()  # not due yet: the worker leaves it
    assert sample_jobs.runs("flaky") == ["flaky"]

    DBTaskResult.objects.filter(id=row.id).update(run_after=timezone.now())  # the 5 s have passed
    second = timezone.now()
    _drain()
    row = _row(result)
    assert row.status == TaskResultStatus.READY and len(row.worker_ids) == 2
    assert timedelta(seconds=19) <= row.run_after - second <= timedelta(seconds=30)  # then 20 s

    DBTaskResult.objects.filter(id=row.id).update(run_after=timezone.now())
    _drain()
    row = _row(result)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 3 and row.traceback == ""
    assert sample_jobs.runs("flaky") == ["flaky"] * 3


def test_a_job_failing_every_attempt_stays_failed_for_the_administrator() -> None:
    result = sample_jobs.flaky.enqueue("always", 99)
    for _attempt in range(3):
        DBTaskResult.objects.filter(id=result.id).update(run_after=timezone.now())
        _drain()
    row = _row(result)
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 3  # max_attempts=3
    assert row.exception_class_path == "builtins.RuntimeError" and "failure 3 of 99" in row.traceback
    _drain()
    assert len(sample_jobs.runs("always")) == 3


def test_a_job_without_retries_fails_at_once() -> None:
    result = sample_jobs.record.enqueue("x", "not a number")  # time.sleep("not a number") raises TypeError
    _drain()
    assert _row(result).status == TaskResultStatus.FAILED


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(base=10, factor=3, cap=100)
    assert [backoff.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 30, 90, 100]


def test_enqueue_on_commit_waits_for_the_commit_and_drops_on_rollback() -> None:
    with transaction.atomic():
        enqueue_on_commit(sample_jobs.record, "committed")
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(sample_jobs.record, "rolled back")
        raise RuntimeError
    assert DBTaskResult.objects.count() == 1


def test_enqueue_unique_asks_for_one_waiting_run() -> None:
    from search.jobs import sync_search

    assert enqueue_unique(sync_search) is True
    assert enqueue_unique(sync_search) is False
    assert DBTaskResult.objects.filter(task_path=sync_search.module_path).count() == 1


@pytest.fixture
def every_minute() -> Any:
    schedule = Periodic("tests.jobs.every_minute", sample_jobs.record, every=timedelta(minutes=1))
    saved = dict(PERIODIC)
    PERIODIC.clear()
    PERIODIC[schedule.name] = schedule
    yield schedule
    PERIODIC.clear()
    PERIODIC.update(saved)


def test_periodic_jobs_are_enqueued_once_per_due_run(every_minute: Periodic) -> None:
    record = sample_jobs.record
    now = timezone.now()
    assert run_due(now) == [every_minute.name]  # first run at once
    assert run_due(now) == []  # a second scheduler at the same moment gets nothing
    assert run_due(now + timedelta(seconds=59)) == []
    assert run_due(now + timedelta(minutes=1)) == [every_minute.name]
    assert run_due(now + timedelta(hours=5)) == [every_minute.name]  # missed runs are caught up once
    assert DBTaskResult.objects.filter(task_path=record.module_path).count() == 3


def test_two_schedulers_racing_for_the_same_run_enqueue_it_once(every_minute: Periodic) -> None:
    """Both read the state before either claims it: the compare-and-set lets one through."""
    record = sample_jobs.record
    now = timezone.now()
    ScheduleState.objects.create(name=every_minute.name, next_run_at=now)
    stale = ScheduleState.objects.get(name=every_minute.name)
    assert run_due(now) == [every_minute.name]
    # The loser's UPDATE … WHERE next_run_at = <the value it read> matches nothing.
    assert ScheduleState.objects.filter(pk=stale.pk, next_run_at=stale.next_run_at).update(
        next_run_at=now + timedelta(minutes=1)) == 0
    assert DBTaskResult.objects.filter(task_path=record.module_path).count() == 1


def test_cron_schedules_follow_local_time() -> None:
    daily = Periodic("daily", sample_jobs.record, cron="0 7 * * *")
    moment = timezone.make_aware(timezone.datetime(2026, 3, 2, 8, 0))  # TIME_ZONE (Asia/Yekaterinburg)
    following = timezone.localtime(daily.next_after(moment))
    assert (following.day, following.hour, following.minute) == (3, 7, 0)
    assert daily.first_run(moment) == daily.next_after(moment)


def test_the_portal_declares_its_periodic_jobs() -> None:
    assert {"portal.core.jobs.deliver_due_mail", "search.jobs.sync_search_periodically",
            "search.jobs.verify_search_indexes"} <= set(PERIODIC)


def test_finished_jobs_and_sent_mail_are_pruned() -> None:
    from portal.core.models import OutboundMail
    from portal.jobs.jobs import prune_finished

    old = timezone.now() - timedelta(days=100)
    for key in ("old", "new"):
        sample_jobs.record.enqueue(key)
    sample_jobs.record.enqueue("broken", "not a number")
    _drain()
    DBTaskResult.objects.filter(args_kwargs__args__0__in=["old", "broken"]).update(finished_at=old)
    OutboundMail.objects.create(recipients=["a@example.org"], subject="s", body="b", status="sent",
                                next_attempt_at=old, sent_at=old)
    OutboundMail.objects.create(recipients=["a@example.org"], subject="s", body="b", next_attempt_at=old)
    assert prune_finished.call() == {"successful_jobs": 1, "failed_jobs": 1, "sent_mail": 1}
    assert [row.args_kwargs["args"][0] for row in DBTaskResult.objects.all()] == ["new"]
    assert OutboundMail.objects.get().status == OutboundMail.Status.PENDING  # never delivered: kept
