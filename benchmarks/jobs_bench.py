"""Queue throughput of `portal worker` on a throw-away PostgreSQL; writes benchmarks/results/jobs.md.

    .venv/bin/python -m benchmarks.jobs_bench [--jobs 2000]

For 1 and 2 worker processes (real `portal worker --no-scheduler`, already polling): N no-op jobs are enqueued
in one transaction, and the time from that commit until the last one is marked successful gives jobs per
second (claim with SELECT … FOR UPDATE SKIP LOCKED, run, mark: the queue's own cost per job). Enqueue speed
(one `enqueue()` per job) is measured too.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal.testing.postgres import start_temporary_postgres

RESULTS = Path(__file__).parent / "results" / "jobs.md"
ROOT = Path(__file__).resolve().parents[1]


def _wait(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit("timed out")


def _warm_up(noop, workers: int) -> None:  # type: ignore[no-untyped-def]
    """Until every worker has taken a job: jobs longer than the poll interval, one more whenever none waits."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + 600
    while len({w for row in DBTaskResult.objects.all() for w in row.worker_ids}) < workers:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not start")
        if not DBTaskResult.objects.ready().exists():
            noop.enqueue(0, 1.5)
        time.sleep(0.1)
    _wait(lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists(), 60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2000)
    jobs = parser.parse_args().jobs
    cluster = start_temporary_postgres()
    data = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    try:
        import psycopg

        with psycopg.connect(cluster.url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE bench")
        url = cluster.url.rsplit("/", 1)[0] + "/bench"
        env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "TASKS_BACKEND")}
        env.update({"DATABASE_URL": url, "PORTAL_DATA_DIR": str(data),
                    "SECRET_KEY": "bench-secret-key", "LOG_FORMAT": "plain", "PYTHONUNBUFFERED": "1"})
        os.environ.update(env)
        os.environ.pop("TASKS_BACKEND", None)
        subprocess.run([sys.executable, "-m", "portal.cli", "manage", "migrate", "-v", "0"], env=env, check=True)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.db import transaction
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from benchmarks.jobs_bench_tasks import noop

        def successful() -> int:
            return DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count()

        rows = []
        enqueue_rate = 0.0
        for workers in (1, 2):
            DBTaskResult.objects.all().delete()
            processes = [subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", "--no-scheduler"], env=env,
                                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                         for _ in range(workers)]
            try:
                _warm_up(noop, workers)
                DBTaskResult.objects.all().delete()
                started = time.monotonic()
                with transaction.atomic():
                    for number in range(jobs):
                        noop.enqueue(number)
                enqueued = time.monotonic()
                enqueue_rate = max(enqueue_rate, jobs / (enqueued - started))
                _wait(lambda: successful() == jobs, 1800)
                elapsed = time.monotonic() - enqueued
                failed = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).count()
                shares = sorted(len([1 for row in DBTaskResult.objects.all() if row.worker_ids[0] == w])
                                for w in {row.worker_ids[0] for row in DBTaskResult.objects.all()})
                rows.append((workers, jobs, elapsed, jobs / elapsed, failed, shares, os.getloadavg()[0]))
                print(f"{workers} worker(s): {jobs} jobs in {elapsed:.1f} s = {jobs / elapsed:.0f} jobs/s "
                      f"(shares {shares})", flush=True)
            finally:
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                for process in processes:
                    process.wait(timeout=60)

        lines = [
            "# Job queue throughput (portal worker on PostgreSQL)",
            "",
            f"`python -m benchmarks.jobs_bench --jobs {jobs}` on {platform.machine()}, {os.cpu_count()} cores "
            f"(shared with other work: load average at the end of each run in the table), PostgreSQL started "
            "by portal.testing.postgres. No-op jobs enqueued in one transaction while the workers poll; time from "
            "the commit to the last job marked successful. Workers use the psycopg pool (`DATABASE_POOL` on, as in "
            "production); without it every poll opens a new connection (30 jobs/s for one worker here).",
            "",
            "| workers | jobs | seconds | jobs/s | not successful | jobs per worker | load avg |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for workers, count, elapsed, rate, failed, shares, load in rows:
            lines.append(f"| {workers} | {count} | {elapsed:.1f} | {rate:.0f} | {failed} | "
                         f"{' / '.join(map(str, shares))} | {load:.1f} |")
        lines += ["", f"Enqueue: {enqueue_rate:.0f} jobs/s (one `enqueue()` each, in one transaction).", "",
                  "Each job costs the queue a claim transaction (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1 + UPDATE), "
                  "the run and the result's UPDATE; an idle worker polls every JOBS_POLL_INTERVAL (1 s). "
                  "The work of real jobs (search sync, SMTP) dominates these per-job costs.", ""]
        RESULTS.write_text("\n".join(lines), encoding="utf-8")
        print(RESULTS.read_text(encoding="utf-8"))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
