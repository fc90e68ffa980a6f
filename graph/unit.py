"""One unit of work per thread hop.

The gateway runs outside Django's request handler, so each resolver's database work is one
sync function run in the gateway's own thread pools (`graph.threads`: writes of a mutation apart from
reads), with stale connections closed around it (Django's request_started/request_finished do this for
views; a gateway thread keeps its SQLite connection for the next unit, see `graph.threads.unit_connections`).
Domain refusals raised inside are turned into translated `GatewayError`s while the caller's language is
active; a lock wait the database gave up (`lock_timeout`, SQLite's "database is locked") becomes the typed
`TryAgain`, never an internal error.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.utils import translation
from strawberry.types import Info

from graph.context import GraphContext
from graph.errors import TryAgain, from_domain_error
from graph.threads import run_in_pool, unit_connections
from portal.core.errors import DomainError
from portal.core.locks import is_lock_timeout

P = ParamSpec("P")
T = TypeVar("T")


def _wrapped(context: GraphContext, fn: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(fn)
    def unit(*args: P.args, **kwargs: P.kwargs) -> T:
        with contextlib.nullcontext() if context.inline else unit_connections():
            with translation.override(context.language):
                try:
                    return fn(*args, **kwargs)
                except DomainError as error:
                    raise from_domain_error(error) from error
                except Exception as error:
                    if isinstance(error, DatabaseError | TimeoutError) or type(error).__name__ == "PoolTimeout":
                        if is_lock_timeout(error):
                            raise TryAgain() from error
                    raise

    return unit


async def run_unit(info: Info | GraphContext, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn(*args, **kwargs)` as one unit of work in a gateway worker thread (the write pool during a
    mutation)."""
    context: GraphContext = info if isinstance(info, GraphContext) else info.context
    unit = _wrapped(context, fn)
    if context.inline:
        # In-process tests and the partner workspace: back to the caller's thread, whose connection holds
        # the test transaction (or the page's request).
        return await sync_to_async(unit, thread_sensitive=True)(*args, **kwargs)
    return await run_in_pool("write" if context.writing else "read", unit, *args, **kwargs)
