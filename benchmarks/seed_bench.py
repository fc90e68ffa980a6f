"""Time `portal seed --scale region` on a throw-away PostgreSQL (and SQLite), write benchmarks/results/seed.md.

    .venv/bin/python -m benchmarks.seed_bench
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal.testing.postgres import start_temporary_postgres

RESULTS = Path(__file__).parent / "results" / "seed.md"


def _run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "portal.manage", *args], env=env, check=True,
                          capture_output=True, text=True)
    return time.monotonic() - started, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    rows = []
    cluster = start_temporary_postgres()
    try:
        for label, database_url in [("PostgreSQL 15", cluster.url), ("SQLite", "")]:
            data = tempfile.mkdtemp(prefix="seed-bench-")
            env = {**os.environ, "DEBUG": "1", "PORTAL_DATA_DIR": data, "DATABASE_POOL": "0"}
            if database_url:
                env["DATABASE_URL"] = database_url
            else:
                env.pop("DATABASE_URL", None)
            migrate, _ = _run(env, "migrate", "-v0")
            seed, summary = _run(env, "seed", "--scale", "region", "-v0")
            again, _ = _run(env, "seed", "--scale", "region", "-v0")
            rows.append(f"| {label} | {migrate:.1f} | {seed:.1f} | {again:.1f} | {summary} |")
    finally:
        cluster.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "# `portal seed --scale region`\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}.\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n\n"
        "| database | migrate, s | seed region, s | second run (idempotent), s | created |\n|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n", encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
