"""Issue 13: a gateway thread keeps its SQLite connection between units of work (a new connection per unit was
most of a findOfficer request's CPU), and drops it when it is not clean, too old, or its file was replaced; outside
the gateway's threads a unit still closes its connection. Run against a throw-away SQLite database whatever the
suite's database is (PostgreSQL connections come from the psycopg pool and are never kept)."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError
from django.db.utils import ConnectionHandler

import graph.threads as gateway_threads
from graph.threads import _gateway_thread_started, unit_connections


def _database(path: Path, value: str) -> None:
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t VALUES (?)", (value,))
    db.commit()
    db.close()


@pytest.fixture
def sqlite_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any,
                       django_db_blocker: Any) -> Iterator[Any]:
    path = tmp_path / "portal.sqlite3"
    _database(path, "first")
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}})
    monkeypatch.setattr(gateway_threads, "connections", handler)
    settings.GRAPHQL_KEEP_CONNECTION_SECONDS = 300
    handler.path = path  # type: ignore[attr-defined]
    with django_db_blocker.unblock():  # this database only: the suite's own is not touched
        yield handler


@pytest.fixture
def gateway_thread() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(1, initializer=_gateway_thread_started) as thread:
        yield thread


def _unit(handler: Any, sql: str = "SELECT v FROM t") -> Callable[[], tuple[Any, Any]]:
    def unit() -> tuple[Any, Any]:
        with unit_connections():
            wrapper = handler["default"]
            with wrapper.cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone()
            return row[0] if row else None, wrapper.connection

    return unit


def _still_open(raw: Any) -> bool:
    try:
        raw.execute("SELECT 1")
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return False
    return True


def test_a_gateway_thread_keeps_its_connection(sqlite_connections: Any, gateway_thread: ThreadPoolExecutor) -> None:
    first, raw = gateway_thread.submit(_unit(sqlite_connections)).result()
    second, again = gateway_thread.submit(_unit(sqlite_connections)).result()
    assert (first, second) == ("first", "first")
    assert again is raw and _still_open(raw)


def test_other_threads_close_it_after_the_unit(sqlite_connections: Any) -> None:
    with ThreadPoolExecutor(1) as thread:  # not one of the gateway's pools
        _, raw = thread.submit(_unit(sqlite_connections)).result()
        _, other = thread.submit(_unit(sqlite_connections)).result()
    assert other is not raw and not _still_open(raw) and not _still_open(other)


def test_not_kept_when_disabled(sqlite_connections: Any, gateway_thread: ThreadPoolExecutor, settings: Any) -> None:
    settings.GRAPHQL_KEEP_CONNECTION_SECONDS = 0
    _, raw = gateway_thread.submit(_unit(sqlite_connections)).result()
    assert not _still_open(raw)


def test_a_restore_into_the_file_is_seen(sqlite_connections: Any, gateway_thread: ThreadPoolExecutor,
                                         tmp_path: Path) -> None:
    """`portal restore` copies the archive into the live file with SQLite's backup API (portal.ops.backup)."""
    _, raw = gateway_thread.submit(_unit(sqlite_connections)).result()
    archived = tmp_path / "archived.sqlite3"
    _database(archived, "restored")
    source, target = sqlite3.connect(str(archived)), sqlite3.connect(str(sqlite_connections.path))
    source.backup(target)
    target.close()
    source.close()
    value, again = gateway_thread.submit(_unit(sqlite_connections)).result()
    assert value == "restored" and again is raw


def test_a_replaced_file_is_not_read_through_the_old_connection(sqlite_connections: Any,
                                                                gateway_thread: ThreadPoolExecutor,
                                                                tmp_path: Path) -> None:
    _, raw = gateway_thread.submit(_unit(sqlite_connections)).result()
    replacement = tmp_path / "replacement.sqlite3"
    _database(replacement, "replaced")
    os.replace(replacement, sqlite_connections.path)
    value, again = gateway_thread.submit(_unit(sqlite_connections)).result()
    assert value == "replaced" and again is not raw and not _still_open(raw)


def test_a_failed_unit_drops_its_connection(sqlite_connections: Any, gateway_thread: ThreadPoolExecutor) -> None:
    _, raw = gateway_thread.submit(_unit(sqlite_connections)).result()
    with pytest.raises(DatabaseError):
        gateway_thread.submit(_unit(sqlite_connections, "SELECT nothing FROM nowhere")).result()
    assert not _still_open(raw)
    value, again = gateway_thread.submit(_unit(sqlite_connections)).result()
    assert value == "first" and again is not raw


def test_a_transaction_left_open_is_not_kept(sqlite_connections: Any, gateway_thread: ThreadPoolExecutor) -> None:
    def unit() -> Any:
        with unit_connections():
            wrapper = sqlite_connections["default"]
            wrapper.set_autocommit(False)
            wrapper.cursor().execute("SELECT v FROM t")
            return wrapper.connection

    raw = gateway_thread.submit(unit).result()
    assert not _still_open(raw)


def test_the_connection_is_closed_when_its_thread_ends(sqlite_connections: Any) -> None:
    gc.collect()
    gc.disable()  # closed when the thread ends, not some time later by the collector
    try:
        thread = ThreadPoolExecutor(1, initializer=_gateway_thread_started)
        _, raw = thread.submit(_unit(sqlite_connections)).result()
        assert _still_open(raw)
        thread.shutdown(wait=True)
        assert not _still_open(raw)
    finally:
        gc.enable()


def test_connections_are_bounded_by_the_threads(sqlite_connections: Any) -> None:
    raws: set[int] = set()
    lock = threading.Lock()
    with ThreadPoolExecutor(3, initializer=_gateway_thread_started) as threads:
        for _, raw in threads.map(lambda _: _unit(sqlite_connections)(), range(60)):
            with lock:
                raws.add(id(raw))
    assert len(raws) <= 3


def test_other_databases_are_not_kept(transactional_db: None, gateway_thread: ThreadPoolExecutor) -> None:
    """The suite's database (PostgreSQL unless PORTAL_TEST_DB=sqlite): a PostgreSQL connection is closed (returned
    to the psycopg pool in production) after every unit, so the pool's size bounds them."""
    from django.db import connections

    def unit() -> tuple[str, bool]:
        with unit_connections():
            wrapper = connections["default"]
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
        return wrapper.vendor, wrapper.connection is not None

    vendor, still_open = gateway_thread.submit(unit).result()
    assert still_open == (vendor == "sqlite")
