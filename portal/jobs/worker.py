"""`portal worker`: runs queued jobs (django-tasks-db's worker loop) and the scheduler.

One worker process runs one job at a time; run several (`--processes N`, or on several machines) to share
the work: each job row is claimed inside a transaction (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, an
exclusive transaction on SQLite), so no job runs twice. SIGTERM/SIGINT: the job in progress finishes, then
the process exits 0 (a second signal stops it at once).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

logger = logging.getLogger("portal.jobs.worker")


def _scheduler_loop(stop: threading.Event, tick: float) -> None:
    from portal.jobs.scheduler import run_due  # models: the supervisor imports this module without django.setup()

    while not stop.is_set():
        close_old_connections()
        try:
            run_due()
        except Exception:  # a database hiccup must not end the scheduler: the next tick tries again
            logger.exception("scheduler tick failed")
        finally:
            connections.close_all()
        stop.wait(tick)


def run(*, interval: float | None = None, scheduler: bool = True, batch: bool = False,
        max_tasks: int | None = None, worker_id: str | None = None) -> None:
    """Run one worker in this process until SIGTERM/SIGINT (or, with `batch`, until the queue is empty)."""
    from django_tasks_db.management.commands.db_worker import Worker

    interval = float(settings.JOBS_POLL_INTERVAL if interval is None else interval)
    worker_id = worker_id or f"{os.uname().nodename[:40]}-{os.getpid()}-{get_random_string(6)}"
    worker = Worker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[])
    stop = threading.Event()
    if scheduler and not batch:
        threading.Thread(target=_scheduler_loop, args=(stop, float(settings.JOBS_SCHEDULER_TICK)),
                         name="portal-scheduler", daemon=True).start()
    logger.info("worker started", extra={"worker_id": worker_id, "scheduler": scheduler and not batch})
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
        logger.info("worker stopped", extra={"worker_id": worker_id})


def supervise(argv: Sequence[str], processes: int) -> int:
    """Start `processes` worker processes (`portal worker` without --processes) and pass SIGTERM/SIGINT on;
    returns when all have exited (0 when all exited 0)."""
    children = [subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", *argv]) for _ in range(processes)]

    def forward(signum: int, frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = []
    for child in children:
        while True:
            try:
                codes.append(child.wait())
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
                time.sleep(0.1)
    return 0 if all(code == 0 for code in codes) else 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the worker gets SIGTERM when the process that started it dies (a killed demo leaves no orphan)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker_process(*, extra_args: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """`portal worker` as a child process of this one (the demo's server runs it next to itself). In a session of
    its own: Ctrl+C in the terminal reaches the server only, which then stops the worker with one SIGTERM (a
    second signal would cut the job in progress short)."""
    return subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", *extra_args], start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def stop_worker_process(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM (the job in progress finishes), then SIGKILL after `timeout` seconds; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
