"""Benchmark of the GraphQL gateway at region scale, over HTTP; writes benchmarks/results/graph.md.

    .venv/bin/python -m benchmarks.graph_bench [--requests 200] [--mutations 100] [--database-url URL]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (about 3 minutes).
Measures, for the partner organisation whose measure count is closest to 2,000 (`--target`):
- `myMeasures(first: 50)` (the workspace's list fields, totalCount) — p50/p95 over HTTP;
- `fulfilMeasure` on distinct open measures — p50/p95 over HTTP;
- the raw SQL returning the same rows (page of 50 + count), and the HTTP/SQL ratio.
The server is the whole ASGI app (`portal.asgi:app`) under uvicorn in this process; the token is an RS256
access token signed by the development realm's key (`identity.testing.issue_token`) and verified by the gateway
on every request, exactly as in production.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "graph.md"
LIST_QUERY = """query($first: Int!) { myMeasures(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id version task kindLabel deadline status statusLabel overdue isOpen caseCode
          organisation { code name } } } }"""
FULFIL = """mutation($id: ID!, $v: Int!) { fulfilMeasure(id: $id, version: $v, result: "Исполнено (benchmark)")
  { id version status } }"""
RAW_SQL = """SELECT m.id, m.version, m.task, m.kind, m.deadline, m.status, m.programme_id, c.code, o.code, o.name
  FROM cases_measure m JOIN cases_case c ON c.id = m.case_id JOIN partners_organisation o ON o.id = m.organisation_id
  WHERE m.organisation_id = %s ORDER BY m.deadline, m.id LIMIT 51"""
RAW_COUNT = "SELECT count(*) FROM cases_measure WHERE organisation_id = %s"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


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


def token_for(org_code: str) -> str:
    from identity.testing import issue_token

    return issue_token(username="partner.bench", roles=("partner",), groups=(f"/partners/{org_code}",),
                       expires_in=3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--mutations", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--target", type=int, default=2000, help="measures of the benchmarked organisation")
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="graph-bench-"))
    os.environ["GRAPHQL_MUTATIONS_PER_MINUTE"] = "0"  # the rate limit would refuse the mutation series
    url, cluster = prepare_database(args.database_url or None)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        run(args, url)
    finally:
        if cluster is not None:
            cluster.stop()


def run(args: argparse.Namespace, url: str) -> None:
    import django

    django.setup()
    import httpx
    from django.db import connection
    from django.db.models import Count

    from portal.cases.models import Measure
    from portal.partners.models import Organisation
    from portal.testing.server import start_server

    counted = Organisation.objects.filter(active=True).annotate(n=Count("measures")).filter(n__gt=0)
    org = min(counted, key=lambda o: abs(o.n - args.target))
    seeded = org.n
    if not args.database_url and seeded < args.target * 0.9:
        # The seed has no organisation near the target: in the throw-away database only, hand it
        # other organisations' measures (their cases, deadlines and statuses stay as seeded).
        donors = list(Measure.objects.exclude(organisation=org).order_by("id")
                      .values_list("pk", flat=True)[: args.target - seeded])
        Measure.objects.filter(pk__in=donors).update(organisation=org)
    total = Measure.objects.filter(organisation=org).count()
    token = token_for(org.code)
    server = start_server()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ru"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                body = client.post("/graphql", json={"query": query, "variables": variables}).json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"])
                return body["data"]

            for _ in range(10):  # warm-up
                first = post(LIST_QUERY, {"first": 50})
            assert first["myMeasures"]["totalCount"] == total, (first["myMeasures"]["totalCount"], total)
            list_times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                post(LIST_QUERY, {"first": 50})
                list_times.append((time.perf_counter() - started) * 1000)

            sql_times = []
            with connection.cursor() as cursor:
                for _ in range(args.requests):
                    started = time.perf_counter()
                    cursor.execute(RAW_SQL, [org.pk])
                    rows = cursor.fetchall()
                    cursor.execute(RAW_COUNT, [org.pk])
                    cursor.fetchone()
                    sql_times.append((time.perf_counter() - started) * 1000)
            assert len(rows) == min(51, total)

            candidates = list(Measure.objects.filter(organisation=org, status__in=("assigned", "accepted"),
                                                     case__status__in=("programme_approved", "in_progress"))
                              .values_list("pk", "version")[: args.mutations])
            fulfil_times = []
            for pk, version in candidates:
                started = time.perf_counter()
                post(FULFIL, {"id": str(pk), "v": version})
                fulfil_times.append((time.perf_counter() - started) * 1000)
    finally:
        server.stop()

    def line(label: str, values: list[float]) -> str:
        return f"| {label} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | " \
               f"{statistics.mean(values):.1f} |"

    p50_ratio = percentile(list_times, 0.5) / percentile(sql_times, 0.5)
    p95_ratio = percentile(list_times, 0.95) / percentile(sql_times, 0.95)
    text = (
        "# GraphQL gateway benchmark (region scale)\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"PostgreSQL ({'given' if args.database_url else 'throw-away cluster, `seed --scale region`'}); "
        "uvicorn serving `portal.asgi:app` in the benchmark process, sequential requests over HTTP "
        "(httpx, keep-alive).\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        f"Organisation `{org.code}` ({org.get_kind_display()}): {total} measures"
        + (f" (seeded with {seeded}, the closest to {args.target}; topped up with other organisations' "
           "measures in the throw-away database)" if total != seeded else "") + ". "
        "Token: RS256 from the development realm's key, verified on every request. "
        f"DEBUG={os.environ.get('DEBUG')}.\n\n"
        "| operation | n | p50, ms | p95, ms | mean, ms |\n|---|---|---|---|---|\n"
        + "\n".join([line("`myMeasures(first: 50)` over HTTP", list_times),
                     line("raw SQL: same page of 50 (+1) rows with joins + count", sql_times),
                     line("`fulfilMeasure` over HTTP (distinct open measures)", fulfil_times)])
        + f"\n\nRatio HTTP / raw SQL for `myMeasures(first: 50)`: p50 ×{p50_ratio:.1f}, p95 ×{p95_ratio:.1f}.\n\n"
        "Run: `.venv/bin/python -m benchmarks.graph_bench` (about 3 minutes of seeding first).\n"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
