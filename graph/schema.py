"""The gateway schema: per-domain queries and mutations merged, with limits and error masking.

Limits (settings.GRAPHQL_*): query depth, tokens, aliases; page size (see core.pagination);
introspection only with DEBUG; mutations rate-limited per viewer (see permissions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import strawberry
from django.conf import settings
from django.utils import translation
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graph.cases.mutations import CaseMutations
from graph.cases.queries import CaseQueries
from graph.core.viewer import ViewerQueries
from graph.errors import UNEXPECTED_MESSAGE, should_mask_error, typed_error
from graph.measures.mutations import MeasureMutations
from graph.measures.queries import MeasureQueries
from graph.partners.queries import PartnerQueries
from graph.territory.queries import TerritoryQueries

Query = merge_types("Query", (ViewerQueries, TerritoryQueries, PartnerQueries, MeasureQueries, CaseQueries))
Mutation = merge_types("Mutation", (MeasureMutations, CaseMutations))


class TranslatedMaskErrors(MaskErrors):
    """MaskErrors whose message follows the caller's language (rendered when the error is masked); every
    error that is shown gets a typed code and a translated message (`graph.errors.typed_error`): limits,
    syntax and validation errors of the document come from graphql-core and strawberry in English, untyped."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.message = str(UNEXPECTED_MESSAGE)
        masked.extensions = {"code": "internal_error"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self.anonymise_error(error) if self.should_mask_error(error) else typed_error(error)
                for error in errors]


class ActivateLanguage(SchemaExtension):
    """The caller's language (GraphContext.language) for the whole operation, so that messages raised
    outside a unit of work (limits, gates) are translated too."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        language = getattr(context, "language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            yield


def build_extensions(*, debug: bool | None = None) -> list[Callable[[], SchemaExtension]]:
    """Fresh extension instances per request; limits are read from settings each time."""
    debug = settings.DEBUG if debug is None else debug
    extensions: list[Callable[[], SchemaExtension]] = [
        ActivateLanguage,
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
        lambda: TranslatedMaskErrors(should_mask_error=should_mask_error),
    ]
    if not debug:
        extensions.append(DisableIntrospection)
    return extensions


class GatewaySchema(strawberry.Schema):
    """Logs only unexpected errors (with their traceback); refusals meant for the caller are not errors of
    the gateway."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [error for error in errors if should_mask_error(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(*, debug: bool | None = None) -> strawberry.Schema:
    return GatewaySchema(query=Query, mutation=Mutation, extensions=build_extensions(debug=debug))


schema = build_schema()
