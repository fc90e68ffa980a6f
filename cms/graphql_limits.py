"""Validation rules that bound the cost of a query to the public headless endpoint (/cms/graphql).

Both limits read the settings at validation time: GRAPHQL_MAX_DEPTH (nesting of fields, fragments
expanded) and GRAPHQL_MAX_ALIASES (aliased fields in one operation, fragments counted at each use). Both are
measured with each fragment walked once (memoised), so nested fragment spreads cost time linear in the
document. Before validation, `LimitedGraphQLView` refuses documents of more than GRAPHQL_MAX_TOKENS tokens:
graphql-core's OverlappingFieldsCanBeMergedRule is quadratic in repeated fields (220 kB of `__typename`
took 4 s), so the document's size is bounded as on the gateway.
Introspection fields (``__schema``, ``__type``) are not counted, so GraphiQL keeps working in
development. A refused query gets a clear error with a stable ``extensions.code``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from graphene_django.views import GraphQLView
from graphql import ExecutionResult, GraphQLError, GraphQLSyntaxError, ValidationRule, parse, specified_rules
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

DEPTH_CODE = "QUERY_TOO_DEEP"
ALIASES_CODE = "TOO_MANY_ALIASES"
TOKENS_CODE = "QUERY_TOO_LONG"


class _Walker:
    """Depth and alias count of selection sets, with fragments expanded (cycles cut, results memoised)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self._depth: dict[str, int] = {}
        self._aliases: dict[str, int] = {}

    def _fragment(self, name: str, memo: dict[str, int], measure: Any, active: frozenset[str]) -> int:
        if name in active or name not in self.fragments:
            return 0  # a cycle (reported by NoFragmentCyclesRule) or an unknown fragment (KnownFragmentNames)
        if name not in memo:
            memo[name] = measure(self.fragments[name].selection_set, active | {name})
        return memo[name]

    def depth(self, selections: SelectionSetNode | None, active: frozenset[str] = frozenset()) -> int:
        deepest = 0
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(node.selection_set, active))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, self.depth(node.selection_set, active))
            elif isinstance(node, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(node.name.value, self._depth, self.depth, active))
        return deepest

    def aliases(self, selections: SelectionSetNode | None, active: frozenset[str] = frozenset()) -> int:
        count = 0
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                count += (1 if node.alias else 0) + self.aliases(node.selection_set, active)
            elif isinstance(node, InlineFragmentNode):
                count += self.aliases(node.selection_set, active)
            elif isinstance(node, FragmentSpreadNode):
                count += self._fragment(node.name.value, self._aliases, self.aliases, active)
        return count


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


class MaxDepthRule(ValidationRule):
    """Refuses operations nested deeper than GRAPHQL_MAX_DEPTH fields."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        limit = int(settings.GRAPHQL_MAX_DEPTH)
        walker = _Walker(context.document)
        for operation in _operations(context.document):
            depth = walker.depth(operation.selection_set)
            if depth > limit:
                context.report_error(GraphQLError(
                    gettext("The query is too deep: %(depth)d levels of fields, at most %(limit)d are allowed.")
                    % {"depth": depth, "limit": limit}, operation, extensions={"code": DEPTH_CODE}))


class MaxAliasesRule(ValidationRule):
    """Refuses operations with more than GRAPHQL_MAX_ALIASES aliased fields."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        limit = int(settings.GRAPHQL_MAX_ALIASES)
        walker = _Walker(context.document)
        for operation in _operations(context.document):
            count = walker.aliases(operation.selection_set)
            if count > limit:
                context.report_error(GraphQLError(
                    gettext("The query uses too many aliases: %(count)d, at most %(limit)d are allowed.")
                    % {"count": count, "limit": limit}, operation, extensions={"code": ALIASES_CODE}))


def validation_rules() -> list[type[ValidationRule]]:
    """graphql-core's standard rules plus the limits (the view replaces the defaults with this list)."""
    return [*specified_rules, MaxDepthRule, MaxAliasesRule]


class LimitedGraphQLView(GraphQLView):
    """graphene-django's view with the document's size bounded (GRAPHQL_MAX_TOKENS) before it is validated."""

    def execute_graphql_request(self, request: Any, data: Any, query: Any, variables: Any, operation_name: Any,
                                show_graphiql: bool = False) -> Any:
        if isinstance(query, str) and query:
            limit = int(settings.GRAPHQL_MAX_TOKENS)
            try:
                parse(query, max_tokens=limit)
            except GraphQLSyntaxError as error:
                if error.message.startswith("Syntax Error: Document contains more than"):
                    return ExecutionResult(data=None, errors=[GraphQLError(
                        gettext("The query is too long: at most %(limit)d tokens are allowed.") % {"limit": limit},
                        extensions={"code": TOKENS_CODE})])
        return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
