"""The strawberry GraphQL ASGI app mounted at /graphql (the gateway)."""

from __future__ import annotations

from typing import Any

from strawberry.asgi import GraphQL


def create_graphql_app() -> Any:
    from django.conf import settings

    from graph.schema import schema

    return GraphQL(schema, graphql_ide="graphiql" if settings.DEBUG else None, allow_queries_via_get=False)
