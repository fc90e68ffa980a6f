"""Thin views of the CMS app: street suggestions for the officer finder, the headless endpoint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from cms.finder import MAX_SUGGESTIONS, answer_as_json, find_officer, suggest_streets
from cms.graphql_limits import LimitedGraphQLView, validation_rules
from portal.territory.selectors import MAX_ADDRESS_LENGTH, clean_address


@require_GET
@cache_control(public=True, max_age=60)
def street_suggestions(request: HttpRequest) -> JsonResponse:
    """``GET /cms/api/streets?q=лен`` → ``{"query": ..., "results": [{id, label, value, district}]}``."""
    query = clean_address(request.GET.get("q"), max_length=MAX_ADDRESS_LENGTH)
    try:
        limit = int(request.GET.get("limit") or MAX_SUGGESTIONS)
    except ValueError:
        limit = MAX_SUGGESTIONS
    return JsonResponse({"query": query, "results": suggest_streets(query, limit=limit)},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def find_officer_json(request: HttpRequest) -> JsonResponse:
    """``GET /cms/api/officer?address=...``: the same answer as the finder page, as JSON."""
    answer = find_officer(request.GET.get("address") or "")
    return JsonResponse(answer_as_json(answer, absolute=request.build_absolute_uri),
                        json_dumps_params={"ensure_ascii": False})


def graphql_view() -> Any:
    """Read-only headless endpoint over grapple's schema; GraphiQL only in development. Queries deeper
    than GRAPHQL_MAX_DEPTH, with more than GRAPHQL_MAX_ALIASES aliases or GRAPHQL_MAX_TOKENS tokens are refused
    (cms.graphql_limits)."""
    from grapple.schema import schema

    return csrf_exempt(LimitedGraphQLView.as_view(schema=schema, graphiql=settings.DEBUG,
                                                  validation_rules=validation_rules()))
