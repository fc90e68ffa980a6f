"""The gateway schema: per-domain queries and mutations merged, with limits and error masking.

Limits (settings.GRAPHQL_*): tokens (while parsing); depth, aliases and cost measured in linear time
(graph.limits) before graphql-core's validation rules, all of it in the gateway's read pool, off the event
loop (`GatewayValidation`); page size (see core.pagination); introspection only with DEBUG; mutations
rate-limited per viewer (see permissions). Variables carrying a lone UTF-16 surrogate (not text any database
can store) are refused before anything runs, and a DateTime must be representable in UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import dateutil.parser
import strawberry
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graph.cases.mutations import CaseMutations
from graph.cases.queries import CaseQueries
from graph.context import GraphContext
from graph.core.execution import GatewayExecutionContext
from graph.core.viewer import ViewerQueries
from graph.errors import UNEXPECTED_MESSAGE, BadUserInput, should_mask_error, typed_error
from graph.limits import document_limit_errors
from graph.measures.mutations import MeasureMutations
from graph.measures.queries import MeasureQueries
from graph.partners.queries import PartnerQueries
from graph.reports.queries import ReportQueries
from graph.territory.queries import TerritoryQueries
from graph.threads import run_in_pool

Query = merge_types("Query", (ViewerQueries, TerritoryQueries, PartnerQueries, MeasureQueries, CaseQueries,
                             ReportQueries))
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

    def _process_result(self, result: object) -> None:
        # strawberry tests the result against a runtime-checkable Protocol, a slow isinstance on every answer
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


class ActivateLanguage(SchemaExtension):
    """The caller's language (GraphContext.language) for the whole operation, so that messages raised
    outside a unit of work (limits, gates) are translated too."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        language = getattr(context, "language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            yield


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_at(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_surrogate_at(key) or _surrogate_at(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_surrogate_at(item) for item in value)
    return False


def surrogate_errors(variables: dict[str, Any] | None) -> list[GraphQLError]:
    """A lone UTF-16 surrogate (e.g. JSON "\\ud800") is no text: refused naming the variable that carries it.
    (Inside the document itself graphql-core's lexer already refuses one as a syntax error.)"""
    for name, value in (variables or {}).items():
        if _surrogate_at(value):
            return [BadUserInput(_("The text contains an invalid character (a lone UTF-16 surrogate)."), field=name)]
    return []


#: How many documents found valid are remembered (by schema, rules and text; the least recently used go first).
VALID_DOCUMENTS_KEPT = 512
_valid_documents: OrderedDict[tuple[int, tuple[type[ASTValidationRule], ...], str], None] = OrderedDict()
_valid_lock = threading.Lock()


def rule_errors(schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...],
                query: str | None) -> list[GraphQLError]:
    """graphql-core's validation rules, run once per document text: their answer depends only on the schema,
    the rules and the document, and a client sends the same few documents again and again. Only valid documents
    are remembered (bounded), so a stream of distinct invalid ones costs what it always did."""
    key = (id(schema), rules, query or "")
    if query is not None:
        with _valid_lock:
            if key in _valid_documents:
                _valid_documents.move_to_end(key)
                return []
    errors = validate_document(schema, document, rules)
    if not errors and query is not None:
        with _valid_lock:
            _valid_documents[key] = None
            while len(_valid_documents) > VALID_DOCUMENTS_KEPT:
                _valid_documents.popitem(last=False)
    return errors


def known_valid(schema: GraphQLSchema, rules: tuple[type[ASTValidationRule], ...], query: str | None) -> bool:
    """Whether this document text was found valid before (`rule_errors` remembers it)."""
    if query is None:
        return False
    with _valid_lock:
        return (id(schema), rules, query) in _valid_documents


def validate_request(schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None,
                     rules: tuple[type[ASTValidationRule], ...], language: str, query: str | None = None
                     ) -> list[GraphQLError]:
    """Everything checked before execution, in order: the variables' text, the gateway's limits (linear,
    graph.limits), then graphql-core's validation rules (whose own cost the limits keep bounded)."""
    with translation.override(language):
        return (surrogate_errors(variables) or document_limit_errors(schema, document, variables)
                or rule_errors(schema, document, rules, query))


#: How many parsed documents are remembered (by text and token limit; the least recently used go first).
PARSED_DOCUMENTS_KEPT = 512
_parsed_documents: OrderedDict[tuple[str, int | None], DocumentNode] = OrderedDict()
_parsed_lock = threading.Lock()


