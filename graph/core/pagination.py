"""Cursor pagination (connections with totalCount) with an upper bound on the page size."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from graph.errors import BadUserInput

T = TypeVar("T")
M = TypeVar("M", bound=Model)
DEFAULT_PAGE_SIZE = 20
#: Largest offset a cursor may carry (far beyond any list; keeps OFFSET within the database's range).
MAX_OFFSET = 10**9
_PREFIX = "o:"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    page_info: PageInfo
    edges: list[Edge[T]]

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """Offset after the given cursor (0 without one)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        digits = text[len(_PREFIX):]
        if not digits.isascii() or not digits.isdecimal() or len(digits) > 10:
            raise ValueError(digits)
        offset = int(digits)
        if offset >= MAX_OFFSET:
            raise ValueError(offset)
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput(_("The cursor is not valid."), field="after") from None
    return offset + 1


def page_size(first: int | None) -> int:
    limit = int(settings.GRAPHQL_MAX_PAGE_SIZE)
    if first is None:
        return min(DEFAULT_PAGE_SIZE, limit)
    if first < 0 or first > limit:
        raise BadUserInput(_("Ask for 0 to %(limit)s items per page.") % {"limit": limit}, field="first")
    return first


def check_page_args(first: int | None, after: str | None) -> tuple[int, int]:
    """Validate (without touching the database) and return (size, offset)."""
    return page_size(first), decode_cursor(after)


def paginate(
    queryset: QuerySet[M] | Sequence[M], *, size: int, offset: int, build: Callable[[list[M]], list[Any]],
    total: int | None = None,
) -> Connection[Any]:
    """Slice one page (+1 row to know whether there is a next one) and count the total: two queries."""
    rows = list(queryset[offset:offset + size + 1]) if size else []
    count = total if total is not None else (queryset.count() if isinstance(queryset, QuerySet) else len(queryset))
    has_next = len(rows) > size
    rows = rows[:size]
    nodes = build(rows)
    edges = [Edge(cursor=encode_cursor(offset + index), node=node) for index, node in enumerate(nodes)]
    return Connection(
        total_count=count,
        page_info=PageInfo(has_next_page=has_next, has_previous_page=offset > 0,
                           start_cursor=edges[0].cursor if edges else None,
                           end_cursor=edges[-1].cursor if edges else None),
        edges=edges,
    )
