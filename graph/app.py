"""The strawberry GraphQL ASGI app mounted at /graphql (the gateway).

Before GraphQL runs, the bearer token is verified into a Viewer (in a worker thread: it may fetch
the realm's key set and read the database). A rejected token is answered with HTTP 401 and a JSON
error carrying the reason; no Authorization header means an anonymous viewer.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.context import GraphContext, TokenError, bearer_token, request_language, viewer_from_token
from portal.core.viewer import Viewer

logger = logging.getLogger("graph")


def _verify(token: str | None) -> Viewer:
    close_old_connections()
    try:
        return viewer_from_token(token)
    finally:
        close_old_connections()


class GatewayApp(GraphQL):
    """strawberry's ASGI app with the Viewer resolved from the bearer token first."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions over websockets
            websocket = WebSocket(scope, receive=receive, send=send)
            await websocket.close(code=4403)
            return
        request = Request(scope=scope, receive=receive)
        language = request_language(request.headers, dict(request.cookies))
        with translation.override(language):
            token = bearer_token(request.headers)
            try:
                viewer = await sync_to_async(_verify, thread_sensitive=False)(token) if token is not None \
                    else Viewer.anonymous()
            except TokenError as error:
                logger.info("gateway: token refused (%s)", error.reason)
                reason = re.sub(r"[^A-Za-z0-9_.-]", "", error.reason)[:64] or "invalid_token"
                response: Response = JSONResponse(
                    {"errors": [{"message": error.message,
                                 "extensions": {"code": "unauthenticated", "reason": reason}}]},
                    status_code=401, headers={"WWW-Authenticate": f'Bearer error="invalid_token", '
                                                                  f'error_description="{reason}"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["graph_viewer"] = viewer
            scope["state"]["graph_language"] = language
            await super().__call__(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> GraphContext:  # type: ignore[override]
        state = request.scope.get("state", {})
        client = request.client.host if request.client else ""
        return GraphContext(viewer=state.get("graph_viewer") or Viewer.anonymous(),
                            language=state.get("graph_language") or settings.LANGUAGE_CODE,
                            request=request, response=response, client=client)


def create_graphql_app() -> GatewayApp:
    from graph.schema import schema

    return GatewayApp(schema, graphql_ide="graphiql" if settings.DEBUG else None, allow_queries_via_get=False,
                      multipart_uploads_enabled=False)