class ParsedDocuments(SchemaExtension):
    """A document text parsed before is not parsed again (a client sends the same few documents again and again;
    parsing findOfficer's was about a tenth of its request's CPU). Only documents that parsed are remembered, after
    strawberry's own parse step: a parse error — the token limit's too — is raised and typed as without the cache
    (strawberry's ParserCache parses inside the hook, where an error skips that typing)."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        key = (execution.query or "", execution.parse_options.get("max_tokens"))
        with _parsed_lock:
            document = _parsed_documents.get(key)
            if document is not None:
                _parsed_documents.move_to_end(key)
        if document is not None and execution.graphql_document is None:
            execution.graphql_document = document
        yield
        if document is None and execution.query and execution.graphql_document is not None:
            with _parsed_lock:
                _parsed_documents[key] = execution.graphql_document
                while len(_parsed_documents) > PARSED_DOCUMENTS_KEPT:
                    _parsed_documents.popitem(last=False)


class GatewayValidation(SchemaExtension):
    """Validates the document in the gateway's read pool (graph.threads), never in the event loop: one slow
    document cannot hold up other requests. The validation rules are strawberry's classes, built once; the
    request only gets the tuple. Also marks a mutation's context so its units of work use the write pool."""

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        inline = isinstance(context, GraphContext) and context.inline
        if isinstance(context, GraphContext):
            context.writing = execution.operation_type is OperationType.MUTATION
        if execution.pre_execution_errors is None and execution.graphql_document is not None:
            operations = [d for d in execution.graphql_document.definitions if isinstance(d, OperationDefinitionNode)]
            # (strawberry keeps the operationName given by the caller in an InitVar: the private attribute)
            if len(operations) > 1 and not getattr(execution, "_provided_operation_name", None):
                with translation.override(getattr(context, "language", None) or settings.LANGUAGE_CODE):
                    execution.pre_execution_errors = [GraphQLError(
                        str(_("The document has several operations: give the operationName of the one to run.")),
                        extensions={"code": "graphql_validation",
                                    "detail": "Must provide operation name if query contains multiple operations."})]
                yield
                return
            language = getattr(context, "language", None) or settings.LANGUAGE_CODE
            rules = tuple(execution.validation_rules)
            work = functools.partial(validate_request, execution.schema._schema, execution.graphql_document,
                                     execution.variables, rules, language, execution.query)
            # A document found valid before has only the checks that are linear in its size left (the variables'
            # text and the limits) — a size the token limit, enforced while parsing in the event loop, bounds: no
            # thread hop for them. A new document is validated in the read pool.
            if inline or known_valid(execution.schema._schema, rules, execution.query):
                errors = work()
            else:
                errors = await run_in_pool("read", work)
            execution.pre_execution_errors = errors  # [] when valid: strawberry does not validate again
        yield


def _utc_representable(value: str) -> dt.datetime:
    """An ISO date-time that converts to UTC with any offset (years 1 and 9999 overflow at the edges)."""
    parsed = dateutil.parser.isoparse(value)
    naive = parsed.replace(tzinfo=None)
    if not dt.datetime(1, 1, 2) <= naive <= dt.datetime(9999, 12, 30):
        raise ValueError("out of the range a date-time can be stored in")
    return parsed


#: strawberry's DateTime scalar, refusing values that cannot be stored (converted to UTC) as bad input.
DateTime = dataclasses.replace(DateTimeDefinition, parse_value=wrap_parser(_utc_representable, "DateTime",
                                                                           exceptions=(ValueError, OverflowError)))


def build_extensions(*, debug: bool | None = None) -> list[Callable[[], SchemaExtension]]:
    """Fresh extension instances per request (strawberry's rule); limits are read from settings each time."""
    debug = settings.DEBUG if debug is None else debug
    extensions: list[Callable[[], SchemaExtension]] = [
        ActivateLanguage,
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        # Not strawberry's ParserCache: a parse error raised from its hook skips the gateway's error typing (the
        # token limit's «The query is too long» would come back untyped); ParsedDocuments parses in strawberry's step.
        ParsedDocuments,
        GatewayValidation,
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
    return GatewaySchema(query=Query, mutation=Mutation, extensions=build_extensions(debug=debug),
                         scalar_overrides={dt.datetime: DateTime}, execution_context_class=GatewayExecutionContext)


schema = build_schema()
