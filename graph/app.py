"""The gateway's ASGI app mounted at /graphql: GraphQL over HTTP (graph.http) around the strawberry schema.

Before GraphQL runs, the bearer token is verified into a Viewer (in the gateway's read pool: it may fetch
the realm's key set and read the database). A rejected token is answered with HTTP 401 and a JSON
error carrying the reason; no Authorization header means an anonymous viewer.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph.context import GraphContext, TokenError, bearer_token, known_viewer, request_language, viewer_from_token
from graph.errors import typed_error
from graph.graphiql import graphiql_html
from graph.http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    RequestError,
    check_content_type,
    from_body,
    from_query_string,
    max_body_bytes,
    negotiate,
)
from graph.schema import schema
from graph.threads import run_in_pool, unit_connections
from portal.core.viewer import Viewer

logger = logging.getLogger("graph")


def _verify(token: str | None) -> Viewer:
    with unit_connections():
        return viewer_from_token(token)


def _json_response(body: dict[str, Any], *, status: int, media: str, headers: dict[str, str] | None = None
                   ) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                    status_code=status, headers=headers, media_type=f"{media}; charset=utf-8")


async def _read_body(request: Request) -> bytes:
    """The body, refused with 413 past GRAPHQL_MAX_BODY_BYTES (read no further than that)."""
    limit = max_body_bytes()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestError(413, "payload_too_large", _("The request is too large: at most %(limit)s bytes.")
                           % {"limit": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, "payload_too_large", _("The request is too large: at most %(limit)s bytes.")
                               % {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _is_request_error(result: ExecutionResult) -> bool:
    """No data because the operation was never executed: parse, validation, limit or variable errors (which
    carry no path), as opposed to a field error that nulled the whole result."""
    return result.data is None and bool(result.errors) and all(error.path is None for error in result.errors or [])


class GatewayApp:
    """The /graphql endpoint (see graph.http for the protocol rules)."""

    def __init__(self, schema: Any, *, graphql_ide: str | None = None) -> None:
        self.schema = schema
        self.graphql_ide = graphql_ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions over websockets
            websocket = WebSocket(scope, receive=receive, send=send)
            await websocket.close(code=4403)
            return
        request = Request(scope=scope, receive=receive)
        language = request_language(request.headers, dict(request.cookies))
        with translation.override(language):
            response = await self.handle(request, language)
        await response(scope, receive, send)

    def _ide_html(self) -> str:
        return graphiql_html(title="GraphQL gateway — GraphiQL", endpoint="/graphql")

    async def handle(self, request: Request, language: str) -> Response:
        method = request.method
        accept = request.headers.get("accept")
        if method == "GET" and "query" not in request.query_params and self.graphql_ide \
                and "text/html" in (accept or ""):
            return HTMLResponse(self._ide_html())
        media = negotiate(accept)
        if media is None:
            return _json_response(RequestError(406, "not_acceptable", _(
                "The response is available as application/graphql-response+json or application/json only."
            )).as_body(), status=406, media=JSON)
        if method not in ("GET", "POST"):
            error = RequestError(405, "method_not_allowed", _("Use GET (queries only) or POST."),
                                 headers={"Allow": "GET, POST"})
            return _json_response(error.as_body(), status=405, media=media, headers=error.headers)
        token = bearer_token(request.headers)
        try:
            viewer = known_viewer(token)  # a token verified shortly before: no thread hop
            if viewer is None:
                viewer = await run_in_pool("read", _verify, token) if token is not None else Viewer.anonymous()
        except TokenError as refused:
            logger.info("gateway: token refused (%s)", refused.reason)
            reason = re.sub(r"[^A-Za-z0-9_.-]", "", refused.reason)[:64] or "invalid_token"
            return _json_response(
                {"errors": [{"message": refused.message, "extensions": {"code": "unauthenticated", "reason": reason}}]},
                status=401, media=media,
                headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{reason}"'})
        try:
            if method == "GET":
                graphql_request = from_query_string(request.query_params)
            else:
                check_content_type(request.headers.get("content-type"))
                graphql_request = from_body(await _read_body(request))
        except RequestError as error:
            return _json_response(error.as_body(), status=error.status, media=media, headers=error.headers)
        client = request.client.host if request.client else ""
        context = GraphContext(viewer=viewer, language=language, request=request, client=client)
        allowed = {OperationType.QUERY} if method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        try:
            result = await self.schema.execute(
                graphql_request.query, variable_values=graphql_request.variables, context_value=context,
                operation_name=graphql_request.operation_name, allowed_operation_types=allowed,
                operation_extensions=graphql_request.extensions)
        except InvalidOperationTypeError as error:
            if method == "GET" and error.operation_type is OperationType.MUTATION:
                not_allowed = RequestError(405, "method_not_allowed", _("Mutations must be sent with POST."),
                                           headers={"Allow": "POST"})
                return _json_response(not_allowed.as_body(), status=405, media=media, headers=not_allowed.headers)
            result = ExecutionResult(data=None, errors=[GraphQLError(
                _("Only queries and mutations are supported."), extensions={"code": "graphql_validation"})])
        except CannotGetOperationTypeError as error:
            detail = error.as_http_error_reason()
            result = ExecutionResult(data=None, errors=[GraphQLError(
                _("The operation to run cannot be determined: give an existing operationName."),
                extensions={"code": "graphql_validation", "detail": detail})])
        return self._result_response(result, media)

    def _result_response(self, result: ExecutionResult, media: str) -> Response:
        errors = [typed_error(error).formatted for error in result.errors or []]
        request_error = _is_request_error(result)
        body: dict[str, Any] = {}
        if not (request_error and media == GRAPHQL_RESPONSE_JSON):
            body["data"] = result.data
        if errors:
            body["errors"] = errors
        if result.extensions:
            body["extensions"] = result.extensions
        status = 200
        if request_error and media == GRAPHQL_RESPONSE_JSON:  # never executed: the request's fault, or ours
            internal = any((error.get("extensions") or {}).get("code") == "internal_error" for error in errors)
            status = 500 if internal else 400
        return _json_response(body, status=status, media=media)


def create_graphql_app() -> GatewayApp:
    return GatewayApp(schema, graphql_ide="graphiql" if settings.DEBUG else None)
