"""Public pages under load, a 10,000-request soak, and the size of the `portal serve` supervisor.

    .venv/bin/python -m benchmarks.pages_bench [--database-url URL] [--requests 2000] [--concurrency 16]
        [--soak 10000]

Without --database-url: a throw-away PostgreSQL, `migrate` and the demo content (`portal.demo.load.load_demo`:
the demo region, the site tree, the consultations and registry pages). Then, with production settings
(DEBUG=0, a real SECRET_KEY, psycopg pool):

1. SQL queries per view: each page read twice by an anonymous visitor in a process of its own (Django's test
   client, `CaptureQueriesContext`): the first read renders the page, the second is served from the page cache.
2. `portal serve --workers 1`, driven by an asyncio httpx client with at most --concurrency requests in flight:
   home, the officer finder with an address, the consultations page, the needs registry — requests/s, p50, p95.
3. Soak: --soak requests over the same worker — the four pages, the finder with a different address each time
   (every one a cache miss that runs the finder), street suggestions and the officer JSON endpoint (the
   embedded search and the territory index) — with the worker's resident memory and open file descriptors
   before and after.
4. `portal serve --workers 2`: resident memory of the supervisor and of each worker.

Writes benchmarks/results/pages.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.graph_bench import percentile

RESULTS = Path(__file__).parent / "results" / "pages.md"

#: Run in a child process with the benchmark's environment: the pages' URLs, a served address, and the SQL
#: statements of a first (rendering) and a second (cached) anonymous read of each page.
PROBE = r"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from cms.models import OfficerFinderPage
from portal.community.pages import NeedsRegistryPage
from portal.consultations.pages import ConsultationsPage
from portal.territory.models import AddressRange

def url_of(model):
    return model.objects.live().filter(locale__language_code="ru").order_by("path").first().url

ranges = list(AddressRange.objects.select_related("street").order_by("id")[:400])
addresses = [f"{r.street.settlement}, {r.street.kind} {r.street.name}, {r.house_from}" for r in ranges]
pages = {"home": "/", "officer finder with an address": url_of(OfficerFinderPage) + "?address=" + addresses[0],
         "consultations list": url_of(ConsultationsPage), "needs registry": url_of(NeedsRegistryPage)}
queries = {}
for name, url in pages.items():
    client = Client()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append([len(captured.captured_queries), response.get("X-Page-Cache", "")])
    queries[name] = counts
print(json.dumps({"pages": pages, "queries": queries, "addresses": addresses,
                  "finder": url_of(OfficerFinderPage)}))
"""


