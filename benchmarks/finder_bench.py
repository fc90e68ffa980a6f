"""Officer finder at region scale: in-process lookups, an indexed raw SQL lookup of the same street and house,
typeahead, `findOfficer` over HTTP with production settings under a bounded concurrent load, and the memory
of the territory index. Writes benchmarks/results/finder.md.

    .venv/bin/python -m benchmarks.finder_bench [--database-url URL] [--lookups 400] [--requests 3000]
        [--concurrency 32] [--workers 2] [--http-only]

Without --database-url: a throw-away PostgreSQL, `migrate` and `seed --scale region` (about 3 minutes).
The HTTP part runs `portal serve --workers N` in a child process with DEBUG=0 (production settings: a real
SECRET_KEY, no development realm, psycopg connection pool) and drives it with a minimal asyncio keep-alive client
(`--client raw`, the default; `--client httpx` for the former one, which costs more CPU per request than the
server) holding at most --concurrency requests in flight. `--http-only`: that part alone (addresses of the
seeded territory), printed with the load average before and after, the results file left as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks.graph_bench import percentile, prepare_database

RESULTS = Path(__file__).parent / "results" / "finder.md"
FIND = "query($a: String!) { findOfficer(address: $a) { status precinct { number } officer { fullName } } }"
EMPTY = "{ __typename }"
#: The indexed lookup a hand-written SQL finder would do for a parsed address (unique street index, then the
#: (street, house_from, house_to) index of the ranges), returning what the officer card shows.
RAW_SQL = """SELECT p.id, p.number, d.name, o.full_name, o.phone, o.email, o.office_address, o.office_hours
  FROM territory_street s
  JOIN territory_addressrange r ON r.street_id = s.id
  JOIN territory_precinct p ON p.id = r.precinct_id
  JOIN territory_district d ON d.id = p.district_id
  LEFT JOIN territory_officer o ON o.id = p.officer_id
 WHERE s.settlement_normalized = %s AND s.kind = %s AND s.normalized = %s
   AND r.house_from <= %s AND r.house_to >= %s
   AND (r.parity = 'all' OR (r.parity = 'odd' AND %s %% 2 = 1) OR (r.parity = 'even' AND %s %% 2 = 0))
 LIMIT 1"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--lookups", type=int, default=400, help="addresses per kind of spelling")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: keep-alive HTTP/1.1 over asyncio streams (about a tenth of httpx's CPU per request, "
                             "which on 2 cores otherwise limits the load more than the server does)")
    parser.add_argument("--http-only", action="store_true", help="the HTTP load only, printed, no results file")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="finder-bench-"))
    url, cluster = prepare_database(args.database_url or None)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Production settings in this process too (no query log, no debug toolbar of any kind).
    os.environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(40))
    try:
        if args.http_only:
            run_http_only(args, url)
        else:
            run(args, url)
    finally:
        if cluster is not None:
            cluster.stop()


def _timed(fn: Any, items: list[Any]) -> tuple[list[float], list[Any]]:
    times, answers = [], []
    for item in items:
        started = time.perf_counter()
        answers.append(fn(item))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + ("а" if word[i] != "а" else "о") + word[i + 1:]


