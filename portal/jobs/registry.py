"""Declaring jobs: `@job` (a Django task with a retry policy), `@periodic` (a schedule), and enqueueing them
after the current transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.signals import task_finished

logger = logging.getLogger("portal.jobs")

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n (1 = the first retry): `base * factor**(n-1)`, at most `cap` seconds."""

    base: float = 10.0
    factor: float = 3.0
    cap: float = 3600.0

    def delay(self, retry: int) -> timedelta:
        return timedelta(seconds=min(self.cap, self.base * self.factor ** max(0, retry - 1)))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: Backoff


#: Task module path → its retry policy (jobs declared without retries are absent).
RETRY_POLICIES: dict[str, RetryPolicy] = {}


def job(
    *, max_attempts: int = 1, backoff: Backoff | None = None, priority: int = 0, queue_name: str = "default",
) -> Callable[[Callable[..., T]], Task[..., T]]:
    """A background job: a Django task that the worker runs again after a failure, up to `max_attempts` runs
    in all, waiting `backoff.delay(n)` before retry n. Arguments and return values must be JSON."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(function: Callable[..., T]) -> Task[..., T]:
        declared: Task[..., T] = task(priority=priority, queue_name=queue_name)(function)
        if max_attempts > 1:
            RETRY_POLICIES[declared.module_path] = RetryPolicy(max_attempts, backoff or Backoff())
        return declared

    return decorate


# --- Periodic jobs -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Periodic:
    """A schedule: `every` (an interval, first run at once) or `cron` (a crontab line in TIME_ZONE)."""

    name: str
    task: Task[..., Any]
    every: timedelta | None = None
    cron: str | None = None

    def first_run(self, now: datetime) -> datetime:
        return now if self.every is not None else self.next_after(now)

    def next_after(self, moment: datetime) -> datetime:
        if self.every is not None:
            return moment + self.every
        from croniter import croniter

        local = timezone.localtime(moment)
        following: datetime = croniter(self.cron, local).get_next(datetime)
        return following


#: Schedule name (the task's module path) → schedule.
PERIODIC: dict[str, Periodic] = {}


def periodic(*, every: timedelta | None = None, cron: str | None = None) -> Callable[[Task[..., T]], Task[..., T]]:
    """Run a job on a schedule. Put it above `@job`. Each due run is enqueued exactly once, whichever
    and however many workers run the scheduler (portal.jobs.scheduler)."""
    if (every is None) == (cron is None):
        raise ValueError("give either every= or cron=")
    if cron is not None:
        from croniter import croniter

        if not croniter.is_valid(cron):
            raise ValueError(f"not a cron expression: {cron!r}")
    if every is not None and every.total_seconds() <= 0:
        raise ValueError("every= must be positive")

    def decorate(declared: Task[..., T]) -> Task[..., T]:
        if not isinstance(declared, Task):
            raise TypeError("@periodic goes above @job")
        PERIODIC[declared.module_path] = Periodic(declared.module_path, declared, every=every, cron=cron)
        return declared

    return decorate


# --- Enqueueing ------------------------------------------------------------------------------------------------

def enqueue_on_commit(declared: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits (at once outside a transaction): a job never sees
    data that was rolled back, nor runs before the rows it needs are visible."""
    transaction.on_commit(lambda: declared.enqueue(*args, **kwargs))


def enqueue_unique(declared: Task[..., Any], *, background_only: bool = False) -> bool:
    """Enqueue an argument-less job unless a run of it is already waiting (not yet started): many changes in
    a row ask for one run, not one each. `background_only`: do nothing when the configured backend would run
    the job inline (ImmediateBackend), since the caller only asks for a background run. True when enqueued."""
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = declared.get_backend()
    if background_only and isinstance(backend, ImmediateBackend):
        return False
    # A run waiting for a retry (run_after in the future) does not count: this one may succeed sooner.
    if isinstance(backend, DatabaseBackend) and DBTaskResult.objects.filter(
        task_path=declared.module_path, status=TaskResultStatus.READY, worker_ids=[],
    ).exists():
        return False
    declared.enqueue()
    return True


# --- Retries --------------------------------------------------------------------------------------------------

def _retry_failed(sender: object, task_result: Any, **kwargs: Any) -> None:
    """After a failed run, put the same row back in the queue (run_after = now + backoff) while attempts remain:
    one row per job, its worker ids count the attempts, its last error stays visible to administrators."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        path = task_result.task.module_path
    except Exception:  # the task no longer exists in the code
        return
    policy = RETRY_POLICIES.get(path)
    attempts = len(task_result.worker_ids)
    if policy is None or attempts >= policy.max_attempts:
        return
    from django_tasks_db.models import DBTaskResult

    run_after = timezone.now() + policy.backoff.delay(attempts)
    requeued = DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None)
    if requeued:
        logger.warning("job failed, retried later", extra={"job": path, "attempt": attempts,
                                                            "retry_at": run_after.isoformat()})


def connect_signals() -> None:
    task_finished.connect(_retry_failed, dispatch_uid="portal.jobs.retry_failed")
