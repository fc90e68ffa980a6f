"""The one lock shared by `portal search-sync` and `portal reindex`.

- Only one sync applies the outbox at a time, so the rows of one document are never applied out of order.
- No sync runs while a reindex builds and swaps: a change written to the old live index in the meantime
  would be replaced by the copy the rebuild read before it. Reindex applies the outbox itself after each swap.

PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) taken on a dedicated connection, never the
pooled Django one, so the lock cannot leak to another user of the pool; closing that connection releases
it, also when the process dies. Other databases (SQLite, one host): an exclusive `flock` on
`SEARCH_LOCK_PATH` (default `<data folder>/search.lock`), released when the file is closed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import connections

#: Advisory lock key (advisory locks are per database, so one constant is enough).
LOCK_KEY = 0x5EA4C4_0001


class SearchBusy(Exception):
    """Another sync or reindex holds the search lock."""


class _Holder(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class _PostgresLock:
    def __init__(self, alias: str) -> None:
        wrapper: Any = connections[alias]  # the PostgreSQL backend's (its driver module is `Database`)
        self.conn: Any = wrapper.Database.connect(**wrapper.get_connection_params())
        self.conn.autocommit = True

    def try_acquire(self) -> bool:
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            return bool(cursor.fetchone()[0])

    def release(self) -> None:
        self.conn.close()  # ends the session: the advisory lock goes with it


class _FileLock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file: IO[str] = path.open("a+")

    def try_acquire(self) -> bool:
        import fcntl

        try:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        self.file.close()  # closing the descriptor drops the flock


def lock_path() -> Path:
    return Path(getattr(settings, "SEARCH_LOCK_PATH", None) or Path(settings.DATA_DIR) / "search.lock")


def _holder(alias: str) -> _Holder:
    if connections[alias].vendor == "postgresql":
        return _PostgresLock(alias)
    return _FileLock(lock_path())


@contextmanager
def search_lock(*, wait: float = 0.0, poll: float = 0.2, alias: str = "default") -> Iterator[bool]:
    """Hold the search lock inside the block. Yields True when held; False when another process kept it for
    longer than `wait` seconds (the block then runs without it and must do nothing)."""
    holder = _holder(alias)
    try:
        deadline = time.monotonic() + wait
        acquired = holder.try_acquire()
        while not acquired and time.monotonic() < deadline:
            time.sleep(poll)
            acquired = holder.try_acquire()
        yield acquired
    finally:
        holder.release()
