"""A backup/restore round trip at region scale on a throw-away PostgreSQL; writes benchmarks/results/backup.md.

    .venv/bin/python -m benchmarks.backup_bench [--scale region|demo]

Steps (each a real `portal` command in its own process): migrate + `portal seed --scale region`,
`portal backup`, wipe (drop and recreate the database, delete media and the search index),
`portal restore --skip-reindex` (restore + verification of every table's rows and checksum), then
`portal reindex` timed on its own. Row counts of the main tables are compared before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal.testing.postgres import start_temporary_postgres

RESULTS = Path(__file__).parent / "results" / "backup.md"
MAIN_TABLES = ("cases_person", "cases_household", "cases_case", "cases_measure", "territory_addressrange",
               "audit_auditevent")


def _portal(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"portal {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return time.monotonic() - started, done.stdout.strip()


def _counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as db:
        return {table: int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in MAIN_TABLES}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["region", "demo"], default="region")
    scale = parser.parse_args().scale
    cluster = start_temporary_postgres()
    work = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    try:
        import psycopg

        admin_url = cluster.url
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE bench")
        url = admin_url.rsplit("/", 1)[0] + "/bench"
        data = work / "data"
        env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
        env.update({"DATABASE_URL": url, "DATABASE_POOL": "0", "PORTAL_DATA_DIR": str(data),
                    "SECRET_KEY": "bench-secret-not-for-production", "LOG_FORMAT": "plain"})
        seed_seconds, _ = _portal(env, "seed", "--scale", scale)
        before = _counts(url)
        archive = work / "portal.tar"
        backup_seconds, backup_out = _portal(env, "backup", "--output", str(archive), "--json")
        manifest = json.loads(backup_out.splitlines()[-1])
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("DROP DATABASE bench WITH (FORCE)")
            admin.execute("CREATE DATABASE bench")
        shutil.rmtree(data / "media", ignore_errors=True)
        (data / "search.sqlite3").unlink(missing_ok=True)
        restore_seconds, restore_out = _portal(env, "restore", str(archive), "--skip-reindex")
        after = _counts(url)
        reindex_seconds, _ = _portal(env, "reindex")
        with psycopg.connect(url) as db:
            size = db.execute("SELECT pg_size_pretty(pg_database_size('bench'))").fetchone()[0]
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    if before != after:
        raise SystemExit(f"row counts differ after the restore: {before} vs {after}")
    rows = sum(table["rows"] for table in manifest["tables"].values())
    lines = [
        "# Backup and restore round trip",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (shared with other jobs), "
        f"Python {platform.python_version()}, PostgreSQL 15 (throw-away cluster, fsync off).",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python -m benchmarks.backup_bench --scale {scale}`.",
        "",
        f"Data: `portal seed --scale {scale}` ({seed_seconds:.0f} s with migrate): database {size}, "
        f"{len(manifest['tables'])} tables, {rows:,} rows.",
        "",
        "| step | seconds | notes |",
        "|---|---|---|",
        f"| `portal backup` | {backup_seconds:.1f} | pg_dump custom format + table checksums from one snapshot; "
        f"archive {archive_size_mb(manifest):.1f} MB |",
        f"| `portal restore --skip-reindex` | {restore_seconds:.1f} | pg_restore in one transaction + verification "
        "of every table's count and checksum |",
        f"| `portal reindex` | {reindex_seconds:.1f} | the search index is rebuilt, not restored |",
        "",
        "Row counts before backup and after restore (identical):",
        "",
        "| table | rows |",
        "|---|---|",
        *[f"| {table} | {count:,} |" for table, count in before.items()],
        "",
        "`portal restore` reported: "
        + next((line for line in restore_out.splitlines() if line.startswith("restored")), "(nothing)"),
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


def archive_size_mb(manifest: dict) -> float:
    return manifest["database"]["bytes"] / 1e6


if __name__ == "__main__":
    main()
