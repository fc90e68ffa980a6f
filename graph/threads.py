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
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

P = ParamSpec("P")
T = TypeVar("T")

_pools: dict[str, tuple[int, ThreadPoolExecutor]] = {}
_lock = threading.Lock()


def pool(kind: str) -> ThreadPoolExecutor:
    """The executor of `kind` ("read" or "write"), sized from GRAPHQL_READ_THREADS / GRAPHQL_WRITE_THREADS."""
    size = max(1, int(getattr(settings, f"GRAPHQL_{kind.upper()}_THREADS")))
    with _lock:
        current = _pools.get(kind)
        if current is not None and current[0] == size:
            return current[1]
        executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"gateway-{kind}")
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
