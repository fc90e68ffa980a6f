"""The request id travels with the jobs a request enqueues.

When a job is put on the database queue during a request (or any work run under `bound_request`), its request
id is stored next to the job (`JobOrigin`). When a worker starts the job, the job runs under that request id —
or under its own job id when it was enqueued outside a request (a periodic job) — so every log line the job
writes carries it, and `portal.jobs.run` logs the start and the end of each run. Jobs run inline (the
immediate backend of development and tests) already run inside the request's context.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import Token
from typing import Any

from django_tasks import TaskResult
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from portal.ops.context import RequestInfo, _current, current, current_request_id
from portal.ops.models import JobOrigin

logger = logging.getLogger("portal.jobs.run")

_running = threading.local()  # the context token and start time of the job this thread runs


def _from_database_queue(sender: object) -> bool:
    # django-tasks-db's worker sends the backend instance, its enqueue the backend class.
    return issubclass(sender if isinstance(sender, type) else type(sender), DatabaseBackend)


def _remember_origin(sender: object, task_result: TaskResult, **kwargs: Any) -> None:
    request_id = current_request_id()
    if request_id and _from_database_queue(sender):
        JobOrigin.objects.create(job_id=task_result.id, request_id=request_id)


def _bind_origin(sender: object, task_result: TaskResult, **kwargs: Any) -> None:
    if not _from_database_queue(sender) or current() is not None:
        return
    # The stub wants a UUID for the key; the database backend's ids are UUID strings, which the lookup takes.
    request_id = (JobOrigin.objects.filter(job_id=task_result.id)  # type: ignore[misc]
                  .values_list("request_id", flat=True).first()
                  or str(task_result.id))
    token: Token[RequestInfo | None] = _current.set(
        RequestInfo(request_id=request_id, route=f"job:{task_result.task.module_path}"))
    _running.job = (task_result.id, token, time.perf_counter())
    logger.info("job started", extra={"job": task_result.task.module_path, "job_id": str(task_result.id),
                                      "attempt": len(task_result.worker_ids)})


def _unbind_origin(sender: object, task_result: TaskResult, **kwargs: Any) -> None:
    running = getattr(_running, "job", None)
    if running is None or running[0] != task_result.id:
        return
    _job_id, token, started = running
    _running.job = None
    try:
        logger.info("job finished", extra={"job": task_result.task.module_path, "job_id": str(task_result.id),
                                           "status": str(task_result.status),
                                           "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    finally:
        _current.reset(token)


def connect_signals() -> None:
    task_enqueued.connect(_remember_origin, dispatch_uid="portal.ops.job_origin")
    task_started.connect(_bind_origin, dispatch_uid="portal.ops.job_bind_origin")
    task_finished.connect(_unbind_origin, dispatch_uid="portal.ops.job_unbind_origin")
