"""Embedded search at region scale: reindex rate (SQLite and PostgreSQL) and p50/p95 of street and registry queries.

    .venv/bin/python -m benchmarks.search_bench [--no-postgres]

Seeds a throw-away SQLite database with `portal seed --scale region`, rebuilds every index
(`search.sync.reindex`), then times queries against the embedded engine. The PostgreSQL reindex runs in a child
process on a temporary cluster (`portal.testing.postgres`), seeded the same way. Targets (issue 18): p95 ≤ 20 ms
for prefix, typo, full address and registry text; reindex ≥ 8,000 documents/s on SQLite, ≥ 5,000 on PostgreSQL.
Results: benchmarks/results/search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "search.md"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _setup(database_url: str) -> None:
    """Django on a fresh data folder, migrated and seeded at region scale."""
    os.environ.update(DEBUG="1", PORTAL_DATA_DIR=tempfile.mkdtemp(prefix="search-bench-"), DATABASE_POOL="0",
                      DJANGO_SETTINGS_MODULE="portal.settings")
    os.environ.pop("MEILISEARCH_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed", scale="region", verbosity=0)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reindex() -> dict[str, Any]:
    from search.sync import reindex

    started = time.perf_counter()
    reindex()  # the first build also settles the seed's outbox backlog
    first = time.perf_counter() - started
    started, cpu = time.perf_counter(), _cpu()
    counts = reindex()
    elapsed, cpu = time.perf_counter() - started, _cpu() - cpu
    return {"counts": counts, "seconds": elapsed, "first_seconds": first, "documents": sum(counts.values()),
            "cpu_seconds": cpu}


def reindex_only() -> None:
    """Child process: seed the database named by DATABASE_URL, reindex, print the figures as JSON."""
    _setup(os.environ["DATABASE_URL"])
    print(json.dumps(_reindex()))


def _postgres_reindex() -> dict[str, Any]:
    from portal.testing.postgres import start_temporary_postgres

    cluster = start_temporary_postgres()
    try:
        env = {**os.environ, "DATABASE_URL": cluster.url}
        done = subprocess.run([sys.executable, "-m", "benchmarks.search_bench", "--reindex-only"], env=env,
                              check=True, capture_output=True, text=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        cluster.stop()


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + ("а" if word[i] != "а" else "о") + word[i + 1:]


def _timed(label: str, items: list[Any], run: Any) -> tuple[str, int, float, float, float]:
    timings, found = [], 0
    for item in items:
        started = time.perf_counter()
        found += bool(run(item))
        timings.append(time.perf_counter() - started)
    return label, len(items), _pct(timings, 0.5), _pct(timings, 0.95), found / max(1, len(items))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reindex-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL reindex")
    args = parser.parse_args()
    if args.reindex_only:
        reindex_only()
        return
    load_before = os.getloadavg()
    postgres = None if args.no_postgres else _postgres_reindex()
    _setup("")
    sqlite = _reindex()

    from portal.partners.models import Organisation
    from portal.territory.models import Street
    from portal.territory.search_documents import settlement_label, suggest_streets
    from search import api
    from search.registry import INDEXES

    rng = random.Random(1)
    streets = list(Street.objects.order_by("pk").values_list("name", "settlement", "district__kind",
                                                                "district__centre"))
    sample = rng.sample(streets, min(300, len(streets)))
    typos = [_typo(name.split()[0], rng) for name, *_ in sample if len(name.split()[0]) >= 5]
    suggest = lambda text: suggest_streets(text, limit=10)  # noqa: E731
    org_words = [w for name in Organisation.objects.order_by("pk").values_list("name", flat=True)
                 for w in name.split() if len(w) > 4][:200] or ["центр"]
    suggest(sample[0][0])  # warm the connection
    rows = [
        _timed("street: prefix (4 letters)", [name[:4] for name, *_ in sample], suggest),
        _timed("street: typo (one letter changed)", typos, suggest),
        _timed("street: kind + street + settlement («ул Ленина Заречный»)",
               [f"ул {name} {settlement}" for name, settlement, *_ in sample], suggest),
        _timed("street: full address («г. Заречный, улица Ленина»)",
               [f"{settlement_label(settlement, kind, centre)}, улица {name}"
                for name, settlement, kind, centre in sample], suggest),
        _timed("registry: organisations text", [w[:5] for w in org_words],
               lambda w: api.search("organisations", w).hits),
        _timed("registry: organisations text with a typo", [_typo(w, rng) for w in org_words],
               lambda w: api.search("organisations", w).hits),
        _timed("registry: organisations text + filter", [w[:5] for w in org_words],
               lambda w: api.search("organisations", w, filters={"kind": "ngo"}).hits or True),
        _timed("registry: organisations list (no text)", org_words, lambda w: api.search("organisations", "").hits),
    ]

    def rate(figures: dict[str, Any]) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in figures["counts"].items() if k in INDEXES)
        cpu = figures.get("cpu_seconds")
        on_cpu = (f"; the process's own CPU time {cpu:.1f} s = {figures['documents'] / cpu:.0f} docs per CPU-second"
                  if cpu else "")
        return (f"{figures['documents']} documents in {figures['seconds']:.1f} s = "
                f"**{figures['documents'] / figures['seconds']:.0f} docs/s** ({counts}){on_cpu}; the first run "
                f"after the seed, which also settles its outbox backlog: {figures['first_seconds']:.1f} s")

    load_after = os.getloadavg()

    lines = [
        "# Search benchmark (embedded SQLite FTS5 trigram)", "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (shared with other work while measuring), "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}. "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        "`.venv/bin/python -m benchmarks.search_bench`; database seeded by `portal seed --scale region`. "
        f"Load average (1, 5, 15 min) at the start {', '.join(f'{v:.2f}' for v in load_before)}, at the end "
        f"{', '.join(f'{v:.2f}' for v in load_after)}.", "",
        "Reindex (`search.sync.reindex`, every index; rate of the second run):", "",
        f"- SQLite: {rate(sqlite)}",
        f"- PostgreSQL: {rate(postgres)}" if postgres else "- PostgreSQL: not measured (--no-postgres)", "",
        "Targets: ≥ 8,000 docs/s on SQLite, ≥ 5,000 on PostgreSQL.", "",
        "Queries (embedded engine, one thread; p95 target ≤ 20 ms for prefix, typo, full address, registry text):",
        "", "| query | n | p50 ms | p95 ms | with a hit |", "|---|---:|---:|---:|---:|",
        *[f"| {label} | {n} | {p50:.2f} | {p95:.2f} | {hits:.0%} |" for label, n, p50, p95, hits in rows], "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
