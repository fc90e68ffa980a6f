"""The gateway's own bounded worker threads.

Every blocking step of a `/graphql` request (token verification, validation of the document, each unit of
database work) runs in one of two thread pools owned by the gateway, never in the event loop and never in the
process-wide default executor shared with Django and the probes:

- reads (queries, token verification, validation): `GRAPHQL_READ_THREADS` threads;
- writes (every unit of work of a mutation): `GRAPHQL_WRITE_THREADS` threads.

Writes are the requests that wait on row locks; with their own pool they can never take all the threads, so
an unrelated read is answered while writes queue behind a held lock (each of which ends at the database's
`lock_timeout` with a "try again" answer, see `graph.errors.TryAgain`). The pools are sized from settings when
first used, and built anew when the settings change (tests).

Database connections around a unit of work (`unit_connections`): Django's `CONN_MAX_AGE` is 0, so everywhere else a
connection lives for one request. In a gateway thread a SQLite connection is kept for the next unit instead
(opening one, with the WAL pragmas and the functions Django registers, cost most of a small query's CPU): the
threads are few and long-lived, so the connections are bounded by GRAPHQL_READ_THREADS + GRAPHQL_WRITE_THREADS
per process, and each is closed when its thread ends. A kept connection is dropped as soon as it is not clean (a
database error, a transaction left open, autocommit off), older than GRAPHQL_KEEP_CONNECTION_SECONDS, or its
database file was replaced (another inode under the configured name: it would keep reading the old file).
A restore through SQLite's backup API writes into the same file, which every open connection sees.
PostgreSQL connections are not kept: its connections come from the psycopg pool (a check-out per unit), whose
size bounds them; without the pool they are opened per unit as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections
from django.utils import translation

P = ParamSpec("P")
T = TypeVar("T")

_pools: dict[str, tuple[int, ThreadPoolExecutor]] = {}
_lock = threading.Lock()
_thread = threading.local()


class _KeptConnections:
    """The connections a gateway thread keeps between units, closed when the thread ends (its thread-local
    storage is dropped in the ending thread itself, so Django's check of the owning thread passes)."""

    def __init__(self) -> None:
        #: alias -> (wrapper, identity of the database file when it was kept, monotonic time to close at)
        self.kept: dict[str, tuple[Any, tuple[int, int] | None, float]] = {}

    def __del__(self) -> None:
        for wrapper, _, _ in self.kept.values():
            with contextlib.suppress(Exception):
                wrapper.close()


def _gateway_thread_started() -> None:
    _thread.kept = _KeptConnections()


def pool(kind: str) -> ThreadPoolExecutor:
    """The executor of `kind` ("read" or "write"), sized from GRAPHQL_READ_THREADS / GRAPHQL_WRITE_THREADS."""
    size = max(1, int(getattr(settings, f"GRAPHQL_{kind.upper()}_THREADS")))
    with _lock:
        current = _pools.get(kind)
        if current is not None and current[0] == size:
            return current[1]
        executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"gateway-{kind}",
                                      initializer=_gateway_thread_started)
        _pools[kind] = (size, executor)
    if current is not None:
        current[1].shutdown(wait=False)  # running work finishes; new work goes to the resized pool
    return executor


def _in_language(language: str | None, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if language is None:
        return fn(*args, **kwargs)
    with translation.override(language):
        return fn(*args, **kwargs)


async def run_in_pool(kind: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn` in the gateway's `kind` pool with the caller's context variables (request id) and active
    language (Django keeps it in an asgiref Local, which a copied context does not carry into another thread)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    language = translation.get_language()

    def call() -> T:
        return _in_language(language, fn, *args, **kwargs)

    return await loop.run_in_executor(pool(kind), context.run, call)


def _file_identity(wrapper: Any) -> tuple[int, int] | None:
    """(device, inode) of a SQLite database file; None for an in-memory database or a missing file."""
    if wrapper.is_in_memory_db():
        return None
    try:
        stat = os.stat(wrapper.settings_dict["NAME"])
    except (OSError, TypeError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def _clean(wrapper: Any) -> bool:
    """Nothing of the unit is left on the connection: no error, no transaction, autocommit as configured."""
    return (not wrapper.errors_occurred and not wrapper.in_atomic_block and not wrapper.needs_rollback
            and wrapper.get_autocommit() == wrapper.settings_dict["AUTOCOMMIT"])


def _begin(kept: _KeptConnections | None) -> None:
    for wrapper in connections.all(initialized_only=True):
        held = kept.kept.get(wrapper.alias) if kept is not None else None
        if held is not None and held[0] is wrapper and wrapper.connection is not None:
            if time.monotonic() < held[2] and _file_identity(wrapper) == held[1]:
                continue  # the same file, young enough: the unit reuses it
            del kept.kept[wrapper.alias]  # type: ignore[union-attr]
            wrapper.close()
            continue
        wrapper.close_if_unusable_or_obsolete()


def _end(kept: _KeptConnections | None) -> None:
    keep_for = float(getattr(settings, "GRAPHQL_KEEP_CONNECTION_SECONDS", 0))
    for wrapper in connections.all(initialized_only=True):
        if (kept is not None and keep_for > 0 and wrapper.vendor == "sqlite" and wrapper.connection is not None
                and _clean(wrapper)):
            held = kept.kept.get(wrapper.alias)
            if held is None or held[0] is not wrapper:
                kept.kept[wrapper.alias] = (wrapper, _file_identity(wrapper), time.monotonic() + keep_for)
            continue
        if kept is not None:
            kept.kept.pop(wrapper.alias, None)
        wrapper.close_if_unusable_or_obsolete()


@contextlib.contextmanager
def unit_connections() -> Iterator[None]:
    """Database connections around one unit of work: stale ones closed before and after, as Django's
    request_started/request_finished do for a view, except the SQLite connection a gateway thread keeps for its
    next unit (see the module's docstring). Outside the gateway's pools this is `close_old_connections()`."""
    kept: _KeptConnections | None = getattr(_thread, "kept", None)
    _begin(kept)
    try:
        yield
    finally:
        _end(kept)