#: Where a request's time goes: profiled by hand (not recomputed by this script), kept with the figures.
PROFILE = [
    "## Where the time goes (profiled 2026-12-02 12:40-13:05 and 14:15-14:35 UTC, load average 2-6)",
    "",
    "- **Whole ASGI app in one process, no network** (`portal.asgi:app` called in a loop, home page from the cache): "
    "3.2-5.4 ms wall and 1.2-2.2 ms CPU per request before, 1.0-1.4 ms wall and 0.7-1.1 ms CPU after "
    "`portal.asgi.KeptThreads`, 0.6-0.8 ms CPU after the cheaper copies below (each of the four pages). Django's "
    "ASGI handler enters a fresh `ThreadSensitiveContext` per request, so asgiref started a thread for every request "
    "and joined it at the end (py-spy on the served worker: 19 % of its busy samples); the requests now run on "
    "threads kept for the process (one request per thread at a time; checked: 300 requests, one thread).",
    "- **A cache hit inside Django** (test client, no ASGI): 0.22-0.36 ms, no SQL. The page cache answers right "
    "after the security, CSP, session, language, common and CSRF middleware (the key needs the language, the copy "
    "needs the CSRF cookie and this response's CSP nonce); authentication, Wagtail's site and page lookup, view "
    "restrictions and the view never run. Made cheaper (2026-12-02 14:20): the CSRF token of a copy was masked by "
    "Django's `get_token` (32 `secrets.choice` draws: 127 us, 214 us for a visitor without the cookie, which is "
    "every request of this benchmark: the cookie is `Secure` and the client speaks plain HTTP); "
    "`cms.page_cache.masked_csrf_token` draws the mask (and a new secret) from one `os.urandom` read: 1-28 us, "
    "same format and secret, accepted by Django's check. django-csp rebuilt the policy (`build_policy` twice over "
    "every directive) on every response: 90-150 us; `portal.headers.CSPMiddleware` builds it once per process with "
    "a slot for the nonce (the same header, byte for byte). A copy is kept cut where the tokens and nonce stand, "
    "so a hit joins the parts instead of searching the body. Under load the four pages served 193-259 req/s at "
    "1.39-2.07 ms worker CPU per request before (14:12, load average 2.1-2.4), 443-531 req/s at 0.74-1.21 ms after "
    "(14:31, load average 2.3-2.4); that is more than the 0.1-0.4 ms these changes save in one process, so part of "
    "it is the machine.",
    "- **The needs registry's lower figure** (193 req/s, 2.07 ms CPU against the finder's 259 and 1.39 ms at 14:12) "
    "is not the page: its hit costs the same as the others' in one process (29 KB body against 9-20 KB, one CSRF "
    "input, no nonce; 0.22-0.30 ms in Django, 0.63-0.77 ms through the ASGI app), one request at a time over HTTP "
    "the four pages cost the served worker 0.9-1.1 ms CPU each, and run first under load it served 309 req/s at "
    "1.38 ms. It is measured last, when the worker has run longest and the machine was busiest.",
    "- **The soak's ReadErrors** (4 in 10,000 at 14:12, 1 in an earlier run: the client read a reset on a kept-alive "
    "connection; the worker logged nothing) did not come back in 34,000 soak requests here (load average 3-6), with "
    "uvicorn instrumented: no connection was closed by the server mid-response, and none idle during a soak. The one "
    "way this server closes a connection silently is its keep-alive timeout, uvicorn's 5 s, which is also httpx's "
    "own idle limit: a request sent on an idle connection as the server closes it is lost. `portal serve` now keeps "
    "idle connections 75 s (`--keep-alive`), longer than clients and proxies keep them, so they close first; the "
    "benchmark now writes each unanswered request (address, error, cause, time) and the worker's log errors.",
    "- **The consultations page uncached** (before: every read): 55-75 ms in one process with 10 queries; "
    "rendering the question form's widgets (the district and topic lists) and the answers was most of it. Now "
    "its copy is kept like the other pages (the CSRF token of the question form and of the language switch put in "
    "per request), a new copy is made after a question is published, hidden or answered (any save of the "
    "consultations app's rows starts a new generation, except a question just asked and not published), and the "
    "answers come 20 to a page, so a render after a publish stays small at region scale. A form posted with bad "
    "input is a POST answer: rendered with its messages and what was typed, never kept.",
    "",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=2000, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--soak", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="pages-bench-"))
    os.environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(40), DJANGO_SETTINGS_MODULE="portal.settings",
                      ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="WARNING")
    cluster = None
    url = args.database_url
    if not url:
        from portal.testing.postgres import start_temporary_postgres

        cluster = start_temporary_postgres()
        url = cluster.url
    os.environ["DATABASE_URL"] = url
    try:
        if cluster is not None:
            _prepare(url)
        run(args, url)
    finally:
        if cluster is not None:
            cluster.stop()


def _prepare(url: str) -> None:
    env = {**os.environ, "DEBUG": "1", "DATABASE_POOL": "0"}
    for command in (["-m", "portal.manage", "migrate", "-v0"],
                    ["-c", "import django; django.setup(); from portal.demo.load import load_demo; load_demo()"]):
        started = time.monotonic()
        subprocess.run([sys.executable, *command], env=env, check=True)
        print(f"{command[-1][:40]}: {time.monotonic() - started:.0f} s", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


class Server:
    def __init__(self, url: str, workers: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "PUBLIC_BASE_URL": self.base, "DATABASE_POOL_MAX": "20"}
        #: The worker's log (warnings and errors: LOG_LEVEL=WARNING), read after the run.
        self.log = tempfile.NamedTemporaryFile(prefix="pages-bench-serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(self.port),
                                         "--workers", str(workers)], env=env, stdout=self.log, stderr=self.log)

    def wait(self) -> None:
        import httpx

        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the portal did not start")
            time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def errors(self) -> list[str]:
        """The worker's log lines at ERROR or above (an exception in a request, a connection it dropped)."""
        lines = Path(self.log.name).read_text(errors="replace").splitlines()
        return [line for line in lines if "ERROR" in line or "Traceback" in line or "Exception" in line]


