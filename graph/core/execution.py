"""The gateway's execution context: graphql-core's, with a short path for plain leaf fields.

Most fields of an answer are plain attributes of a strawberry type (a measure's `task`, `status`, `deadline`):
strawberry resolves them with its default resolver, which reads the attribute and ignores the resolve info.
graphql-core still builds a resolve info, collects the (absent) arguments and completes the value through the
non-null, list and leaf steps for each of them — for a page of 50 measures about 600 times, the larger part of
executing it (issue 18). Here such a field's value is read by the same resolver and serialized by the same
scalar or enum; anything else — a field with a resolver, arguments or extensions, an object or list, a null where
none is allowed, a value the type does not serialize — takes graphql-core's own path (which also reports the
error exactly as before).
"""

from __future__ import annotations

from typing import Any, cast

from graphql import FieldNode, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # strawberry always passes a manager; it wraps resolvers only when an extension implements `resolve`
        self._no_middleware = getattr(self.middleware_manager, "_middleware_resolvers", None) is None

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
