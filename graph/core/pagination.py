"""Cursor pagination (connections with totalCount) with an upper bound on the page size."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from graph.errors import BadUserInput
from portal.core.statements import Compiled, StatementCache, compile_query

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


def _edge_cursor(root: Edge[Any]) -> str:
    return encode_cursor(root.offset)


@strawberry.type
class Edge(Generic[T]):
    #: The position of the node in the whole list: its cursor is encoded only when asked for.
    offset: strawberry.Private[int]
    cursor: str = strawberry.field(resolver=_edge_cursor)
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
    return _connection(rows, size=size, offset=offset, count=count, build=build)


def _connection(rows: list[Any], *, size: int, offset: int, count: int,
                build: Callable[[list[Any]], list[Any]]) -> Connection[Any]:
    """The connection of a page read with one row more than `size` (whether there is a next page)."""
    has_next = len(rows) > size
    rows = rows[:size]
    nodes = build(rows)
    edges = [Edge(offset=offset + index, node=node) for index, node in enumerate(nodes)]
    return Connection(
        total_count=count,
        page_info=PageInfo(has_next_page=has_next, has_previous_page=offset > 0,
                           start_cursor=encode_cursor(offset) if edges else None,
                           end_cursor=encode_cursor(offset + len(edges) - 1) if edges else None),
        edges=edges,
    )


@dataclass(frozen=True)
class _CompiledPage:
    page: Compiled
    names: tuple[str, ...]
    count: Compiled


#: Pages compiled by key (process-wide; see portal.core.statements).
_compiled_pages: StatementCache[_CompiledPage] = StatementCache(kept=256)


def _compile_page(queryset: QuerySet[Any], *, columns: Sequence[str], size: int, offset: int) -> _CompiledPage | None:
    page = compile_query(lambda: queryset.values(*columns)[offset:offset + size + 1])
    # counted from the filtered rows without the page's columns: the joins that read them add nothing to the
    # count, and the database does not leave them out (a COUNT over them took 4.5 ms instead of 1.1, issue 18)
    count = compile_query(lambda: queryset.order_by().values("pk"))
    if page is None or count is None:
        return None
    query = page.compiler.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    counted = dataclasses.replace(count, sql=f'SELECT COUNT(*) FROM ({count.sql}) AS "counted"')
    return _CompiledPage(page=page, names=names, count=counted)


def paginate_values(
    key: Hashable, queryset: Callable[[], QuerySet[Any]], *, columns: Sequence[str], size: int, offset: int,
    build: Callable[[list[dict[str, Any]]], list[Any]],
) -> Connection[Any]:
    """`paginate` of the `columns` (`values()`) of a filtered queryset whose SQL depends only on `key` (everything
    the query is built from: the viewer, the filters, the day, the columns): its page and count statements are
    built and compiled by the ORM once per key (`portal.core.statements`), then run as they are — building and
    compiling them again was about as long as the database took to answer them (issue 18). Same rows, same
    count, two queries; the count reads no column of the page."""
    built: list[QuerySet[Any]] = []

    def compile() -> _CompiledPage | None:
        built.append(queryset())
        return _compile_page(built[0], columns=columns, size=size, offset=offset) if size else None

    entry = _compiled_pages.get((key, size, offset), compile)
    if entry is None:  # nothing to read, or nothing in scope (the ORM answers without asking the database)
        return paginate((built[0] if built else queryset()).values(*columns), size=size, offset=offset, build=build)
    raw = entry.page.rows()
    count = entry.count.rows(convert=False)[0][0]
    names = entry.names
    rows = [dict(zip(names, row, strict=True)) for row in raw]
    return _connection(rows, size=size, offset=offset, count=count, build=build)