def run(args: argparse.Namespace, url: str) -> None:
    import django

    django.setup()
    from django.db import connection

    from portal.territory import index as territory_index_module
    from portal.territory.addresses import STREET_KIND_SHORT, normalise_text
    from portal.territory.index import build_index, read_stamp, territory_index
    from portal.territory.selectors import FinderStatus, find_officer, suggest_streets

    # --- the index: build time and memory ----------------------------------------------------------------------
    stamp = read_stamp()
    started = time.perf_counter()
    build_index(stamp)
    build_seconds = time.perf_counter() - started
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = build_index(stamp)
    index_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    territory_index_module.clear_cache()
    territory_index()  # warm: the cache holds the index of the current stamp

    rng = random.Random(1)
    streets = [s for s in index.streets.values() if s.ranges]
    by_name: dict[str, list[Any]] = {}
    for street in streets:
        by_name.setdefault(street.key, []).append(street)
    sample = rng.sample(streets, min(args.lookups, len(streets)))

    def served_house(street: Any) -> int:
        house_range = rng.choice(street.ranges)
        house = rng.randint(house_range.house_from, min(house_range.house_to, house_range.house_from + 30))
        return house if house_range.covers(house) else house_range.house_from

    rows = [(street, served_house(street)) for street in sample]
    exact = [f"{s.settlement_label}, {STREET_KIND_SHORT[s.kind]} {s.name}, д. {h}" for s, h in rows]
    abbreviated = [f"{s.settlement} {STREET_KIND_SHORT[s.kind].rstrip('.')} {s.name} {h} кв 5" for s, h in rows]
    typo = [f"{s.settlement}, {s.kind_name} {_typo(s.name, rng)}, {h}" for s, h in rows if len(s.name) >= 6]
    ambiguous_names = [key for key, items in by_name.items() if len({i.settlement_key for i in items}) > 1]
    ambiguous = []
    for key in rng.choices(ambiguous_names, k=len(rows)):
        street = by_name[key][0]
        ambiguous.append(f"{street.name}, {served_house(street)}")

    results: dict[str, tuple[list[float], list[Any]]] = {}
    for label, addresses in (("exact (settlement, type, name, house)", exact),
                             ("abbreviated, no commas, flat number", abbreviated),
                             ("typo in the street name", typo), ("ambiguous (name and house only)", ambiguous)):
        find_officer(addresses[0])
        results[label] = _timed(find_officer, addresses)

    # Raw SQL of the same street and house, and the answers compared.
    def raw(item: tuple[Any, int]) -> Any:
        street, house = item
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [normalise_text(street.settlement), street.kind, normalise_text(street.name),
                                     house, house, house, house])
            return cursor.fetchone()

    raw(rows[0])
    sql_times, sql_rows = _timed(raw, rows)
    exact_answers = results["exact (settlement, type, name, house)"][1]
    mismatches = sum(1 for answer, row in zip(exact_answers, sql_rows, strict=True)
                     if answer.status != FinderStatus.FOUND or row is None or answer.precinct.id != row[0])
    statuses = {label: _count(answers) for label, (_, answers) in results.items()}

    # Typeahead.
    prefixes = []
    for street, _ in rows:
        prefixes += [street.name[:3], street.name[:5], f"{street.settlement}, {street.name[:4]}"]
        if len(street.name) >= 6:
            prefixes.append(_typo(street.name[:5], rng))
    suggest_streets(prefixes[0])
    typeahead_times, typeahead_answers = _timed(suggest_streets, prefixes)
    empty_typeahead = sum(1 for answer in typeahead_answers if not answer)

    http = _http_load(args, url, exact + abbreviated)

    def line(label: str, values: list[float]) -> str:
        return (f"| {label} | {len(values)} | {percentile(values, 0.5):.2f} | {percentile(values, 0.95):.2f} | "
                f"{statistics.mean(values):.2f} |")

    exact_times = results["exact (settlement, type, name, house)"][0]
    ratio50 = percentile(exact_times, 0.5) / percentile(sql_times, 0.5)
    ratio95 = percentile(exact_times, 0.95) / percentile(sql_times, 0.95)
    text = (
        "# Officer finder benchmark (region scale)\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
        f"PostgreSQL ({'given' if args.database_url else 'throw-away cluster, `seed --scale region`'}). "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python -m benchmarks.finder_bench`.\n\n"
        f"Territory: {len(index.streets):,} streets, {index.ranges:,} address ranges, "
        f"{len(index.settlements):,} settlements, {len(index.names):,} distinct street names.\n"
        f"Index: built in {build_seconds:.2f} s (5 queries), {index_bytes / 2**20:.1f} MiB of Python objects "
        "(tracemalloc); rebuilt only when the territory's version stamp changes.\n\n"
        "## In process (`portal.territory.selectors.find_officer`, each call reads the version stamp)\n\n"
        "| lookup | n | p50, ms | p95, ms | mean, ms |\n|---|---|---|---|---|\n"
        + "\n".join(line(label, times) for label, (times, _) in results.items())
        + "\n" + line("raw SQL: the same street and house, indexed (street unique index + range index)", sql_times)
        + "\n" + line("typeahead `suggest_streets` (3–5 letters, with settlement, with a typo)", typeahead_times)
        + f"\n\nRatio finder / raw SQL (exact addresses): p50 ×{ratio50:.2f}, p95 ×{ratio95:.2f}. "
        f"Answers differing from the SQL lookup: {mismatches} of {len(rows)}.\n"
        f"Statuses: {statuses}. Typeahead queries with no suggestion: {empty_typeahead} of {len(prefixes)}.\n\n"
        f"## `findOfficer` over HTTP (production settings: DEBUG=0, `portal serve --workers {args.workers}`)\n\n"
        f"{http['requests']} POST /graphql requests, at most {args.concurrency} in flight ({args.client} asyncio "
        f"client in the same machine, keep-alive): "
        f"**{http['rate']:.0f} requests/s**, latency p50 {http['p50']:.1f} ms, "
        f"p95 {http['p95']:.1f} ms; errors {http['errors']} {http['reasons'] or ''}; answers FOUND {http['found']}.\n"
        f"The same load with an empty query (`{{ __typename }}`, the gateway's own floor on this machine at that "
        f"moment): {http['floor']['rate']:.0f} requests/s, p50 {http['floor']['p50']:.1f} ms, "
        f"p95 {http['floor']['p95']:.1f} ms; errors {http['floor']['errors']}.\n"
        f"Machine load (1-minute load average) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def run_http_only(args: argparse.Namespace, url: str) -> None:
    import django

    django.setup()
    from portal.territory.addresses import STREET_KIND_SHORT
    from portal.territory.index import territory_index

    index = territory_index()
    rng = random.Random(1)
    served = [s for s in index.streets.values() if s.ranges]
    streets = rng.sample(served, min(args.lookups, len(served)))
    addresses = []
    for street in streets:
        house_range = rng.choice(street.ranges)
        house = house_range.house_from if house_range.covers(house_range.house_from) else house_range.house_from + 1
        addresses.append(f"{street.settlement_label}, {STREET_KIND_SHORT[street.kind]} {street.name}, д. {house}")
    load_before = os.getloadavg()
    http = _http_load(args, url, addresses)
    load_after = os.getloadavg()
    print(f"findOfficer ({args.client} client): {http['requests']} requests, at most {args.concurrency} in flight, "
          f"{args.workers} workers: "
          f"{http['rate']:.0f} requests/s, p50 {http['p50']:.1f} ms, p95 {http['p95']:.1f} ms; errors "
          f"{http['errors']} {http['reasons'] or ''}; FOUND {http['found']}")
    floor = http["floor"]
    print(f"empty query: {floor['rate']:.0f} requests/s, p50 {floor['p50']:.1f} ms, p95 {floor['p95']:.1f} ms; "
          f"errors {floor['errors']}")
    for label, figures in (("findOfficer", http), ("empty query", floor)):
        cpu = figures["cpu_ms"]
        total = sum(cpu.values())
        print(f"CPU per {label} request: server {cpu['server']:.2f} ms, client {cpu['client']:.2f} ms, database "
              f"{cpu['database']:.2f} ms; the {os.cpu_count()} cores would serve at most "
              f"{(os.cpu_count() or 1) * 1000 / total:.0f} requests/s at that cost "
              f"(server alone: {(os.cpu_count() or 1) * 1000 / cpu['server']:.0f})")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} on {os.cpu_count()} cores")


def _count(answers: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for answer in answers:
        counts[str(answer.status)] = counts.get(str(answer.status), 0) + 1
    return counts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http_load(args: argparse.Namespace, url: str, addresses: list[str]) -> dict[str, Any]:
    import httpx

    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "DATABASE_URL": url,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "LOG_LEVEL": "WARNING", "DATABASE_POOL_MAX": "20"}
    server = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(port), "--workers",
                               str(args.workers)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the portal did not start")
            time.sleep(0.5)
        database = _postmaster(url)
        # Every worker builds its index and opens its connections before anything is measured.
        drive = _drive if args.client == "httpx" else _drive_raw
        asyncio.run(drive(base, FIND, addresses, args.concurrency * 8, args.concurrency))
        finder = _with_cpu(server.pid, database, lambda: asyncio.run(
            drive(base, FIND, addresses, args.requests, args.concurrency)))
        # The floor of the gateway on this machine at the same moment: the same load with an empty query.
        floor = _with_cpu(server.pid, database, lambda: asyncio.run(
            drive(base, EMPTY, addresses, args.requests, args.concurrency)))
        return {**finder, "floor": floor}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, user + system CPU seconds) of every process (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return found


def _tree_cpu(root: int | None) -> float:
    """CPU seconds of `root` and its live descendants (workers, database backends)."""
    if root is None:
        return 0.0
    processes = _processes()
    tree, total = {root}, 0.0
    for _ in range(4):  # server -> supervisor -> workers; postmaster -> backends
        tree |= {pid for pid, (parent, _) in processes.items() if parent in tree}
    for pid in tree:
        total += processes.get(pid, (0, 0.0))[1]
    return total


def _postmaster(url: str) -> int | None:
    """The pid of the PostgreSQL server listening on the URL's port on this machine (None: not found here)."""
    port = url.rsplit(":", 1)[-1].split("/", 1)[0]
    if not url.startswith("postgres") or not port.isdigit():
        return None
    for pid in _processes():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                words = cmdline.read().split(b"\0")
        except OSError:
            continue
        if words and words[0].endswith(b"postgres") and b"-p" in words and port.encode() in words:
            return pid
    return None


def _with_cpu(server: int, database: int | None, drive: Any) -> dict[str, Any]:
    """`drive()`'s figures plus the CPU per request of the server (all its workers), of this client and of the
    database server: what a request costs the machine whatever else runs on it."""
    before = (_tree_cpu(server), time.process_time(), _tree_cpu(database))
    figures = drive()
    after = (_tree_cpu(server), time.process_time(), _tree_cpu(database))
    n = figures["requests"]
    figures["cpu_ms"] = {part: (later - earlier) / n * 1000
                         for part, earlier, later in zip(("server", "client", "database"), before, after, strict=True)}
    return figures


async def _drive_raw(base: str, query: str, addresses: list[str], total: int, concurrency: int) -> dict[str, Any]:
    """The same load as `_drive` with a minimal client: `concurrency` keep-alive connections, each sending its next
    request when the previous answer is read (Content-Length bodies; the answers are parsed and checked)."""
    import json

    host, port = base.removeprefix("http://").rsplit(":", 1)
    bodies = [json.dumps({"query": query, "variables": {"a": address}}, ensure_ascii=False).encode()
              for address in addresses]
    requests = [(f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                 f"Accept: application/json\r\nAccept-Language: ru\r\nContent-Length: {len(body)}\r\n\r\n"
                 ).encode() + body for body in bodies]
    errors: dict[str, int] = {}
    outcomes: list[tuple[float, bool, bool]] = []
    next_request = iter(range(total))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in next_request:
                started = time.perf_counter()
                ok = found = False
                try:
                    writer.write(requests[i % len(requests)])
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                                      if line.lower().startswith(b"content-length:")))
                    body = json.loads(await reader.readexactly(length))
                    ok = status == 200 and not body.get("errors")
                    found = ok and "findOfficer" in body["data"] and body["data"]["findOfficer"]["status"] == "FOUND"
                    if not ok:
                        reason = f"HTTP {status}: {str(body.get('errors'))[:80]}"
                        errors[reason] = errors.get(reason, 0) + 1
                except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                    outcomes.append(((time.perf_counter() - started) * 1000, False, False))
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                outcomes.append(((time.perf_counter() - started) * 1000, ok, found))
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies = [outcome[0] for outcome in outcomes]
    return {"requests": total, "rate": total / elapsed, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "errors": sum(1 for o in outcomes if not o[1]),
            "found": sum(1 for o in outcomes if o[2]), "reasons": errors}


async def _drive(base: str, query: str, addresses: list[str], total: int, concurrency: int) -> dict[str, Any]:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60,
                                 headers={"Accept-Language": "ru"}) as client:
        errors: dict[str, int] = {}

        async def one(address: str) -> tuple[float, bool, bool]:
            started = time.perf_counter()
            try:
                response = await client.post("/graphql", json={"query": query, "variables": {"a": address}})
                body = response.json()
                ok = response.status_code == 200 and not body.get("errors")
                found = ok and "findOfficer" in body["data"] and body["data"]["findOfficer"]["status"] == "FOUND"
                if not ok:
                    reason = f"HTTP {response.status_code}: {str(body.get('errors'))[:80]}"
                    errors[reason] = errors.get(reason, 0) + 1
            except (httpx.HTTPError, ValueError) as error:
                ok = found = False
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            return (time.perf_counter() - started) * 1000, ok, found

        for address in addresses[: concurrency * 4]:  # warm every worker's index and connections
            await one(address)
        semaphore = asyncio.Semaphore(concurrency)

        async def bounded(address: str) -> tuple[float, bool, bool]:
            async with semaphore:
                return await one(address)

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(bounded(addresses[i % len(addresses)]) for i in range(total)))
        elapsed = time.perf_counter() - started
    latencies = [outcome[0] for outcome in outcomes]
    return {"requests": total, "rate": total / elapsed, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "errors": sum(1 for o in outcomes if not o[1]),
            "found": sum(1 for o in outcomes if o[2]), "reasons": errors}


if __name__ == "__main__":
    main()
