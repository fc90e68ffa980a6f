"""`portal backup` and `portal restore`: the database and the media files in one archive.

The archive is an uncompressed tar holding
- `manifest.json`: format, creation time, database vendor, applied migrations, and for every
  table its row count (plus a checksum of its rows on PostgreSQL) — `restore` verifies them;
- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, compressed) or `database.sqlite3`
  (SQLite: a consistent copy through SQLite's online backup API, taken while the portal runs);
- `media/…`: the uploaded files (MEDIA_ROOT).

Not in the archive: the search index (rebuilt by `portal reindex` after a restore — it is derived
data), the shared cache, and the rows of `django_session` (sessions hold access tokens; after a
restore everybody signs in again).

Restoring into a database that already holds portal data is refused without `force=True`.
On PostgreSQL `pg_restore --clean --if-exists --single-transaction` replaces the dumped objects
in one transaction (all or nothing); the audit table's append-only triggers are restored with it
(they are created after the data is loaded, so loading is not an update). Run restore with the
role that owns the tables (the migration role when the least-privilege setup is used).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
MEDIA_PREFIX = "media"
#: Tables whose rows are not backed up (their structure is).
EXCLUDED_DATA = ("django_session", "portal_cache")
#: A database holds portal data when any of these tables has a row.
DATA_TABLES = ("audit_auditevent", "cases_person", "cases_case", "partners_organisation", "territory_district",
               "auth_user")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (shown to the operator)."""


@dataclass
class RestoreReport:
    archive: Path
    vendor: str
    tables: int
    rows: int
    media_files: int
    seconds: dict[str, float] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


