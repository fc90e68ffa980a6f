"""Cursor pagination (connections with totalCount) with an upper bound on the page size."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler
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
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]
    count_sql: str
    count_params: tuple[Any, ...]
    alias: str


#: Pages compiled per gateway thread (a compiler belongs to its thread's connection), by key; the least
#: recently used go first.
COMPILED_PAGES_KEPT = 256
_compiled = threading.local()


def _compile_page(queryset: QuerySet[Any], *, columns: Sequence[str], size: int, offset: int) -> _CompiledPage:
    page = queryset.values(*columns)[offset:offset + size + 1]
    compiler = page.query.get_compiler(using=page.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
    query = page.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    # counted from the filtered rows without the page's columns: the joins that read them add nothing to the
    # count, and the database does not leave them out (a COUNT over them took 4.5 ms instead of 0.9, issue 18)
    counted = queryset.order_by().values("pk")
    count_sql, count_params = counted.query.get_compiler(using=counted.db).as_sql()
    return _CompiledPage(sql=sql, params=tuple(params), names=names, compiler=compiler, converters=converters,
                         count_sql=f'SELECT COUNT(*) FROM ({count_sql}) AS "counted"',
                         count_params=tuple(count_params), alias=page.db)


def paginate_values(
    key: Hashable, queryset: Callable[[], QuerySet[Any]], *, columns: Sequence[str], size: int, offset: int,
    build: Callable[[list[dict[str, Any]]], list[Any]],
) -> Connection[Any]:
    """`paginate` of the `columns` (`values()`) of a filtered queryset whose SQL depends only on `key` (everything
    the query is built from: the viewer, the filters, the day, the columns): its page and count statements are
    built and compiled by the ORM once per key and thread, then run as they are — building and compiling them
    again was about as long as the database took to answer them (issue 18). Same rows, same count, two
    queries; the count reads no column of the page."""
    entries: OrderedDict[Hashable, _CompiledPage] | None = getattr(_compiled, "entries", None)
    if entries is None:
        entries = _compiled.entries = OrderedDict()
    full_key = (key, size, offset)
    entry = entries.get(full_key)
    if entry is None:
        built = queryset()
        try:
            entry = _compile_page(built, columns=columns, size=size, offset=offset) if size else None
        except EmptyResultSet:  # nothing in scope: the ORM answers without asking the database
            entry = None
        if entry is None:
            return paginate(built.values(*columns), size=size, offset=offset, build=build)
        entries[full_key] = entry
        while len(entries) > COMPILED_PAGES_KEPT:
            entries.popitem(last=False)
    else:
        entries.move_to_end(full_key)
    with connections[entry.alias].cursor() as cursor:
        cursor.execute(entry.sql, entry.params)
        raw = cursor.fetchall()
        cursor.execute(entry.count_sql, entry.count_params)
        count = cursor.fetchone()[0]
    if entry.converters:
        raw = list(entry.compiler.apply_converters(raw, entry.converters))
    names = entry.names
    rows = [dict(zip(names, row, strict=True)) for row in raw]
    return _connection(rows, size=size, offset=offset, count=count, build=build)
