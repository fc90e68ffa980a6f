"""Issue 18: the embedded engine keeps no connection per thread. Every ASGI request may run on a new thread; a
connection left in a dead thread's locals is closed only by the cyclic garbage collector (sqlite3 connections
sit in a reference cycle with their statement cache), so open index files climbed with every request."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.backends.embedded import EmbeddedBackend
from search.registry import INDEXES
from tests.search.search_samples import STREETS

THREADS = 40


def open_index_files(path: str) -> int:
    """Descriptors of this process open on the index file or its WAL / shared-memory files."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.startswith(path)
    return count


@pytest.fixture
def streets(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.ensure_index("streets", INDEXES["streets"])
    backend.upsert("streets", STREETS)
    yield backend
    backend.close()


@pytest.fixture
def no_gc() -> Iterator[None]:
    """The garbage collector off: what it would close some time later does not hide a leak."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_searches_from_new_threads_leave_no_connection_open(streets: EmbeddedBackend, no_gc: None) -> None:
    answers: list[list[str]] = []

    def one_request() -> None:
        answers.append([hit["id"] for hit in streets.search("streets", "Лени").hits])

    before = open_index_files(streets.path)
    for _ in range(THREADS):  # one new thread per request, one after the other
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()
    sequential = open_index_files(streets.path)
    start = threading.Barrier(THREADS)

    def concurrent_request() -> None:
        start.wait()
        one_request()

    def burst() -> int:
        threads = [threading.Thread(target=concurrent_request) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return open_index_files(streets.path)

    # SQLite keeps the descriptor of a connection closed while another connection of the process holds a lock on
    # the file, and reuses it for the next connection it opens: what simultaneous requests leave is bounded by the
    # concurrency (40), not by the number of requests (160 here) as a leak of a connection per request would be.
    for _ in range(3):
        after = burst()
    assert len(answers) == 4 * THREADS and all(sorted(ids) == ["1", "4"] for ids in answers)
    per_connection = 3  # the database, its WAL and its shared-memory file
    assert sequential - before <= per_connection  # one connection, reused by every thread
    assert after - before <= per_connection * THREADS < 4 * THREADS
    streets.close()
    assert open_index_files(streets.path) == 0
