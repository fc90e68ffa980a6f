"""Limits of a GraphQL document, measured in time linear in its size, before graphql-core validates it.

One walk over each operation measures, with fragments expanded:

- depth: nesting of fields (`{ a { b } }` is depth 1, as strawberry's QueryDepthLimiter counted it) —
  GRAPHQL_MAX_DEPTH;
- aliases: aliased fields, a fragment's counted at each use — GRAPHQL_MAX_ALIASES;
- cost: every field costs 1, and what is selected under a list is multiplied by the list's length: the
  `first`/`last`/`limit` argument of the field (or of the connection the list belongs to, for `nodes` and
  `edges`) capped at GRAPHQL_MAX_PAGE_SIZE, its default page size when not given, and
  GRAPHQL_COST_LIST_SIZE for lists without paging — GRAPHQL_MAX_COST.

Each fragment is measured once per page size it is used under and the result memoised, so a document of
nested fragment spreads (`fragment F0 on Query { ...F1 ...F1 } fragment F1 …`, which expands to 2^n fields)
is measured in a number of steps proportional to its length, not to its expansion. Fragment cycles are cut
(graphql-core's NoFragmentCyclesRule reports them). The steps are counted (`DocumentLimits.work`) and bounded
by GRAPHQL_VALIDATION_BUDGET: a document needing more is refused before anything else looks at it.

A document over a limit is refused with `query_too_complex` (and `extensions.limit`) before graphql-core's own
validation rules run, so that their cost also stays bounded by these limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.language import DocumentNode
from graphql.pyutils import Undefined

from graph.core.pagination import DEFAULT_PAGE_SIZE

#: Arguments that give the length of the list a field returns (or of its connection's `nodes`/`edges`).
PAGE_ARGUMENTS = ("first", "last", "limit")
#: Numbers saturate here (a fragment bomb's alias count would otherwise grow as 2^n).
_CAP = 10**15


class BudgetExceeded(Exception):
    """The walk needed more steps than GRAPHQL_VALIDATION_BUDGET."""


@dataclass(frozen=True)
class Measures:
    depth: int
    aliases: int
    cost: int


def _add(a: int, b: int) -> int:
    return min(a + b, _CAP)


def _mul(a: int, b: int) -> int:
    return min(a * b, _CAP)


class DocumentLimits:
    """Depth, aliases and cost of the operations of one document (see the module docstring)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None = None, *,
                 budget: int | None = None, max_page: int | None = None, default_page: int | None = None,
                 list_size: int | None = None) -> None:
        self.schema = schema
        self.document = document
        self.variables = variables if isinstance(variables, dict) else {}
        self.budget = int(settings.GRAPHQL_VALIDATION_BUDGET if budget is None else budget)
        self.max_page = int(settings.GRAPHQL_MAX_PAGE_SIZE if max_page is None else max_page)
        self.default_page = DEFAULT_PAGE_SIZE if default_page is None else default_page
        self.list_size = int(settings.GRAPHQL_COST_LIST_SIZE if list_size is None else list_size)
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.work = 0
        self._memo: dict[tuple[str, int | None], Measures] = {}
        self._active: set[str] = set()

    # --- the walk -----------------------------------------------------------------------------------------------

    def _step(self) -> None:
        self.work += 1
        if self.work > self.budget:
            raise BudgetExceeded

    def operation(self, operation: OperationDefinitionNode) -> Measures:
        root = self.schema.get_root_type(operation.operation)
        return self._selections(operation.selection_set, root, None)

    def _selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None,
                    page: int | None) -> Measures:
        depth = aliases = cost = 0
        for node in selection_set.selections if selection_set else ():
            self._step()
            if isinstance(node, FieldNode):
                measured = self._field(node, parent, page)
            elif isinstance(node, InlineFragmentNode):
                condition = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                measured = self._selections(node.selection_set, condition, page)
            elif isinstance(node, FragmentSpreadNode):
                measured = self._fragment(node.name.value, page)
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            depth = max(depth, measured.depth)
            aliases = _add(aliases, measured.aliases)
            cost = _add(cost, measured.cost)
        return Measures(depth, aliases, cost)

    def _fragment(self, name: str, page: int | None) -> Measures:
        key = (name, page)
        if key in self._memo:
            return self._memo[key]
        definition = self.fragments.get(name)
        if definition is None or name in self._active:
            return Measures(0, 0, 0)  # unknown (KnownFragmentNamesRule) or a cycle (NoFragmentCyclesRule)
        self._active.add(name)
        try:
            measured = self._selections(definition.selection_set,
                                        self.schema.get_type(definition.type_condition.name.value), page)
        finally:
            self._active.discard(name)
        self._memo[key] = measured
        return measured

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> Measures:
        name = node.name.value
        if name in ("__schema", "__type"):
            return Measures(0, 0, 0)  # introspection (DEBUG only; refused otherwise by DisableIntrospection)
        alias = 1 if node.alias else 0
        fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        definition = fields.get(name)
        if definition is None:  # __typename, or an unknown field (FieldsOnCorrectTypeRule reports it)
            child = self._selections(node.selection_set, None, None)
            return Measures(_add(child.depth, 1 if node.selection_set else 0), _add(alias, child.aliases),
                            _add(1, child.cost))
        own_page = self._page(node, definition)
        kind = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        multiplier = 1
        if isinstance(kind, GraphQLList):
            multiplier = own_page if own_page is not None else page if page is not None else self.list_size
        child = self._selections(node.selection_set, get_named_type(definition.type), own_page)
        return Measures(_add(child.depth, 1 if node.selection_set else 0), _add(alias, child.aliases),
                        _add(1, _mul(multiplier, child.cost)))

    def _page(self, node: FieldNode, definition: Any) -> int | None:
        """The page size a field asks for (`first`/`last`/`limit`), capped; None when it has no such argument."""
        names = [name for name in PAGE_ARGUMENTS if name in definition.args]
        if not names:
            return None
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = []
        for name in names:
            value: Any = None
            literal = given.get(name)
            if isinstance(literal, IntValueNode):
                value = int(literal.value)
            elif isinstance(literal, VariableNode):
                value = self.variables.get(literal.name.value)
            elif literal is None:
                default = definition.args[name].default_value
                value = None if default is Undefined else default
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(value)
        size = max(sizes) if sizes else self.default_page
        return max(0, min(size, self.max_page))

    # --- the check ----------------------------------------------------------------------------------------------

    def errors(self) -> list[GraphQLError]:
        """Typed, translated refusals (`query_too_complex`) of the operations over a limit; [] when all fit."""
        max_depth = int(settings.GRAPHQL_MAX_DEPTH)
        max_aliases = int(settings.GRAPHQL_MAX_ALIASES)
        max_cost = int(settings.GRAPHQL_MAX_COST)
        try:
            operations = [(d, self.operation(d)) for d in self.document.definitions
                          if isinstance(d, OperationDefinitionNode)]
        except BudgetExceeded:
            return [_refusal(_("The query is too complex to check: simplify it or split it into several."),
                             None, "budget", f"validation needed more than {self.budget} steps")]
        found: list[GraphQLError] = []
        for node, measured in operations:
            if measured.depth > max_depth:
                found.append(_refusal(_("The query is too deep: at most %(limit)s levels of fields are allowed.")
                                      % {"limit": max_depth}, node, "depth",
                                      f"depth {measured.depth} exceeds the maximum operation depth {max_depth}"))
            if measured.aliases > max_aliases:
                found.append(_refusal(_("The query uses too many aliases: at most %(limit)s are allowed.")
                                      % {"limit": max_aliases}, node, "aliases",
                                      f"{measured.aliases} aliases found. Allowed: {max_aliases}"))
            if measured.cost > max_cost:
                found.append(_refusal(_("The query asks for too much data at once (cost %(cost)s, at most "
                                        "%(limit)s): ask for smaller pages or fewer fields.")
                                      % {"cost": measured.cost, "limit": max_cost}, node, "cost",
                                      f"cost {measured.cost} exceeds the maximum cost {max_cost}"))
        return found


def _refusal(message: str, node: Any, limit: str, detail: str) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "query_too_complex", "limit": limit, "detail": detail})


def document_limit_errors(schema: GraphQLSchema, document: DocumentNode,
                          variables: dict[str, Any] | None = None) -> list[GraphQLError]:
    """The refusals of `document` by the gateway's limits (see the module docstring)."""
    return DocumentLimits(schema, document, variables).errors()