async def _drive(base: str, urls: list[str], total: int, concurrency: int) -> dict[str, Any]:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    statuses: dict[str, int] = {}
    failures: list[str] = []  # what a request that got no answer saw, and when
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        async def one(url: str) -> float:
            started = time.perf_counter()
            try:
                response = await client.get(url)
                label = str(response.status_code)
            except httpx.HTTPError as error:
                label = type(error).__name__
                failures.append(f"{url} after {time.perf_counter() - started:.3f} s: {error!r} "
                                f"(cause {error.__cause__!r}, {time.perf_counter() - begun:.1f} s into the run)")
            statuses[label] = statuses.get(label, 0) + 1
            return (time.perf_counter() - started) * 1000

        semaphore = asyncio.Semaphore(concurrency)

        async def bounded(url: str) -> float:
            async with semaphore:
                return await one(url)

        started = begun = time.perf_counter()
        latencies = await asyncio.gather(*(bounded(urls[i % len(urls)]) for i in range(total)))
        elapsed = time.perf_counter() - started
    return {"requests": total, "rate": total / elapsed, "p50": percentile(list(latencies), 0.5),
            "p95": percentile(list(latencies), 0.95), "statuses": statuses, "seconds": elapsed, "failures": failures}


def run(args: argparse.Namespace, url: str) -> None:
    probe = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, "DATABASE_POOL": "0",
                                                               "ALLOWED_HOSTS": "testserver"},
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise RuntimeError(f"the query probe failed:\n{probe.stderr[-3000:]}")
    info = json.loads(probe.stdout.strip().splitlines()[-1])
    pages: dict[str, str] = info["pages"]
    addresses: list[str] = info["addresses"]
    print(json.dumps(info["queries"], ensure_ascii=False), flush=True)

    # 2. Pages under a bounded concurrent load, one worker.
    server = Server(url, workers=1)
    load: dict[str, dict[str, Any]] = {}
    try:
        server.wait()
        for name, page in pages.items():
            asyncio.run(_drive(server.base, [page], 50, 4))  # warm: connections, templates, the finder's index
            before_load, cpu = _load(), _cpu_seconds(server.process.pid)
            load[name] = asyncio.run(_drive(server.base, [page], args.requests, args.concurrency))
            load[name]["load"] = f"{before_load} → {_load()}"
            load[name]["cpu_ms"] = (_cpu_seconds(server.process.pid) - cpu) / args.requests * 1000
            print(name, f"{load[name]['rate']:.0f} req/s", load[name]["statuses"], load[name]["load"], flush=True)

        # 3. Soak on the same worker.
        rng = random.Random(7)
        finder = info["finder"]
        mix: list[str] = []
        for number in range(args.soak):
            kind = number % 6
            if kind < 3:
                mix.append(list(pages.values())[number % 4])
            elif kind == 3:
                mix.append(f"{finder}?address={rng.choice(addresses)}")
            elif kind == 4:
                street = rng.choice(addresses).split(", ")[1].split(" ", 1)[1]
                mix.append(f"/cms/api/streets?q={street[: rng.randint(3, 6)]}")
            else:
                mix.append(f"/cms/api/officer?address={rng.choice(addresses)}")
        asyncio.run(_drive(server.base, mix[:500], 500, args.concurrency))  # warm
        before = {"rss": _rss_mib(server.process.pid), "fds": _open_fds(server.process.pid)}
        soak_load = _load()
        soak = asyncio.run(_drive(server.base, mix, args.soak, args.concurrency))
        soak["load"] = f"{soak_load} → {_load()}"
        time.sleep(2)
        after = {"rss": _rss_mib(server.process.pid), "fds": _open_fds(server.process.pid)}
    finally:
        server.stop()
    soak["worker_errors"] = server.errors()
    for line in [*soak["failures"], *soak["worker_errors"]][:20]:
        print("  ", line, flush=True)

    # 4. The supervisor of two workers.
    server = Server(url, workers=2)
    try:
        server.wait()
        asyncio.run(_drive(server.base, list(pages.values()), 200, 8))  # both workers have served pages
        supervisor = _rss_mib(server.process.pid)
        # The children: the workers, and Python's multiprocessing resource tracker (no Django either).
        workers = [_rss_mib(child) for child in _children(server.process.pid)]
    finally:
        server.stop()
    _write(args, info, load, soak, before, after, supervisor, workers)


