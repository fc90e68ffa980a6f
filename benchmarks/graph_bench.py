"""Benchmark of the GraphQL gateway at region scale, over HTTP; writes benchmarks/results/graph.md.

    .venv/bin/python -m benchmarks.graph_bench [--requests 200] [--mutations 100] [--database-url URL]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (about 3 minutes).
Measures, for the partner organisation whose measure count is closest to 2,000 (`--target`):
- `myMeasures(first: 50)` (the list fields, totalCount) — p50/p95 over HTTP, against its fair limit: a route
  added to the same Starlette app, served by the same uvicorn, that runs the same page and count in raw SQL in
  one thread hop and answers a byte-identical JSON body (checked). The two are requested in turn (interleaved),
  so the machine's drift affects both alike;
- `fulfilMeasure` on distinct open measures — p50/p95 over HTTP, against its fair limit: a route in the same app
  that, in one thread hop and one transaction, locks the measure with the partner's scope in the WHERE (its case
  too), updates the changed fields, inserts the audit row and the reports ledger's fact and reads the search
  outbox's followers of the measure in raw SQL — the statements the portal must run — and answers a
  byte-identical body (checked on the first pair). Gateway and limit alternate, each on its own measures;
- the SQL statements of one request of each operation (counted on every database connection of the process,
  transaction control not included).
The server is the whole ASGI app (`portal.asgi:app`) under uvicorn in this process, with production settings
(DEBUG=0, a random SECRET_KEY, the psycopg pool); the token is an RS256 access token signed by the development
realm's key (`identity.testing.issue_token`, trusted with DEVREALM_ALLOW_WITHOUT_DEBUG since no Keycloak runs
here) and verified by the gateway on every request, exactly as in production.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
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
RAW_LOCK = """SELECT m.version, m.status, m.task, c.status, c.ends_on, c.started_on, c.id, c.institution_id,
    p.district_id, m.kind, m.deadline FROM cases_measure m
  JOIN cases_case c ON c.id = m.case_id JOIN territory_precinct p ON p.id = c.precinct_id
  JOIN partners_organisation o ON o.id = m.organisation_id
  WHERE m.id = %s AND m.organisation_id = %s AND (o.kind = 'social_service' OR EXISTS (
    SELECT 1 FROM partners_agreement a WHERE a.organisation_id = o.id AND a.signed_on <= %s
      AND (a.expires_on IS NULL OR a.expires_on >= %s)))
  FOR UPDATE OF m, c"""
RAW_UPDATE = """UPDATE cases_measure SET status = 'fulfilled', result = %s, done_on = %s, version = %s, updated_at = %s
  WHERE id = %s"""
RAW_AUDIT = """INSERT INTO audit_auditevent (at, actor_subject, actor_name, actor_organisation, action, verb,
  object_type, object_id, object_repr, changes, details)
  VALUES (%s, %s, %s, %s, 'transition', 'measure.fulfil', 'cases.measure', %s, %s, %s::jsonb, '{}'::jsonb)
  RETURNING id"""
RAW_LEDGER = """INSERT INTO reports_ledgerevent (kind, "on", recorded_at, audit_event_id, institution_id,
    organisation_id, district_id, case_id, measure_id, signal_id, help_kind, outcome, reason, deadline,
    assigned_at, assigned_on)
  VALUES ('measure_fulfilled', %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, '', '', %s,
    (SELECT a.assigned_at FROM reports_ledgerevent a WHERE a.kind = 'measure_assigned' AND a.measure_id = %s
      ORDER BY a.recorded_at DESC, a.id DESC LIMIT 1),
    (SELECT a.assigned_on FROM reports_ledgerevent a WHERE a.kind = 'measure_assigned' AND a.measure_id = %s
      ORDER BY a.recorded_at DESC, a.id DESC LIMIT 1))"""
RAW_OUTBOX = """SELECT n.id FROM community_need n WHERE n.id IN (SELECT o.need_id FROM community_offer o
  WHERE o.measure_id = %s)"""
RESULT = "Исполнено (benchmark)"


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


def fulfil_answer(pk: int, version: int) -> bytes:
    """The body of `fulfilMeasure { id version status }` for a measure fulfilled into `version`."""
    import json

    answer = {"data": {"fulfilMeasure": {"id": str(pk), "version": version, "status": "FULFILLED"}}}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fulfil_limit_route(org_pk: int, org_code: str) -> Any:
    """The fair limit of `fulfilMeasure`: the lock with the scope in its WHERE (reading what the facts need of the
    case and its precinct), the UPDATE, the audit INSERT, the reports ledger's fact (its assignment time by a
    subquery, as the portal writes it) and the search outbox's read, in raw SQL in one transaction and one thread
    hop; the same JSON body, no GraphQL."""
    import json

    from django.db import close_old_connections, connection, transaction
    from django.utils import timezone
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def body(pk: int, version: int) -> bytes:
        close_old_connections()
        try:
            with transaction.atomic(), connection.cursor() as db:
                today = timezone.localdate()
                db.execute(RAW_LOCK, [pk, org_pk, today, today])
                found = db.fetchone()
                if found is None or found[0] != version or found[1] not in ("assigned", "accepted") \
                        or found[3] not in ("programme_approved", "in_progress", "extended"):
                    raise RuntimeError(f"measure {pk} cannot be fulfilled: {found}")
                _version, status, task = found[:3]
                case_id, institution_id, district_id, kind, deadline = found[6:]
                now = timezone.now()
                db.execute(RAW_UPDATE, [RESULT, today, version + 1, now, pk])
                changes = {"result": ["", RESULT], "done_on": [None, today.isoformat()],
                           "status": [status, "fulfilled"], "version": [version, version + 1]}
                db.execute(RAW_AUDIT, [now, "partner.bench", "partner.bench", org_code, str(pk), task[:200],
                                       json.dumps(changes)])
                audit_id = db.fetchone()[0]
                db.execute(RAW_LEDGER, [today, now, audit_id, institution_id, org_pk, district_id, case_id, pk, kind,
                                        deadline, pk, pk])
                db.execute(RAW_OUTBOX, [pk])
                db.fetchall()
        finally:
            close_old_connections()
        return fulfil_answer(pk, version + 1)

    async def endpoint(request: Request) -> Response:
        variables = (await request.json())["variables"]
        return Response(await run_in_threadpool(body, int(variables["id"]), int(variables["v"])),
                        media_type="application/graphql-response+json; charset=utf-8")

    return Route("/bench/fulfil-limit", endpoint, methods=["POST"])


class StatementCounter:
    """Counts the SQL statements every database connection of the process runs (the server's threads included)
    while `counting`: an execute wrapper added to each connection as it is created."""

    def __init__(self) -> None:
        import threading

        from django.db import connections
        from django.db.backends.signals import connection_created

        self.lock = threading.Lock()
        self.statements: list[str] = []
        self.counting = False
        self._wrapped: set[int] = set()
        connection_created.connect(self._install, weak=False)
        for wrapper in connections.all(initialized_only=True):
            self._install(connection=wrapper)

    def _install(self, sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
        if connection is not None and id(connection) not in self._wrapped:
            self._wrapped.add(id(connection))
            connection.execute_wrappers.append(self._wrap)

    def _wrap(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.counting:
            with self.lock:
                self.statements.append(sql)
        return execute(sql, params, many, context)

    def measure(self, call: Any) -> list[str]:
        self.statements, self.counting = [], True
        try:
            call()
        finally:
            self.counting = False
        return [sql for sql in self.statements if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]


def _summary(statements: list[str]) -> str:
    """`VERB table` of each statement: the table of its outermost FROM (INTO, UPDATE), or of the first FROM within
    when that is a subquery."""
    import re

    def what(sql: str) -> str:
        depth, table, inner = 0, "", ""
        for match in re.finditer(r'\(|\)|\b(?:FROM|INTO|UPDATE)\s+(\(|"?\w+"?)', sql):
            token = match.group(0)
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
            else:
                name = match.group(1).strip('"')
                inner = inner or (name if name != "(" else "")
                if depth == 0 and not table:
                    table = name
                if name == "(":
                    depth += 1
        return f"{sql.split()[0].upper()} {table if table not in ('', '(') else inner}" \
            + (" FOR UPDATE" if "FOR UPDATE" in sql else "")
    return ", ".join(what(sql) for sql in statements)


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

    # production settings: DEBUG off (Django would otherwise keep every statement of a request in memory),
    # a real secret; the development realm signs the token, trusted explicitly
    os.environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(40), DEVREALM_ALLOW_WITHOUT_DEBUG="1")
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
    add_route(fulfil_limit_route(org.pk, org.code))
    counter = StatementCounter()
    load_before = os.getloadavg()
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

            list_statements = counter.measure(lambda: raw("/graphql", LIST_QUERY))
            limit_statements = counter.measure(lambda: raw("/bench/my-measures-limit", ""))

            # Cases already under way (a partner's first report on an approved programme also moves its case) and
            # within their term: every fulfilment is the same change, for the gateway and for its limit.
            from django.db.models import Q
            from django.utils import timezone

            candidates = list(Measure.objects.filter(organisation=org, status__in=("assigned", "accepted"),
                                                     case__status="in_progress")
                              .filter(Q(case__ends_on__isnull=True) | Q(case__ends_on__gte=timezone.localdate()))
                              .filter(Q(case__started_on__isnull=True)
                                      | Q(case__started_on__lte=timezone.localdate()))
                              .order_by("pk").values_list("pk", "version")[: 2 * args.mutations + 4])

            def fulfil(path: str, pk: int, version: int) -> bytes:
                response = client.post(path, json={"query": FULFIL, "variables": {"id": str(pk), "v": version}})
                assert response.status_code == 200 and b'"errors"' not in response.content, response.text
                return response.content

            (g_pk, g_v), (l_pk, l_v), (c_pk, c_v), (d_pk, d_v) = candidates[:4]
            gateway_answer = fulfil("/graphql", g_pk, g_v)
            limit_answer = fulfil("/bench/fulfil-limit", l_pk, l_v)
            # byte for byte the body the limit builds, each for its own measure
            assert gateway_answer == fulfil_answer(g_pk, g_v + 1), (gateway_answer, fulfil_answer(g_pk, g_v + 1))
            assert limit_answer == fulfil_answer(l_pk, l_v + 1), limit_answer
            fulfil_statements = counter.measure(lambda: fulfil("/graphql", c_pk, c_v))
            fulfil_limit_statements = counter.measure(lambda: fulfil("/bench/fulfil-limit", d_pk, d_v))
            fulfil_times, fulfil_limit_times = [], []
            rest = candidates[4:]
            for (pk, version), (other_pk, other_version) in zip(rest[0::2], rest[1::2], strict=False):
                started = time.perf_counter()
                fulfil("/graphql", pk, version)
                fulfil_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                fulfil("/bench/fulfil-limit", other_pk, other_version)
                fulfil_limit_times.append((time.perf_counter() - started) * 1000)
    finally:
        server.stop()
    load_after = os.getloadavg()

    def line(label: str, values: list[float]) -> str:
        return f"| {label} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | " \
               f"{statistics.mean(values):.1f} |"

    p50_ratio = percentile(list_times, 0.5) / percentile(sql_times, 0.5)
    p95_ratio = percentile(list_times, 0.95) / percentile(sql_times, 0.95)
    f50_ratio = percentile(fulfil_times, 0.5) / percentile(fulfil_limit_times, 0.5)
    f95_ratio = percentile(fulfil_times, 0.95) / percentile(fulfil_limit_times, 0.95)

    def load(values: tuple[float, float, float]) -> str:
        return " / ".join(f"{value:.2f}" for value in values)
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
                     line("`fulfilMeasure` over HTTP (distinct open measures)", fulfil_times),
                     line("fair limit: same app and uvicorn, raw SQL lock (scope in the WHERE) + UPDATE + audit INSERT "
                          "+ ledger INSERT + outbox read in one transaction and thread hop, identical body",
                          fulfil_limit_times)])
        + f"\n\nRatio gateway / fair limit (interleaved): `myMeasures(first: 50)` p50 ×{p50_ratio:.2f}, "
        f"p95 ×{p95_ratio:.2f}; `fulfilMeasure` p50 ×{f50_ratio:.2f}, p95 ×{f95_ratio:.2f} (target ≤ ×2.0).\n\n"
        "SQL statements of one request (every connection of the process; transaction control not counted):\n\n"
        "| request | statements | which |\n|---|---|---|\n"
        f"| `myMeasures(first: 50)` | {len(list_statements)} | {_summary(list_statements)} |\n"
        f"| its fair limit | {len(limit_statements)} | {_summary(limit_statements)} |\n"
        f"| `fulfilMeasure` | {len(fulfil_statements)} | {_summary(fulfil_statements)} |\n"
        f"| its fair limit | {len(fulfil_limit_statements)} | {_summary(fulfil_limit_statements)} |\n\n"
        f"Load average (1/5/15 min) at the start of the measured requests {load(load_before)}, at the end "
        f"{load(load_after)} ({os.cpu_count()} cores).\n\n"
        "Run: `.venv/bin/python -m benchmarks.graph_bench` (about 3 minutes of seeding first).\n"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
