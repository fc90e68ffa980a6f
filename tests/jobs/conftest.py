"""Fixtures of the job-runner tests: the database queue (instead of the tests' inline backend), the runs table
of tests.jobs.sample_jobs, real `portal worker` processes and a real SMTP server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.jobs import sample_jobs

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings: Any) -> None:
    """Jobs go to the database queue (the production default) and wait for a worker."""
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def runs_table(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        sample_jobs.create_runs_table()
    yield
    with django_db_blocker.unblock():
        sample_jobs.drop_runs_table()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the database on PostgreSQL (the SQLite tests use :memory:)")
    return f"postgres://{params.get('USER') or 'postgres'}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def worker_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "TASKS_BACKEND")}
    environment.update({"DATABASE_URL": database_url(), "DATABASE_POOL": "0", "PYTHONUNBUFFERED": "1",
                        "LOG_FORMAT": "plain"})
    environment.update(extra)
    return environment


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", *args],
                                       env=worker_environment(**(env or {})), stdout=out, stderr=subprocess.STDOUT,
                                       cwd=Path(__file__).resolve().parents[2])
        running = WorkerProcess(process=process, log=log)
        started.append(running)
        return running

    try:
        yield start
    finally:
        for running in started:
            if running.process.poll() is None:
                running.process.kill()
                running.process.wait(timeout=10)


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