# --- Inspecting the database -----------------------------------------------------------------


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def table_summary(*, checksums: bool | None = None) -> dict[str, dict[str, Any]]:
    """Row count (and on PostgreSQL a checksum of the rows) of every table but EXCLUDED_DATA.

    The checksum is the sum of a 60-bit slice of each row's md5 (over the row's text form): it does
    not depend on row order and needs no sort or giant string at region scale."""
    checksums = connection.vendor == "postgresql" if checksums is None else checksums
    summary: dict[str, dict[str, Any]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            if table in EXCLUDED_DATA:
                continue
            if checksums:
                cursor.execute("SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint),"
                               f" 0) FROM {quote(table)} AS t")
                count, digest = cursor.fetchone()
                summary[table] = {"rows": int(count), "checksum": str(digest)}
            else:
                cursor.execute(f"SELECT count(*) FROM {quote(table)}")
                summary[table] = {"rows": int(cursor.fetchone()[0])}
    return summary


def holds_portal_data() -> bool:
    tables = set(_tables())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _applied_migrations() -> dict[str, str]:
    if "django_migrations" not in _tables():
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = max(latest.get(app, ""), name)
    return latest


# --- PostgreSQL tools ------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    directory = os.environ.get("PG_BIN_DIR")
    if directory and (Path(directory) / name).exists():
        return str(Path(directory) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client) or set PG_BIN_DIR")
    return found


def _libpq_env() -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore from the Django connection settings (no password on argv)."""
    params = connections["default"].settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({"PGHOST": str(params.get("HOST") or "localhost"), "PGPORT": str(params.get("PORT") or "5432"),
                "PGDATABASE": str(params["NAME"]), "PGUSER": str(params.get("USER") or "")})
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(option):
            env[variable] = str(options[option])
    if os.environ.get("PG_BIN_DIR"):
        env["PG_BIN_DIR"] = os.environ["PG_BIN_DIR"]
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}):\n{tail}")


# --- Backup ----------------------------------------------------------------------------------


def default_archive_path() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BACKUP_DIR) / f"portal-{stamp}.tar"


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup(output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Write an archive of the database and the media files; returns its path and manifest."""
    archive = Path(output) if output else default_archive_path()
    archive.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=archive.parent) as work:
        workdir = Path(work)
        if vendor == "postgresql":
            dump = workdir / PG_DUMP_FILE
            summary = _pg_dump(dump)
        elif vendor == "sqlite":
            dump = workdir / SQLITE_FILE
            source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
            target = sqlite3.connect(str(dump))
            try:
                with target:
                    source.backup(target)
                for table in EXCLUDED_DATA:
                    if _sqlite_has_table(target, table):
                        target.execute(f'DELETE FROM "{table}"')
                target.commit()
                target.execute("VACUUM")
            finally:
                target.close()
                source.close()
            summary = _sqlite_summary(dump)
        else:
            raise BackupError(f"backups of {vendor} databases are not supported")
        database_seconds = time.monotonic() - started
        media = _media_files()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": dump.name, "bytes": dump.stat().st_size},
            "migrations": _applied_migrations(),
            "tables": summary,
            "media": {"files": len(media), "bytes": sum(path.stat().st_size for path in media)},
            "excluded_data": list(EXCLUDED_DATA),
            "seconds": {"database": round(database_seconds, 2)},
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            manifest_file = workdir / MANIFEST
            manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            tar.add(manifest_file, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            root = Path(settings.MEDIA_ROOT)
            for path in media:
                tar.add(path, arcname=f"{MEDIA_PREFIX}/{path.relative_to(root).as_posix()}")
        partial.replace(archive)  # a crash never leaves a half-written archive under the final name
    manifest["seconds"]["total"] = round(time.monotonic() - started, 2)
    return archive, manifest


def _pg_dump(dump: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the table summary from one snapshot, so the manifest describes exactly the dump
    even while the portal keeps writing."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        args = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                f"--file={dump}"]
        args += [f"--exclude-table-data={table}" for table in EXCLUDED_DATA]
        _run(args, _libpq_env())
        return table_summary()


def _sqlite_summary(path: Path) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(str(path))
    try:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                              "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: {"rows": int(db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])}
                for name in names if name not in EXCLUDED_DATA}
    finally:
        db.close()


def _sqlite_has_table(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None


# --- Restore ---------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read().decode("utf-8"))
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a portal backup ({exc.__class__.__name__}: {exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has backup format {manifest.get('format')!r}; this portal reads {FORMAT}")
    return manifest


def restore(archive: Path, *, force: bool = False) -> RestoreReport:
    """Replace the database and the media files by the archive's; verify row counts and checksums."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the archive holds a {vendor} database; this portal is configured for {connection.vendor}")
    if not force and holds_portal_data():
        raise BackupError("the database already holds portal data; restoring would replace it. "
                          "Check DATABASE_URL, then repeat with --force to overwrite.")
    report = RestoreReport(archive=archive, vendor=vendor, tables=len(manifest["tables"]),
                           rows=sum(t["rows"] for t in manifest["tables"].values()), media_files=0)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        workdir = Path(work)
        with tarfile.open(archive, "r") as tar:
            tar.extract(manifest["database"]["file"], workdir, filter="data")
            media_members = [m for m in tar.getmembers() if m.name.startswith(MEDIA_PREFIX + "/") and m.isfile()]
            tar.extractall(workdir, members=media_members, filter="data")
        dump = workdir / manifest["database"]["file"]
        connections.close_all()
        if vendor == "postgresql":
            _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", "--exit-on-error", f"--dbname={connections['default'].settings_dict['NAME']}",
                  str(dump)], _libpq_env())
        else:
            _restore_sqlite(dump)
        report.seconds["database"] = round(time.monotonic() - started, 2)
        report.media_files = _restore_media(workdir / MEDIA_PREFIX)
    connections.close_all()
    check_started = time.monotonic()
    report.mismatches = _compare(manifest["tables"], table_summary())
    report.seconds["verify"] = round(time.monotonic() - check_started, 2)
    if report.mismatches:
        raise BackupError("restored database differs from the archive: " + "; ".join(report.mismatches[:10]))
    return report


def _restore_sqlite(dump: Path) -> None:
    """Copy the archived database into the live file with SQLite's backup API (consistent, WAL-safe)."""
    target_path = Path(str(connection.settings_dict["NAME"]))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(dump))
    target = sqlite3.connect(str(target_path), timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_media(extracted: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    if extracted.is_dir():
        for path in sorted(extracted.rglob("*")):
            if path.is_file():
                destination = root / path.relative_to(extracted)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), destination)
                count += 1
    return count


def _compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for table, wanted in sorted(expected.items()):
        got = actual.get(table)
        if got is None:
            problems.append(f"{table}: missing")
        elif got["rows"] != wanted["rows"]:
            problems.append(f"{table}: {got['rows']} rows, archive has {wanted['rows']}")
        elif wanted.get("checksum") and got.get("checksum") != wanted["checksum"]:
            problems.append(f"{table}: rows differ (checksum)")
    return problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
