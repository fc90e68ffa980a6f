"""`portal serve` as production runs it: graceful shutdown on SIGTERM (the request in flight is answered,
the process exits 0), several workers behind a supervisor that never loads Django."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BODY = json.dumps({"query": "query Probe { __typename }"}).encode()


def _wait_for(predicate: Any, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_the_request_in_flight_finish(start_portal: Any, workers: int) -> None:
    portal = start_portal(workers=workers, database=False)
    host, port = portal.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        head = (f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"X-Request-ID: slow-request-1\r\nContent-Length: {len(BODY)}\r\n\r\n").encode()
        sock.sendall(head + BODY[:10])  # the request is in flight: its body is not complete yet
        time.sleep(0.5)
        portal.process.send_signal(15)
        assert _wait_for(lambda: "Shutting down" in portal.output()), portal.output()[-2000:]
        time.sleep(0.5)
        sock.sendall(BODY[10:])
        response = b""
        while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 200"), response[:500]
    assert b"x-request-id: slow-request-1" in rest.lower()
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1]) == {"data": {"__typename": "Query"}}
    assert portal.process.wait(timeout=60) == 0, portal.output()[-2000:]


def test_supervisor_of_several_workers_stays_small(start_portal: Any) -> None:
    portal = start_portal(workers=2, database=False)
    supervisor = portal.process.pid

    def workers() -> list[int]:
        return sorted((_rss_kb(pid) for pid in _children(supervisor)), reverse=True)[:2]

    # Each worker holds Django + Wagtail (100+ MB) once loaded; the supervisor holds uvicorn only. (Waits
    # while the second worker is still importing.)
    assert _wait_for(lambda: len(workers()) == 2 and _rss_kb(supervisor) * 3 < min(workers()), timeout=120), \
        (_rss_kb(supervisor), workers())
    assert portal.terminate() == 0


def test_supervisor_code_does_not_import_django() -> None:
    code = ("import sys, portal.cli, portal.ops.serve; "
            "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_several_workers_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env["PORTAL_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "portal.cli", "serve", "--workers", "2", "--port", "0"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr + result.stdout


def test_idle_connections_outlive_the_clients_own_keep_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's default closes an idle keep-alive connection after 5 s, the same time httpx (and about what other
    clients) keep one: a request sent on it as the server closes it is lost (the client reads a reset). The portal
    keeps idle connections longer than clients and proxies do, so they close first."""
    import uvicorn

    from portal.cli import build_parser
    from portal.ops import serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)  # this test process keeps its handlers
    monkeypatch.setattr(serve.logging.config, "dictConfig", lambda config: None)  # and its logging
    args = build_parser().parse_args(["serve", "--port", "0"])
    assert args.keep_alive == serve.KEEP_ALIVE_SECONDS > 60
    assert serve.run(host="127.0.0.1", port=0, keep_alive=args.keep_alive) == 0
    assert seen["timeout_keep_alive"] == serve.KEEP_ALIVE_SECONDS
