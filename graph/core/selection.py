"""What a query asks of the nodes of a connection, so that a list reads only the columns its answer shows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, fragments (named and inline) expanded; a field under @skip/@include is kept
    (reading a column too many is harmless)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def connection_node_fields(info: Info) -> frozenset[str]:
    """Names of the fields selected on the nodes of the connection the current field returns (under `nodes` and
    `edges { node }`, in every selection of the field)."""
    names: set[str] = set()
    for field in _fields(info.selected_fields):
        for child in _fields(field.selections):
            if child.name == "nodes":
                names.update(node.name for node in _fields(child.selections))
            elif child.name == "edges":
                for edge in _fields(child.selections):
                    if edge.name == "node":
                        names.update(node.name for node in _fields(edge.selections))
    return frozenset(names)
