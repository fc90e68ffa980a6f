"""The daily notification run at region scale on PostgreSQL; writes benchmarks/results/notifications.md.

    .venv/bin/python -m benchmarks.notifications_bench [--database-url URL]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (≈ 53 k measures). Then, as
`portal remind` does (`run_daily`, jobs to the database queue as in production):
- the first run for today: the catch-up of a portal that never sent anything — every open measure's ladder level
  is new (the worst case);
- a second run of the same day: nothing new (the idempotent check over every open measure);
- the runs of the next 5 days: the steady state, a few new levels a day.
Run time, messages (notification rows: e-mails and in-app) and messages per second for each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "notifications.md"


def prepare_database(url: str | None) -> tuple[str, Any]:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="notifications-bench-"))
    if url:
        return url, None
    from portal.testing.postgres import start_temporary_postgres

    cluster = start_temporary_postgres()
    env = {**os.environ, "DATABASE_URL": cluster.url, "DATABASE_POOL": "0"}
    for args in (["migrate", "-v0"], ["seed", "--scale", "region", "-v0"]):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "portal.manage", *args], env=env, check=True)
        print(f"{' '.join(args)}: {time.monotonic() - started:.0f} s", flush=True)
    return cluster.url, cluster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    url, cluster = prepare_database(args.database_url)
    try:
        os.environ.update({"DATABASE_URL": url, "DATABASE_POOL": "0", "LOG_LEVEL": "WARNING"})
        os.environ.pop("TASKS_BACKEND", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from portal.cases.models import Measure
        from portal.notifications.models import Notification
        from portal.notifications.services import PROGRAMME_IN_FORCE, run_daily, run_ladder

        measures = Measure.objects.count()
        open_measures = Measure.objects.filter(status__in=Measure.OPEN_STATUSES,
                                               case__status__in=PROGRAMME_IN_FORCE).count()
        today = timezone.localdate()
        rows: list[tuple[str, float, int]] = []

        def timed(label: str, work: Any) -> None:
            before = Notification.objects.count()
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            sent = Notification.objects.count() - before
            rows.append((label, elapsed, sent))
            print(f"{label}: {elapsed:.1f} s, {sent} messages", flush=True)

        timed(f"ladder only, first run {today} (catch-up: every level new)", lambda: run_ladder(today))
        timed("ladder only, same day again (nothing new)", lambda: run_ladder(today))
        timed(f"whole daily run {today} (ladder done; digests, consultations, needs)", lambda: run_daily(today))
        timed("whole daily run, same day again", lambda: run_daily(today))
        for offset in range(1, args.days + 1):
            day = today + dt.timedelta(days=offset)
            timed(f"whole daily run {day} (steady state)", lambda day=day: run_daily(day))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('notifications_notification')")
            size = cursor.fetchone()[0]

        lines = [
            "# Daily notifications at region scale (PostgreSQL)",
            "",
            f"`python -m benchmarks.notifications_bench` on {platform.machine()}, {os.cpu_count()} cores shared with "
            f"other work (load average {os.getloadavg()[0]:.1f} at the end). `seed --scale region`: {measures} "
            f"measures, {open_measures} open in a programme in force. Jobs go to the database queue (each e-mail "
            "row is an OutboundMail plus a delivery job, queued in the run's transaction), as in production.",
            "",
            "| run | seconds | messages | messages/s |",
            "| --- | --- | --- | --- |",
        ]
        for label, elapsed, sent in rows:
            rate = f"{sent / elapsed:.0f}" if sent else "—"
            lines.append(f"| {label} | {elapsed:.1f} | {sent} | {rate} |")
        lines += ["", f"Notification log after the runs: {Notification.objects.count()} rows, "
                      f"{size / 1024 / 1024:.1f} MB with indexes.", "",
                  "A repeated run reads every open measure's ladder position (one query, working days computed "
                  "once per distinct deadline) and looks the candidate keys up in the log; only new keys are "
                  "rendered and inserted (one bulk insert that skips conflicts, so concurrent runs cannot "
                  "duplicate).", ""]
        RESULTS.write_text("\n".join(lines), encoding="utf-8")
        print(RESULTS.read_text(encoding="utf-8"))
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
