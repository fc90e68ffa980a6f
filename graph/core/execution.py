"""The gateway's execution context: graphql-core's, with short paths for plain fields.

Most fields of an answer are plain attributes of a strawberry type (a measure's `task`, `status`, `deadline`):
strawberry resolves them with its default resolver, which reads the attribute and ignores the resolve info.
graphql-core still builds a resolve info, collects the (absent) arguments and completes the value through the
non-null, list and leaf steps for each of them — for a page of 50 measures about 650 times, the larger part of
executing it (issue 18). Two short paths, both giving graphql-core's answer:

- a list of objects whose selected fields are all plain (leaves, or objects of plain fields) is completed from a
  plan built once per request and selection: each item's attributes read and serialized by the same scalars
  and enums, with no per-field machinery;
- any other plain leaf field is read by the same resolver and serialized by the same scalar or enum.

Anything else — a field with a resolver, arguments or extensions, an abstract or list type, a null where none is
allowed, a value the type does not serialize, an item that is not of its type — takes graphql-core's own path
(for a list: the whole list, read again; plain attributes have no side effects), which also reports any error
exactly as before.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


class _NotPlain(Exception):
    """A value the plan cannot complete as graphql-core would: the list takes graphql-core's path."""


def _identity_for(kind: type) -> Callable[[Any, Callable[[Any], Any]], Any]:
    def serialize(value: Any, general: Callable[[Any], Any]) -> Any:
        return value if type(value) is kind else general(value)
    return serialize


def _general(value: Any, general: Callable[[Any], Any]) -> Any:
    return general(value)


def _unused(value: Any) -> Any:
    raise AssertionError("an object is completed by its plan")


def _int(value: Any, general: Callable[[Any], Any]) -> Any:
    return value if type(value) is int and -2_147_483_648 <= value <= 2_147_483_647 else general(value)


def _remembered() -> Callable[[Any, Callable[[Any], Any]], Any]:
    """An enum's serializer, remembered per value for the request (an enum has few values; the serializer's
    lookup is the larger part of completing one)."""
    known: dict[tuple[type, Any], Any] = {}

    def serialize(value: Any, general: Callable[[Any], Any]) -> Any:
        key = (type(value), value)
        if key not in known:
            known[key] = general(value)
        return known[key]
    return serialize


#: Scalars whose serializer returns a value of the plain Python type unchanged (graphql-core's own rules for
#: `str` and `bool`; an ID given as text stays that text): the type test is the serializer.
_UNCHANGED = {GraphQLString.name: _identity_for(str), GraphQLBoolean.name: _identity_for(bool),
              GraphQLID.name: _identity_for(str), GraphQLInt.name: _int}


#: One selected field of a plan, in the selection's order: (response key, attribute to read or None for
#: `__typename`, required, the object's plan or None, the leaf's short serializer, the leaf's serializer).
_Step = tuple[str, "str | None", bool, "_Plan | None", Callable[[Any, Callable[[Any], Any]], Any],
              Callable[[Any], Any]]


@dataclass(frozen=True, slots=True)
class _Plan:
    type_name: str
    steps: tuple[_Step, ...]
    #: every attribute the steps read, in one call (`operator.attrgetter`), as a tuple
    read: Callable[[Any], tuple[Any, ...]]
    is_type_of: Callable[[Any, GraphQLResolveInfo], Any] | None


