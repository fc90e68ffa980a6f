"""The README's run command (`portal demo`) starts a worker and the scheduler next to the server: a consultation
answer published through the services is in the public search index within 10 seconds, without any manual step
(no `portal search-sync`); stopping the demo stops its worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from search.backends.embedded import EmbeddedBackend
from tests.jobs.conftest import free_port, wait_for
from tests.jobs.demo_change import WORD

ROOT = Path(__file__).resolve().parents[2]
STARTUP = 900  # migrate + load the demo region on two loaded shared cores


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "TASKS_BACKEND", "EMAIL_BACKEND", "MEILISEARCH_URL",
                                  "SEARCH_EMBEDDED_PATH", "PUBLIC_BASE_URL")}
    environment.update({"PORTAL_DATA_DIR": str(data_dir), "DEBUG": "1", "PYTHONUNBUFFERED": "1"})
    return environment


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _found(engine: EmbeddedBackend, question_id: str) -> bool:
    try:
        hits = engine.search("consultations", WORD).hits
    except Exception:
        return False
    return any(str(getattr(hit, "id", hit)).split(":")[-1] == question_id or question_id in str(hit) for hit in hits)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_published_answer_is_searchable_within_seconds_without_manual_step(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log = tmp_path / "demo.log"
    environment = _environment(data_dir)
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "demo", "--host", "127.0.0.1", "--port", str(port)],
            env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            assert demo.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                return httpx.get(base + "/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(ready, STARTUP, interval=1), log.read_text(errors="replace")[-3000:]
        workers = [pid for pid in _children(demo.pid)
                   if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 1, log.read_text(errors="replace")[-3000:]

        change = subprocess.run(
            [sys.executable, "-m", "portal.cli", "manage", "shell", "-c",
             "from tests.jobs.demo_change import main; main()"],
            env=environment, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert change.returncode == 0, change.stderr[-3000:]
        line = next(line for line in change.stdout.splitlines() if line.startswith("PUBLISHED "))
        _, question_id, _word, committed = line.split()
        engine = EmbeddedBackend(data_dir / "search.sqlite3")
        assert wait_for(lambda: _found(engine, question_id), 10.0 - (time.time() - float(committed)), 0.2), (
            f"not in the search index 10 s after the commit:\n{log.read_text(errors='replace')[-3000:]}")
        found_after = time.time() - float(committed)
        page = httpx.get(base + "/consultations/", params={"q": WORD}, timeout=30, follow_redirects=True)
        assert page.status_code == 200 and WORD in page.text
        print(f"searchable {found_after:.1f} s after the commit")

        demo.send_signal(signal.SIGINT)  # to the server only: the demo itself stops its worker
        assert demo.wait(timeout=90) is not None
        assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 60), "worker left running"
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(timeout=10)
