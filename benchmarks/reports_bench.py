"""Benchmark of the reports at region scale on PostgreSQL; writes benchmarks/results/reports.md.

    .venv/bin/python -m benchmarks.reports_bench [--runs 5] [--database-url URL]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (a few minutes), then the
ledger's opening balance (`portal report open-ledger`: the seed loads rows in bulk, without services). Measures,
as a supervisor (the whole region), the median and worst of `--runs` computations of:
- the monthly report for the whole region (last finished month) — target ≤ 2 s;
- the regional social passport — target ≤ 2 s;
- partner performance for the region (last finished month) and the quarterly monitoring;
- the XLSX export of the monthly report and of the passport (rendering only, and file size), the passport PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "reports.md"


def prepare_database(url: str | None) -> tuple[str, Any]:
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


def timed(runs: int, work: Callable[[], Any]) -> tuple[list[float], Any]:
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return times, result


def run(args: argparse.Namespace) -> str:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from portal.cases.models import Case, Household, Measure
    from portal.core.viewer import Role, Viewer
    from portal.reports import exports, ledger, selectors
    from portal.reports.models import LedgerEvent
    from portal.reports.periods import current_month, current_quarter, quarter_period

    started = time.perf_counter()
    written = ledger.open_ledger()
    opening = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_ledgerevent")
    supervisor = Viewer(subject="bench", username="bench", display_name="Benchmark",
                        roles=frozenset({Role.SUPERVISOR}))
    today = timezone.localdate()
    last_month = current_month(today).first - dt.timedelta(days=1)
    month = f"{last_month:%Y-%m}"
    quarter_now = current_quarter(today)
    before = quarter_now.first - dt.timedelta(days=1)
    quarter = quarter_period(before.year, (before.month - 1) // 3 + 1).code

    def report(kind: str, period: str) -> Callable[[], Any]:
        return lambda: selectors.compute_report(viewer=supervisor, kind=kind, period=period)

    rows: list[tuple[str, list[float], str]] = []
    monthly_times, monthly = timed(args.runs, report("monthly", month))
    rows.append((f"monthly report, region, {month} ({len(monthly.tables[0].rows)} institutions)", monthly_times,
                 "≤ 2 s"))
    passport_times, passport = timed(args.runs, report("passport", month))
    rows.append((f"social passport, region ({len(passport.tables[0].rows)} districts, "
                 f"{len(passport.table('officers').rows)} officers)", passport_times, "≤ 2 s"))
    partner_times, partners = timed(args.runs, report("partners", month))
    rows.append((f"partner performance, region, {month} ({len(partners.tables[0].rows)} organisations)",
                 partner_times, ""))
    quarterly_times, _quarterly = timed(args.runs, report("quarterly", quarter))
    rows.append((f"quarterly monitoring, region, {quarter}", quarterly_times, ""))
    xlsx_times, xlsx = timed(args.runs, lambda: exports.to_xlsx(monthly))
    rows.append((f"XLSX of the monthly report ({len(xlsx) // 1024} KiB)", xlsx_times, ""))
    passport_xlsx_times, passport_xlsx = timed(args.runs, lambda: exports.to_xlsx(passport))
    rows.append((f"XLSX of the passport ({len(passport_xlsx) // 1024} KiB)", passport_xlsx_times, ""))
    pdf_times, pdf = timed(max(1, args.runs // 2), lambda: exports.to_pdf(passport))
    rows.append((f"PDF of the passport ({len(pdf) // 1024} KiB)", pdf_times, ""))
    end_to_end_times, _data = timed(args.runs, lambda: exports.to_xlsx(report("monthly", month)()))
    rows.append(("monthly report computed and written as XLSX", end_to_end_times, "≤ 2 s"))

    total = monthly.tables[0].total or {}
    lines = [
        "# Reports at region scale (PostgreSQL)",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (shared with other work), Python "
        f"{platform.python_version()}; database {connection.vendor} {getattr(connection, 'pg_version', '')}.",
        f"Measured {timezone.now():%Y-%m-%d %H:%M} UTC. `python -m benchmarks.reports_bench --runs {args.runs}`.",
        "",
        f"Data: `portal seed --scale region` — {Case.objects.count()} cases, {Measure.objects.count()} measures, "
        f"{Household.objects.count()} households; ledger opening balance {written} facts in {opening:.1f} s "
        f"({LedgerEvent.objects.count()} facts in the ledger).",
        f"Monthly report {month} for the region: need identified {total.get('need_identified')}, enrolled "
        f"{total.get('enrolled')}, active at month end {total.get('active_end')}, measures fulfilled "
        f"{total.get('measures_done')}, closed {total.get('closed')}.",
        "",
        "| what | median, s | worst, s | target |",
        "|---|---|---|---|",
    ]
    for label, times, target in rows:
        lines.append(f"| {label} | {statistics.median(times):.3f} | {max(times):.3f} | {target} |")
    lines += ["", "Each figure is counted in SQL from the typed ledger (`reports_ledgerevent`, indexed by kind, date "
              "and institution/organisation); the passport reads the territory tables and the households' "
              "categories in one pass. Times are in-process (no HTTP), as a supervisor."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="reports-bench-"))
    url, cluster = prepare_database(args.database_url or None)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        text = run(args)
    finally:
        if cluster is not None:
            cluster.stop()
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
