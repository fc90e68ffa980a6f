"""The gateway's execution context answers exactly as graphql-core's own: data (with its keys in
the same order), errors and their paths.

Its short paths (a list of plain objects completed from a plan, a plain leaf read directly) are checked against
strawberry's standard execution context on the same schema and documents, including the cases that must leave
the short path (a null where none is allowed, a value its scalar refuses, a field with a resolver, an item of
another type)."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.core.execution import GatewayExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Org:
    code: str
    name: str | None = None


@strawberry.type
class Item:
    id: strawberry.ID
    number: int
    flag: bool
    colour: Colour
    day: dt.date
    org: Org
    other_org: Org | None = None
    text: str = ""

    @strawberry.field
    def shout(self) -> str:
        return self.text.upper()


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


def _item(index: int, **overrides: Any) -> Item:
    values: dict[str, Any] = dict(
        id=strawberry.ID(str(index)), number=index, flag=index % 2 == 0,
        colour=Colour.RED if index % 2 else Colour.GREEN, day=dt.date(2026, 1, 1) + dt.timedelta(days=index),
        org=Org(code=f"org-{index}", name=None if index % 3 == 0 else f"Организация {index}"),
        other_org=Org(code="x") if index % 2 else None, text=f"текст {index}")
    values.update(overrides)
    return Item(**values)


LISTS: dict[str, list[Any]] = {
    "plain": [_item(i) for i in range(5)],
    "null_required": [_item(0), _item(1, text=None)],  # a null in a non-null field
    "big_int": [_item(0), _item(1, number=2**40)],  # Int refuses it
    "bad_enum": [_item(0), _item(1, colour="purple")],
    "nested_null": [_item(0), _item(1, org=None)],
    "wrong_type": [_item(0), Org(code="not an item")],
}


@strawberry.type
class Query:
    @strawberry.field
    def items(self, which: str = "plain") -> list[Item]:
        return LISTS[which]

    @strawberry.field
    def maybe_items(self, which: str = "plain") -> list[Item | None]:
        return [*LISTS[which], None]

    @strawberry.field
    def people(self) -> list[Person]:
        return [Person(name="Анна", age=30), Person(name="Пётр", age=41)]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Person(name="Анна", age=30)]


def _run(context_class: type, document: str, variables: dict[str, Any] | None) -> tuple[Any, list[Any]]:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = asyncio.run(schema.execute(document, variable_values=variables))
    errors = [(error.message, error.path) for error in result.errors or []]
    return json.dumps(result.data, ensure_ascii=False), errors  # as sent: the order of the keys counts


DOCUMENTS = [
    ("{ items { id number flag colour day text org { code name } otherOrg { code } } }", None),
    ("""query($w: String!) { items(which: $w) { a: id b: number __typename ...F org { __typename code } } }
        fragment F on Item { colour day ... on Item { flag } }""", {"w": "plain"}),
    ("""query($skip: Boolean!, $inc: Boolean!) { items { id text @skip(if: $skip) number @include(if: $inc)
        org @skip(if: $inc) { code } } }""", {"skip": True, "inc": False}),
    ("""query($skip: Boolean!, $inc: Boolean!) { items { id text @skip(if: $skip) number @include(if: $inc)
        org @skip(if: $inc) { code } } }""", {"skip": False, "inc": True}),
    ("{ items(which: \"null_required\") { id text } }", None),
    ("{ maybeItems(which: \"null_required\") { id text } }", None),
    ("{ items(which: \"big_int\") { id number } }", None),
    ("{ items(which: \"bad_enum\") { id colour } }", None),
    ("{ items(which: \"nested_null\") { id org { code } } }", None),
    ("{ maybeItems(which: \"nested_null\") { id org { code } } }", None),
    ("{ items(which: \"wrong_type\") { id } }", None),
    ("{ items { id shout org { code } } }", None),  # a resolver among the fields: graphql-core's path
    ("{ maybeItems { id number } }", None),  # a null item where nulls are allowed
    ("{ people { name age __typename } named { name __typename } }", None),  # an interface's implementation
    ("{ items { id number } again: items { id org { name } } }", None),
]


@pytest.mark.parametrize(("document", "variables"), DOCUMENTS)
def test_same_answer_as_graphql_core(document: str, variables: dict[str, Any] | None) -> None:
    expected = _run(StrawberryGraphQLCoreExecutionContext, document, variables)
    assert _run(GatewayExecutionContext, document, variables) == expected


def test_plain_list_is_completed_from_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The short path is taken for a list of plain objects: no field of its items goes through execute_field."""
    fields: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, source: Any, field_nodes: Any, path: Any) -> Any:
        fields.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return original(self, parent_type, source, field_nodes, path)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    data, errors = _run(GatewayExecutionContext, "{ items { id colour org { code } } }", None)
    assert not errors and len(json.loads(data)["items"]) == 5
    assert fields == ["Query.items"]
    fields.clear()
    _run(GatewayExecutionContext, "{ items { id shout } }", None)  # a resolver: each item's fields one by one
    assert fields == ["Query.items"] + ["Item.shout"] * 5  # (`id` by the plain-leaf short path)
