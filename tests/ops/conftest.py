"""Fixtures of the operations tests: a real Redis server and real `portal serve` processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from portal.testing.redis import TemporaryRedis, start_temporary_redis

STARTUP_SECONDS = 180  # two shared cores: importing Django + Wagtail in a fresh process can take a while


@pytest.fixture(scope="session")
def redis_server() -> Iterator[TemporaryRedis]:
    server = start_temporary_redis()
    try:
        yield server
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PortalProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    stopped: bool = field(default=False)

    def terminate(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.stopped = True

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> PortalProcess:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"portal serve exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.kill()
        pytest.fail(f"portal serve did not answer /healthz in time:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def test_database_url() -> str:
    """The URL of the database the tests run against (pytest-django's test database)."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("several processes share one database on PostgreSQL only (SQLite tests use :memory:)")
    user = params.get("USER") or "postgres"
    return f"postgres://{user}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def start_portal(tmp_path: Path) -> Iterator[Callable[..., PortalProcess]]:
    """Start `portal serve` (production settings) as a separate process against the test database."""
    started: list[PortalProcess] = []
    from django.conf import settings

    if settings.DEVREALM_ENABLED:
        # Created here once: processes starting together race to create the development realm's key
        # (identity.devrealm.keys opens it with O_EXCL and fails in the loser).
        from identity.devrealm.keys import signing_key

        signing_key()

    def start(*, workers: int = 1, env: dict[str, str] | None = None, database: bool = True,
              wait: bool = True) -> PortalProcess:
        port = _free_port()
        log = tmp_path / f"portal-{port}.log"
        environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
        environment.update({"DATABASE_POOL": "0", "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"})
        if database:
            environment["DATABASE_URL"] = test_database_url()
        environment.update(env or {})
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(workers)], env=environment, stdout=out, stderr=subprocess.STDOUT)
        running = PortalProcess(url=f"http://127.0.0.1:{port}", process=process, log=log)
        started.append(running)
        return running.wait_ready() if wait else running

    try:
        yield start
    finally:
        for running in started:
            running.kill()