def _reader(attributes: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if not attributes:
        return lambda source: ()
    if len(attributes) == 1:
        name = attributes[0]
        return lambda source: (getattr(source, name),)
    return operator.attrgetter(*attributes)


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # strawberry always passes a manager; it wraps resolvers only when an extension implements `resolve`
        self._no_middleware = getattr(self.middleware_manager, "_middleware_resolvers", None) is None
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}

    # --- lists of plain objects ------------------------------------------------------------------

    def _plan(self, object_type: GraphQLObjectType, field_nodes: list[FieldNode]) -> _Plan | None:
        """How to complete an object of `object_type` for this selection with plain reads, or None when some
        selected field is not plain. Built once per request and selection (the selection depends on the
        variables through @skip/@include)."""
        key = (object_type, *map(id, field_nodes))
        if key in self._plans:
            return self._plans[key]
        self._plans[key] = None  # a recursive selection is not planned
        plan = self._build_plan(object_type, field_nodes)
        self._plans[key] = plan
        return plan

    def _build_plan(self, object_type: GraphQLObjectType, field_nodes: list[FieldNode]) -> _Plan | None:
        steps: list[_Step] = []
        attributes: list[str] = []
        for key, nodes in self.collect_subfields(object_type, field_nodes).items():
            name = nodes[0].name.value
            if name == "__typename":
                steps.append((key, None, True, None, _general, _unused))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or not getattr(field_def.resolve, "_is_default", False):
                return None
            definition = (field_def.extensions or {}).get(_DEFINITION)
            attribute = getattr(definition, "python_name", None)
            # strawberry's default resolver is `getattr` unless the schema's config names another
            if attribute is None or getattr(definition, "default_resolver", None) is not getattr \
                    or getattr(definition, "base_resolver", None) is not None:
                return None
            return_type: GraphQLOutputType = field_def.type
            required = isinstance(return_type, GraphQLNonNull)
            inner = cast(GraphQLNonNull[Any], return_type).of_type if required else return_type
            if is_leaf_type(inner):
                leaf = cast(GraphQLLeafType, inner)
                fast = _remembered() if isinstance(leaf, GraphQLEnumType) else _UNCHANGED.get(leaf.name, _general)
                steps.append((key, attribute, required, None, fast, leaf.serialize))
            elif isinstance(inner, GraphQLObjectType):
                nested = self._plan(inner, nodes)
                if nested is None:
                    return None
                steps.append((key, attribute, required, nested, _general, _unused))
            else:  # lists, interfaces, unions: graphql-core's path
                return None
            attributes.append(attribute)
        return _Plan(type_name=object_type.name, steps=tuple(steps), read=_reader(attributes),
                     is_type_of=object_type.is_type_of)

    def _complete_plain(self, plan: _Plan, source: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        if plan.is_type_of is not None:
            if plan.is_type_of(source, info) is not True:  # False, or awaitable: graphql-core decides
                raise _NotPlain
        values = iter(plan.read(source))
        data: dict[str, Any] = {}
        for key, attribute, required, nested, fast, serialize in plan.steps:
            if attribute is None:  # __typename
                data[key] = plan.type_name
                continue
            value = next(values)
            if value is None:
                if required:
                    raise _NotPlain
                data[key] = None
            elif nested is not None:
                data[key] = self._complete_plain(nested, value, info)
            else:
                serialized = fast(value, serialize)
                if serialized is None or serialized is Undefined:
                    raise _NotPlain
                data[key] = serialized
        return data

    def complete_list_value(self, return_type: GraphQLList[GraphQLOutputType], field_nodes: list[FieldNode],
                            info: GraphQLResolveInfo, path: Path, result: Any) -> AwaitableOrValue[list[Any]]:
        if self._no_middleware and type(result) in (list, tuple):
            item_type: Any = return_type.of_type  # (no cast to a subscripted generic here: built on every call)
            items_required = isinstance(item_type, GraphQLNonNull)
            object_type = item_type.of_type if items_required else item_type
            if isinstance(object_type, GraphQLObjectType):
                plan = self._plan(object_type, field_nodes)
                if plan is not None:
                    try:
                        return [None if item is None and not items_required
                                else self._complete_plain(plan, item, info) for item in result]
                    except Exception:  # graphql-core's path below completes it again, and locates any error
                        pass
        return super().complete_list_value(return_type, field_nodes, info, path, result)

    # --- single plain leaves -------------------------------------------------------------------

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_nodes: list[FieldNode],
                      path: Path) -> AwaitableOrValue[Any]:
        field_def = parent_type.fields.get(field_nodes[0].name.value)
        resolve = field_def.resolve if field_def is not None else None
        if resolve is not None and getattr(resolve, "_is_default", False) and self._no_middleware:
            return_type = field_def.type
            required = isinstance(return_type, GraphQLNonNull)
            leaf = return_type.of_type if required else return_type
            if is_leaf_type(leaf):
                try:
                    value = resolve(source, None)  # strawberry's default resolver: the attribute, info unused
                    if value is None:
                        if not required:
                            return None
                    elif not self.is_awaitable(value):
                        serialized = cast(GraphQLLeafType, leaf).serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            return serialized
                except Exception:  # graphql-core's path below reports it, located
                    pass
        return super().execute_field(parent_type, source, field_nodes, path)
