"""Benchmark of the gateway's document limits against a fragment bomb; writes benchmarks/results/limits.md.

    .venv/bin/python -m benchmarks.limits_bench

- "before": the limiters the gateway used until issue 11 (strawberry's QueryDepthLimiter and MaxAliasesLimiter,
  which expand fragments at every spread), timed in-process on the bomb for 10–20 levels;
- "now": the bomb posted to /graphql over HTTP (the whole ASGI app under uvicorn in this process) at 10–40
  levels: answer time and the refusal; the linear walk's work counter (graph.limits.DocumentLimits.work);
- /healthz answered while four other processes post bombs of 40 levels without pause.

No database is needed (anonymous requests, `__typename` only): a throw-away data folder with SQLite.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "limits.md"
FLOOD = """import sys, httpx
with httpx.Client(base_url=sys.argv[1], timeout=60) as client:
    while True:
        client.post("/graphql", json={"query": sys.argv[2]})
"""


def bomb(levels: int) -> str:
    parts = ["query Bomb { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ __typename }}")
    return "\n".join(parts)


def main() -> None:
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="limits-bench-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['PORTAL_DATA_DIR']}/bench.sqlite3"
    import django

    django.setup()
    import httpx
    from graphql import parse, validate
    from strawberry.extensions.max_aliases import create_validator as aliases_validator
    from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

    from graph.limits import DocumentLimits
    from graph.schema import schema
    from portal.testing.server import start_server

    lines = [
        "# Gateway limits against a fragment bomb",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. The bomb: "
        "`query Bomb { ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fn on Query { __typename }` "
        "(n levels, 2^n fields once expanded; 40 levels are 1.6 kB). The machine is shared with other runs: "
        "absolute times vary between runs, the growth (before) and the flat work counter (now) do not.",
        "",
        "## Before: strawberry's depth and alias limiters (expand fragments at each spread), in-process",
        "",
        "| levels | validation, s |",
        "|---|---|",
    ]
    graphql_schema = schema._schema
    for levels in (10, 14, 16, 18, 20):
        document = parse(bomb(levels))
        rules = [depth_validator(10, None), aliases_validator(30)]
        started = time.perf_counter()
        validate(graphql_schema, document, rules)
        lines.append(f"| {levels} | {time.perf_counter() - started:.2f} |")
        print(lines[-1], flush=True)

    lines += ["", "## Now: over HTTP (`portal.asgi:app` under uvicorn), graph.limits", "",
              "| levels | work (steps) | answer p50, ms | answer max, ms | HTTP | refusal |",
              "|---|---|---|---|---|---|"]
    server = start_server()
    try:
        with httpx.Client(base_url=server.url, timeout=60,
                          headers={"Accept": "application/graphql-response+json"}) as client:
            for levels in (10, 20, 25, 30, 40):
                text = bomb(levels)
                limits = DocumentLimits(graphql_schema, parse(text))
                limits.errors()
                times, last = [], None
                for _ in range(20):
                    started = time.perf_counter()
                    last = client.post("/graphql", json={"query": text})
                    times.append((time.perf_counter() - started) * 1000)
                assert last is not None
                error = (last.json().get("errors") or [{}])[0].get("extensions", {})
                lines.append(f"| {levels} | {limits.work} | {statistics.median(times):.1f} | {max(times):.1f} | "
                             f"{last.status_code} | {error.get('code', 'ok')} ({error.get('limit', '-')}) |")
                print(lines[-1], flush=True)

            # /healthz while bombs of 40 levels are posted without pause by four other processes.
            flooders = [subprocess.Popen([sys.executable, "-c", FLOOD, server.url, bomb(40)]) for _ in range(4)]
            time.sleep(2)
            health: list[float] = []
            for _ in range(100):
                started = time.perf_counter()
                client.get("/healthz")
                health.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
            for flooder in flooders:
                flooder.terminate()
                flooder.wait(timeout=10)
            lines += ["", "/healthz while four other processes post 40-level bombs without pause: "
                      f"p50 {statistics.median(health):.1f} ms, p95 {sorted(health)[94]:.1f} ms, "
                      f"max {max(health):.1f} ms (100 probes)."]
            print(lines[-1], flush=True)
    finally:
        server.stop()
    lines += ["", "Run: `.venv/bin/python -m benchmarks.limits_bench`.", ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"written {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
