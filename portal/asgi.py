"""The one ASGI application: Starlette routes the gateway, probes and the development
realm itself and hands everything else to Django/Wagtail.

Django's ASGI handler is created first (`get_asgi_application()` runs `django.setup()`),
and only then are modules that import models loaded.
"""

from __future__ import annotations

import os
from typing import cast

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.core.asgi import get_asgi_application

django_app = get_asgi_application()

from collections.abc import Callable  # noqa: E402
from concurrent.futures import Future, ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

from asgiref.sync import ThreadSensitiveContext  # noqa: E402
from starlette.types import Receive, Scope, Send  # noqa: E402


class _OneThread(ThreadPoolExecutor):
    """One worker thread; knows whether the last work handed to it has finished (work runs in order)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="django")
        self.last: Future[Any] | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.last = super().submit(fn, *args, **kwargs)
        return self.last

    @property
    def idle(self) -> bool:
        return self.last is None or self.last.done()


class KeptThreads:
    """Django's ASGI handler with each request's synchronous part (middleware, view) on a thread kept for the
    process: left alone, Django enters a fresh `ThreadSensitiveContext` per request, so asgiref starts a new
    thread for every request and joins it at the end — 1–2.5 ms of a cached public page's 3 ms in one process on
    this machine (issue 18). As before, one request at a time per thread and requests in parallel on different
    threads; an idle thread is reused, a new one started when all are busy, and at most `keep` idle ones kept."""

    def __init__(self, app: ASGIApp, keep: int = 32) -> None:
        self.app = app
        self.keep = keep
        self._idle: list[_OneThread] = []  # touched by the event loop's thread only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        executor = self._idle.pop() if self._idle else _OneThread()
        try:
            # The outermost context decides: Django's own ThreadSensitiveContext inside it uses this executor.
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            # A thread still busy (a request given up half-way: its synchronous part cannot be stopped) is not
            # handed to the next request; it ends once its work is done.
            if executor.idle and len(self._idle) < self.keep:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)

from django.conf import settings  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse  # noqa: E402
from starlette.routing import BaseRoute, Mount, Route  # noqa: E402
from starlette.types import ASGIApp  # noqa: E402

from graph.app import create_graphql_app  # noqa: E402
from portal.headers import SecurityHeadersMiddleware  # noqa: E402
from portal.health import readiness, readiness_details_allowed  # noqa: E402
from portal.ops.endpoints import metrics_endpoint  # noqa: E402
from portal.ops.middleware import RequestContextMiddleware  # noqa: E402


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _readiness() -> tuple[bool, dict]:
    close_old_connections()
    try:
        return readiness()
    finally:
        close_old_connections()


async def readyz(request: Request) -> JSONResponse:
    """Details (database vendor, search backlog, identity provider…) for the internal network or an operator
    with READYZ_TOKEN; everyone else gets the overall status only (same HTTP status code)."""
    ready, report = await run_in_threadpool(_readiness)
    if not readiness_details_allowed(request.client.host if request.client else None,
                                     request.headers.get("authorization")):
        report = {"status": report["status"]}
    return JSONResponse(report, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


def build_routes() -> list[BaseRoute]:
    graphql = create_graphql_app()
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        # Every method reaches the gateway, which answers 405 itself for those other than GET and POST.
        Route("/graphql", graphql),
        Route("/graphql/", graphql),
    ]
    if settings.DEVREALM_ENABLED:
        from identity.devrealm.app import create_devrealm_app  # the development realm only where enabled

        routes.append(Mount(f"/realms/{settings.KEYCLOAK_REALM}", app=create_devrealm_app()))
    # Django's handlers are ASGI 3 apps; their stubs spell the scope as a dict where Starlette wants a mapping.
    if settings.DEBUG:
        # Development: Django's finders serve app static files (no collectstatic needed).
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        routes.append(Mount("/", app=KeptThreads(cast(ASGIApp, ASGIStaticFilesHandler(django_app)))))
    else:
        from starlette.staticfiles import StaticFiles

        routes.append(Mount(settings.STATIC_URL.rstrip("/"), app=StaticFiles(directory=settings.STATIC_ROOT,
                                                                              check_dir=False)))
        routes.append(Mount("/", app=KeptThreads(cast(ASGIApp, django_app))))
    return routes


# Request id, access log and metrics around everything (portal.ops.middleware); the security headers on every
# response, Starlette's own routes included (portal.headers).
app = SecurityHeadersMiddleware(RequestContextMiddleware(Starlette(routes=build_routes())))
