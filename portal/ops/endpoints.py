"""`/metrics` (Prometheus): only for the internal network (settings.INTERNAL_NETWORKS) or with
`Authorization: Bearer <METRICS_TOKEN>`."""

from __future__ import annotations

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.core.network import bearer_matches, is_internal
from portal.ops.metrics import render


def metrics_allowed(request: Request) -> bool:
    client = request.client.host if request.client else None
    return is_internal(client) or bearer_matches(request.headers.get("authorization"),
                                                 getattr(settings, "METRICS_TOKEN", ""))


async def metrics_endpoint(request: Request) -> Response:
    if not metrics_allowed(request):
        return PlainTextResponse("Forbidden", status_code=403)
    return Response(await run_in_threadpool(render), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
