"""`portal backup` / `portal restore` round trips through the real commands (separate processes):
seed → backup → wipe → restore → the same rows (counts and checksums of every table, the audit trail
included), the same media files, a rebuilt search index; restoring over portal data needs --force."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SEED_TIMEOUT = 900


def _portal(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True,
                            timeout=SEED_TIMEOUT)
    if check and result.returncode != 0:
        pytest.fail(f"portal {' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}\n"
                    f"{result.stderr[-3000:]}")
    return result


def _base_env(data: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    env.update({"PORTAL_DATA_DIR": str(data), "DATABASE_POOL": "0", "LOG_FORMAT": "plain",
                "MEDIA_ROOT": str(data / "media")})
    return env


def _add_media(data: Path) -> bytes:
    content = os.urandom(4096)
    target = data / "media" / "documents" / "памятка.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return content


# --- PostgreSQL ---------------------------------------------------------------------------------


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    return psycopg.connect(host=params["HOST"], port=params["PORT"], user=params.get("USER") or "postgres",
                           dbname="postgres", autocommit=True)


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """An empty database of its own on the test cluster (the round trip drops and recreates it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL round trip (the test run uses SQLite)")
    name = f"backup_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = connection.settings_dict
    try:
        yield f"postgres://{params.get('USER') or 'postgres'}@{params['HOST']}:{params['PORT']}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and md5 over its rows in text order — computed here, independently of
    the checksums portal.ops.backup writes into its manifest."""
    import psycopg

    with psycopg.connect(url) as db:
        tables = [row[0] for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        result = {}
        for table in tables:
            if table in {"django_session", "portal_cache"}:
                continue
            count, digest = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            result[table] = (count, digest)
        return result


def _recreate(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def test_postgres_round_trip(scratch_postgres: str, tmp_path: Path) -> None:
    import psycopg

    data = tmp_path / "data"
    env = {**_base_env(data), "DATABASE_URL": scratch_postgres}
    _portal(env, "seed", "--scale", "demo")
    media = _add_media(data)
    before = _pg_fingerprint(scratch_postgres)
    assert before["audit_auditevent"][0] > 0 and before["cases_case"][0] > 0

    archive = tmp_path / "portal.tar"
    _portal(env, "backup", "--output", str(archive))
    assert archive.stat().st_size > 0

    _recreate(scratch_postgres)  # wipe: an empty database, no media, no search index
    for folder in ("media", "search.sqlite3"):
        target = data / folder
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()

    restored = _portal(env, "restore", str(archive))
    assert "verified" in restored.stdout and "search index rebuilt" in restored.stdout
    after = _pg_fingerprint(scratch_postgres)
    # The rebuild consumed the pending search updates (the outbox) and stamped its new indexes; every other
    # table is as it was.
    assert after.pop("search_outboxentry")[0] == 0
    after.pop("search_indexstamp", None)
    assert after == {table: value for table, value in before.items()
                     if table not in {"search_outboxentry", "search_indexstamp"}}
    assert (data / "media" / "documents" / "памятка.pdf").read_bytes() == media

    # The audit trail is append-only again after the restore (its triggers came back with it).
    with psycopg.connect(scratch_postgres) as db, pytest.raises(psycopg.Error):
        db.execute("UPDATE audit_auditevent SET verb = 'forged' WHERE id = (SELECT min(id) FROM audit_auditevent)")

    # The search index (not in the archive) was rebuilt from the restored rows.
    assert (data / "search.sqlite3").is_file()

    refused = _portal(env, "restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "already holds portal data" in refused.stderr + refused.stdout
    forced = _portal(env, "restore", str(archive), "--force", "--skip-reindex")
    assert "verified" in forced.stdout
    assert _pg_fingerprint(scratch_postgres) == before


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    db = sqlite3.connect(str(path))
    try:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        result = {}
        for table in tables:
            if table in {"django_session", "portal_cache"}:
                continue
            rows = sorted(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
            result[table] = (len(rows), hashlib.md5("|".join(rows).encode()).hexdigest())
        return result
    finally:
        db.close()


def test_sqlite_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _base_env(data)
    _portal(env, "seed", "--scale", "demo")
    database = data / "portal.sqlite3"
    media = _add_media(data)
    before = _sqlite_fingerprint(database)
    assert before["audit_auditevent"][0] > 0

    archive = tmp_path / "portal.tar"
    _portal(env, "backup", "--output", str(archive))
    for leftover in data.glob("portal.sqlite3*"):
        leftover.unlink()
    shutil.rmtree(data / "media")

    restored = _portal(env, "restore", str(archive), "--skip-reindex")
    assert "verified" in restored.stdout
    assert _sqlite_fingerprint(database) == before
    assert (data / "media" / "documents" / "памятка.pdf").read_bytes() == media
    refused = _portal(env, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "already holds portal data" in refused.stderr + refused.stdout


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    from portal.ops.backup import BackupError, read_manifest

    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="not a portal backup"):
        read_manifest(bogus)
