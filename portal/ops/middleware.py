"""Request context, access log and metrics for every request (ASGI), and the Django part that
names the route and the viewer.

`RequestContextMiddleware` wraps the whole ASGI app (portal.asgi): it takes the request id from
`X-Request-ID` (or makes one), returns it in the response, times the request and writes one
`portal.access` log line (method, route, status, duration, viewer pseudonym, GraphQL operation —
never the path's query string, which can hold a searched address) and the request metrics.
`DjangoRouteMiddleware` (in settings.MIDDLEWARE) fills in the Django route pattern and the viewer.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.ops import metrics
from portal.ops.context import RequestInfo, _current, current, request_id_from_header, set_viewer

access_logger = logging.getLogger("portal.access")

GRAPHQL_PATHS = {"/graphql", "/graphql/"}
MAX_CAPTURED_BODY = 256 * 1024
_OPERATION_IN_QUERY = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")

#: Routes served by Starlette itself (before Django): path prefix → label.
STARLETTE_ROUTES = (
    ("/graphql", "/graphql"),
    ("/healthz", "/healthz"),
    ("/readyz", "/readyz"),
    ("/metrics", "/metrics"),
    ("/realms/", "/realms/*"),
    ("/static/", "/static/*"),
)


def _starlette_route(path: str) -> str:
    for prefix, label in STARLETTE_ROUTES:
        if path == prefix or path == prefix.rstrip("/") + "/" or (prefix.endswith("/") and path.startswith(prefix)):
            return label
    return ""


def graphql_operation_name(body: bytes) -> str:
    """The operation name of a GraphQL POST body: `operationName`, else the first named operation."""
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deeply nested JSON
        return "invalid"
    if isinstance(payload, list):
        return "batch"
    if not isinstance(payload, dict):
        return "invalid"
    name = payload.get("operationName")
    if isinstance(name, str) and name:
        return metrics.operation_label(name)
    query = payload.get("query")
    if isinstance(query, str):
        match = _OPERATION_IN_QUERY.match(query)
        if match:
            return metrics.operation_label(match.group(1))
    return "anonymous"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                header = value.decode("latin-1")
                break
        path: str = scope.get("path", "")
        info = RequestInfo(request_id=request_id_from_header(header), method=scope.get("method", ""),
                           route=_starlette_route(path))
        token = _current.set(info)
        started = time.perf_counter()
        status = 500
        is_graphql = path in GRAPHQL_PATHS and scope.get("method") == "POST"
        body = bytearray()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", info.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < MAX_CAPTURED_BODY:
                body.extend(message.get("body", b"")[: MAX_CAPTURED_BODY - len(body)])
            return message

        try:
            await self.app(scope, receive_and_keep if is_graphql else receive, capture)
        finally:
            seconds = time.perf_counter() - started
            try:
                self._record(scope, info, status, seconds, bytes(body) if is_graphql else None)
            finally:
                _current.reset(token)

    @staticmethod
    def _record(scope: Scope, info: RequestInfo, status: int, seconds: float, graphql_body: bytes | None) -> None:
        if graphql_body is not None:
            info.graphql_operation = graphql_operation_name(graphql_body)
            if not info.viewer and status != 401:
                set_viewer(_accepted_token_subject(scope))
            metrics.observe_graphql(operation=info.graphql_operation, status="ok" if status == 200 else str(status),
                                    seconds=seconds)
        route = info.route or "unmatched"
        metrics.observe_http(route=route, method=info.method, status=status, seconds=seconds)
        fields: dict[str, Any] = {"request_id": info.request_id, "method": info.method, "route": route,
                                  "status": status, "duration_ms": round(seconds * 1000, 1)}
        if info.viewer:
            fields["viewer"] = info.viewer
        if info.graphql_operation:
            fields["graphql_operation"] = info.graphql_operation
        access_logger.info("request", extra=fields)


def _accepted_token_subject(scope: Scope) -> str | None:
    """The `sub` of the request's bearer token — read only after the gateway answered something other than
    401, i.e. after it verified the token's signature, issuer, audience and expiry."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or token.count(".") != 2:
                return None
            payload = token.split(".")[1]
            try:
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            except (ValueError, UnicodeDecodeError):
                return None
            subject = claims.get("sub") if isinstance(claims, dict) else None
            return subject if isinstance(subject, str) else None
    return None


def _django_route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    if match.url_name == "wagtail_serve":
        return "wagtail_page"
    route = match.route or match.view_name or "unmatched"
    return "/" + route.lstrip("^/").rstrip("$")


class DjangoRouteMiddleware:
    """Names the Django route (URL pattern, never the filled-in path) and the signed-in viewer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        info = current()
        if info is not None:
            info.route = _django_route(request)
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                # The SSO subject when the profile is already loaded (no extra query), else the user id.
                state = getattr(user, "_state", None)
                profile = state.fields_cache.get("staff_profile") if state is not None else None
                subject = getattr(profile, "subject", "") or f"user:{user.pk}"
                set_viewer(subject)
        return response
