"""Benchmark of the GraphQL gateway at region scale, over HTTP; writes benchmarks/results/graph.md.

    .venv/bin/python -m benchmarks.graph_bench [--requests 200] [--mutations 100] [--database-url URL]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (about 3 minutes).
Measures, for the partner organisation whose measure count is closest to 2,000 (`--target`):
- `myMeasures(first: 50)` (the list fields, totalCount) — p50/p95 over HTTP, against its fair limit: a route
  added to the same Starlette app, served by the same uvicorn, that runs the same page and count in raw SQL in
  one thread hop and answers a byte-identical JSON body (checked). The two are requested in turn (interleaved),
  so the machine's drift affects both alike;
- `fulfilMeasure` on distinct open measures — p50/p95 over HTTP.
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
RAW_SQL = """SELECT m.id, m.version, m.task, m.kind, m.deadline, m.status, c.code, o.code, o.name
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


def fair_limit_route(org_pk: int) -> Any:
    """The fair limit of `myMeasures(first: 50)`: the same page and count in raw SQL in one thread hop, the same
    JSON body (labels in Russian, enum names, the gateway's cursor), no GraphQL."""
    import base64
    import json

    from django.db import close_old_connections, connection
    from django.utils import timezone, translation
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from portal.cases.models import Measure
    from portal.partners.models import HelpKind

    with translation.override("ru"):
        kinds = {value: str(label) for value, label in HelpKind.choices}
        statuses = {value: str(label) for value, label in Measure.Status.choices}
    open_statuses = {str(s) for s in Measure.OPEN_STATUSES}

    def cursor(offset: int) -> str:
        return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()

    def body() -> bytes:
        close_old_connections()
        try:
            with connection.cursor() as db:
                db.execute(RAW_SQL, [org_pk])
                rows = db.fetchall()
                db.execute(RAW_COUNT, [org_pk])
                total = db.fetchone()[0]
        finally:
            close_old_connections()
        today = timezone.localdate()
        page = rows[:50]
        nodes = [{"id": str(pk), "version": version, "task": task, "kindLabel": kinds.get(kind, kind),
                  "deadline": deadline.isoformat(), "status": status.upper(), "statusLabel": statuses.get(status),
                  "overdue": status in open_statuses and deadline < today, "isOpen": status in open_statuses,
                  "caseCode": case_code, "organisation": {"code": org_code, "name": org_name}}
                 for pk, version, task, kind, deadline, status, case_code, org_code, org_name in page]
        answer = {"data": {"myMeasures": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": len(rows) > 50, "endCursor": cursor(len(page) - 1) if page else None},
            "nodes": nodes}}}
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    async def endpoint(request: Request) -> Response:
        return Response(await run_in_threadpool(body),
                        media_type="application/graphql-response+json; charset=utf-8")

    return Route("/bench/my-measures-limit", endpoint, methods=["POST"])


def add_route(route: Any) -> None:
    """Put `route` first in the Starlette app inside portal.asgi's middleware."""
    from starlette.applications import Starlette

    from portal.asgi import app

    inner: Any = app
    while not isinstance(inner, Starlette):
        inner = inner.app
    inner.router.routes.insert(0, route)


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
    add_route(fair_limit_route(org.pk))
    server = start_server()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ru"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                body = client.post("/graphql", json={"query": query, "variables": variables}).json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"])
                return body["data"]

            def raw(path: str, query: str) -> bytes:
                response = client.post(path, json={"query": query, "variables": {"first": 50}})
                assert response.status_code == 200, response.text
                return response.content

            for _ in range(10):  # warm-up
                first = post(LIST_QUERY, {"first": 50})
                raw("/bench/my-measures-limit", "")
            assert first["myMeasures"]["totalCount"] == total, (first["myMeasures"]["totalCount"], total)
            gateway_body = raw("/graphql", LIST_QUERY)
            limit_body = raw("/bench/my-measures-limit", "")
            assert gateway_body == limit_body, (gateway_body[:300], limit_body[:300])
            list_times, sql_times = [], []
            for _ in range(args.requests):  # interleaved: the gateway, then its fair limit
                started = time.perf_counter()
                raw("/graphql", LIST_QUERY)
                list_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                raw("/bench/my-measures-limit", "")
                sql_times.append((time.perf_counter() - started) * 1000)

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
                     line("fair limit: same app and uvicorn, raw SQL page + count in one thread hop, "
                          "byte-identical body", sql_times),
                     line("`fulfilMeasure` over HTTP (distinct open measures)", fulfil_times)])
        + f"\n\nRatio gateway / fair limit for `myMeasures(first: 50)` (interleaved): p50 ×{p50_ratio:.1f}, "
        f"p95 ×{p95_ratio:.1f} (target ≤ ×2.0).\n\n"
        "Run: `.venv/bin/python -m benchmarks.graph_bench` (about 3 minutes of seeding first).\n"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