def _write(args: argparse.Namespace, info: dict[str, Any], load: dict[str, dict[str, Any]], soak: dict[str, Any],
           before: dict[str, float], after: dict[str, float], supervisor: float, workers: list[float]) -> None:
    def growth(key: str) -> str:
        return f"{(after[key] - before[key]) / before[key] * 100:+.1f} %"

    lines = [
        "# Public pages, soak and the serve supervisor",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (shared with other engineers' test runs: "
        f"1-minute load average {_load()} at the end), Python {platform.python_version()}; PostgreSQL (throw-away "
        "cluster, demo content: `portal.demo.load.load_demo`). Measured "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        "with `python -m benchmarks.pages_bench`; production settings (DEBUG=0), `portal serve --workers 1`, "
        "local-memory cache (one worker; production shares Redis), the client in the same machine.",
        "",
        "## SQL queries per view (anonymous visitor)",
        "",
        "| page | first read (renders) | second read | served from |",
        "|---|---|---|---|",
    ]
    for name, ((first, _), (second, source)) in info["queries"].items():
        lines.append(f"| {name} | {first} | {second} | {source or 'rendered'} |")
    lines += [
        "",
        "Before the page cache the officer finder page made 14 queries per view (issue 18), the home page 39 and the "
        "consultations page 35 in the test suite's demo tree (`tests/cms/test_page_cache.py`). Before the "
        "consultations page was kept too (its empty question form is the same for every visitor but for the CSRF "
        "token, put in per copy), it made 10 queries on every read, and served 24 requests/s (2026-12-02 09:22, "
        "load average 15; home 143, finder 154, needs 137 in the same run).",
        "",
        f"## Bounded concurrent load (at most {args.concurrency} requests in flight, {args.requests} requests per "
        "page, keep-alive)",
        "",
        "| page | requests/s | p50, ms | p95, ms | worker CPU per request, ms | statuses | 1-minute load average, "
        "start → end |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in load.items():
        lines.append(f"| {name} | {result['rate']:.0f} | {result['p50']:.1f} | {result['p95']:.1f} | "
                     f"{result['cpu_ms']:.2f} | {result['statuses']} | {result['load']} |")
    lines += [
        "",
        "The worker's CPU time per request (user + system, all its threads, read from /proc) does not depend on "
        "how crowded the machine is: 1000 / that figure is what one worker could serve with a core of its own.",
    ]
    lines += [
        "",
        f"## Soak: {soak['requests']:,} requests on one worker",
        "",
        "Mix: the four pages (half of the requests), the finder page with a different address each time, street "
        "suggestions (`/cms/api/streets`) and the officer JSON endpoint (`/cms/api/officer`), "
        f"{args.concurrency} in flight; {soak['rate']:.0f} requests/s, p95 {soak['p95']:.1f} ms, statuses "
        f"{soak['statuses']}; 1-minute load average {soak['load']}; the worker logged "
        f"{len(soak['worker_errors'])} errors.",
        *[f"- no answer: {line}" for line in soak["failures"][:10]],
        "",
        "| worker | after 500 warm-up requests | after the soak | growth |",
        "|---|---|---|---|",
        f"| resident memory, MiB | {before['rss']:.1f} | {after['rss']:.1f} | {growth('rss')} |",
        f"| open file descriptors | {before['fds']:.0f} | {after['fds']:.0f} | {growth('fds')} |",
        "",
        "## `portal serve --workers 2`",
        "",
        f"Supervisor: {supervisor:.1f} MiB resident (uvicorn only: it never imports Django; "
        "`tests/ops/test_serve.py` checks that no `django` module is loaded). Its children, after serving pages: "
        + ", ".join(f"{value:.1f} MiB" for value in sorted(workers, reverse=True))
        + " (the two workers, then Python's multiprocessing resource tracker).",
        "",
    ]
    lines += PROFILE
    text = "\n".join(lines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
