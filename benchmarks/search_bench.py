"""Embedded search at region scale: indexing rate and p50/p95 of officer-finder and registry queries.

    .venv/bin/python -m benchmarks.search_bench

Seeds a throw-away SQLite database with `portal seed --scale region`, rebuilds every index
(`search.sync.reindex`), then times queries. Results: benchmarks/results/search.md.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "search.md"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    data = tempfile.mkdtemp(prefix="search-bench-")
    os.environ.update(DEBUG="1", PORTAL_DATA_DIR=data, DJANGO_SETTINGS_MODULE="portal.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("MEILISEARCH_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from portal.partners.models import Organisation
    from portal.territory.models import Street
    from search import api
    from search.documents import INDEXES
    from search.sync import reindex

    call_command("migrate", verbosity=0)
    call_command("seed", scale="region", verbosity=0)
    started = time.perf_counter()
    counts = reindex()
    elapsed = time.perf_counter() - started
    documents = sum(counts.values())

    rng = random.Random(1)
    streets = list(Street.objects.values_list("name", "settlement"))
    queries: dict[str, list[str]] = {"prefix (4 letters)": [], "typo (one letter changed)": [],
                                     "finder query (kind + street + settlement)": []}
    for name, settlement in rng.sample(streets, min(300, len(streets))):
        queries["prefix (4 letters)"].append(name[:4])
        word = name.split()[0]
        if len(word) >= 5:
            i = rng.randrange(1, len(word) - 1)
            queries["typo (one letter changed)"].append(word[:i] + ("а" if word[i] != "а" else "о") + word[i + 1:])
        queries["finder query (kind + street + settlement)"].append(f"ул {name} {settlement}")
    rows = []
    hit_rates = {}
    for label, items in queries.items():
        timings = []
        found = 0
        for text in items:
            t = time.perf_counter()
            found += bool(api.suggest_streets(text, limit=10))
            timings.append(time.perf_counter() - t)
        rows.append((f"officer finder: {label}", len(items), _pct(timings, 0.5), _pct(timings, 0.95)))
        hit_rates[label] = found / max(1, len(items))
    org_words = [w for name in Organisation.objects.values_list("name", flat=True) for w in name.split()
                 if len(w) > 4][:200] or ["центр"]
    for label, make in [("registry: organisations text", lambda w: api.search("organisations", w[:5])),
                        ("registry: organisations text + filter",
                         lambda w: api.search("organisations", w[:5], filters={"kind": "ngo"})),
                        ("registry: organisations list (no text)", lambda w: api.search("organisations", ""))]:
        timings = []
        for word in org_words:
            t = time.perf_counter()
            make(word)
            timings.append(time.perf_counter() - t)
        rows.append((label, len(org_words), _pct(timings, 0.5), _pct(timings, 0.95)))

    lines = [
        "# Search benchmark (embedded SQLite FTS5 trigram)", "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}. Database: SQLite, `portal seed --scale region`.", "",
        f"Indexing (`reindex`, all indexes): {documents} documents in {elapsed:.1f} s = "
        f"**{documents / elapsed:.0f} docs/s** ({', '.join(f'{k}: {v}' for k, v in counts.items() if k in INDEXES)}).",
        "", "| query | n | p50 ms | p95 ms |", "|---|---:|---:|---:|",
        *[f"| {label} | {n} | {p50:.2f} | {p95:.2f} |" for label, n, p50, p95 in rows], "",
        "Share of officer-finder queries with at least one suggestion: "
        + ", ".join(f"{k}: {v:.0%}" for k, v in hit_rates.items()), "",
        f"Median of all finder timings: {statistics.median([r[2] for r in rows[:3]]):.2f} ms.", "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
