"""Statements the ORM builds and compiles once, run again with new values (issue 18).

On the gateway's hot paths (a partner's list of measures, a partner's report on a measure) building and compiling
a queryset took about as long as the database took to answer it — for the small statements of a report, several
times as long. Here a statement is compiled once per key (whatever its SQL text depends on: the viewer, the day,
the shape) with *markers* where the values that change go; each run binds the new values in their places:

- `compile_query(build, marked=n)` calls `build` with n marker integers (ids no row has) and finds each among
  the compiled parameters; `Compiled.rows(values)` runs it for plain rows (with the ORM's converters),
  `Compiled.instances(values)` for model instances (select_related and annotations included);
- `InsertStatement` writes one row of a model with the SQL Django writes for it (`bulk_create` without signals),
  its text built once per database; a column may be given by a compiled subquery (`subqueries`: the attribute
  name → a function of the database alias compiling it), evaluated inside the INSERT;
- `save_fields(obj, fields)` is `obj.save(update_fields=fields)` with its UPDATE's text built once per model and
  fields, sending the same signals;
- `StatementCache` keeps compiled statements by key, process-wide, bounded (the least recently used go first).

A statement whose markers are not found exactly once among its parameters is not compiled (`None`): the caller
runs its queryset as usual. The instance path reuses a copy of the compiler of its first compilation with the
text replaced: Django's model iterable reads the compiler's column layout, which the copy keeps (to re-check on a
Django upgrade; `tests/graph/test_compiled_statements.py` covers it).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
S = TypeVar("S")

#: The first marker: integers no row has (below any id, within a 32-bit column's range).
MARKER_BASE = -2_147_480_001


def markers(count: int) -> list[int]:
    return [MARKER_BASE - index for index in range(count)]


@dataclass(frozen=True)
class Compiled:
    """A compiled statement: its text, its parameters with markers at `slots`, and the compiler that wrote it."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]
    compiler: SQLCompiler
    alias: str

    def bind(self, values: Sequence[Any] = ()) -> list[Any]:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            kind = type(params[slot])  # the backend's own integer type where it wraps one (psycopg's Int4)
            params[slot] = kind(value) if kind is not int and isinstance(value, int) else value
        return params

    def _compiler_here(self) -> SQLCompiler:
        """A copy of the compiler on this thread's connection (a compiler belongs to its connection)."""
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.alias]
        return compiler

    def rows(self, values: Sequence[Any] = (), *, convert: bool = True) -> list[tuple[Any, ...]]:
        """The rows of a SELECT, converted as the ORM converts its columns (`convert`: the text selects the
        compiler's columns as they are)."""
        compiler = self._compiler_here()
        with compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, self.bind(values))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if convert and compiler.select:
            converters = compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
            if converters:
                return [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def instances(self, values: Sequence[Any] = ()) -> list[Any]:
        """The model instances of a model queryset's SELECT, as the queryset would give them."""
        compiler = self._compiler_here()
        text = (self.sql, tuple(self.bind(values)))
        compiler.as_sql = lambda *args, **kwargs: text  # type: ignore[method-assign]
        model = compiler.query.model
        assert model is not None, "a model queryset's statement"
        queryset = model._base_manager.using(self.alias).all()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)


def compile_query(build: Callable[..., QuerySet[Any]], *, marked: int = 0, using: str | None = None
                  ) -> Compiled | None:
    """Compile the queryset `build(*markers)` returns; None when it is empty by construction (the ORM asks the
    database nothing) or a marker is not found exactly once among its parameters."""
    values = markers(marked)
    queryset = build(*values)
    alias = using or queryset.db
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = []
    for marker in values:
        places = [index for index, value in enumerate(params)
                  if isinstance(value, int) and not isinstance(value, bool) and value == marker]
        if len(places) != 1:
            return None
        slots.append(places[0])
    if not sql:
        return None
    return Compiled(sql=sql, params=tuple(params), slots=tuple(slots), compiler=compiler, alias=alias)


class StatementCache(Generic[S]):
    """Compiled statements (or anything built from them) by key, process-wide and thread-safe, at most `kept`;
    the least recently used go first. The database alias and vendor are part of every key."""

    def __init__(self, kept: int = 256) -> None:
        self.kept = kept
        self._entries: OrderedDict[Hashable, S | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compile: Callable[[], S | None], *, using: str = "default") -> S | None:
        full_key = (key, using, connections[using].vendor)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        entry = compile()
        with self._lock:
            self._entries[full_key] = entry
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
        return entry


class InsertStatement(Generic[M]):
    """One row of `model` inserted with the text Django writes for it — every concrete column but the
    auto-incremented key, placeholders for the values prepared by their fields, the key returned — built once per
    database. `subqueries` give a column by a compiled subquery instead (its marked values bound per row): the
    database evaluates it inside the INSERT, no read of its own. No signals are sent (as `bulk_create`)."""

    def __init__(self, model: type[M], *,
                 subqueries: Mapping[str, Callable[[str], Compiled | None]] | None = None) -> None:
        self.model = model
        # as Django's own INSERT of a new row: every concrete column but the auto-incremented key
        self.fields: list[Field[Any, Any]] = [field for field in model._meta.local_concrete_fields
                                              if field is not model._meta.auto_field]
        self.subqueries = dict(subqueries or {})
        self._texts: StatementCache[tuple[str, dict[str, Compiled]]] = StatementCache(kept=8)

    def _text(self, using: str) -> tuple[str, dict[str, Compiled]] | None:
        def build() -> tuple[str, dict[str, Compiled]] | None:
            connection = connections[using]
            quote = connection.ops.quote_name
            compiled: dict[str, Compiled] = {}
            for attname, compile in self.subqueries.items():
                statement = compile(using)
                if statement is None:
                    return None
                compiled[attname] = statement
            values = ", ".join(f"({compiled[field.attname].sql})" if field.attname in compiled else "%s"
                               for field in self.fields)
            pk = self.model._meta.pk
            assert pk is not None
            columns = ", ".join(quote(str(field.column)) for field in self.fields)
            returns = connection.features.can_return_columns_from_insert
            returning = f" RETURNING {quote(str(pk.column))}" if returns else ""
            return f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({values}){returning}", compiled
        return self._texts.get("insert", build, using=using)

    def insert(self, obj: M, *, subquery_values: Mapping[str, Sequence[Any]] | None = None,
               using: str = "default") -> bool:
        """Insert `obj` (its primary key set from the database); False when the statement could not be built
        (the caller saves the row as usual)."""
        text = self._text(using)
        if text is None:
            return False
        sql, compiled = text
        connection = connections[using]
        params: list[Any] = []
        for field in self.fields:
            if field.attname in compiled:
                params += compiled[field.attname].bind((subquery_values or {})[field.attname])
                continue
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):  # an expression Django would compile into the text
                return False
            params.append(field.get_db_prep_save(value, connection=connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if connection.features.can_return_columns_from_insert:
                obj.pk = cursor.fetchone()[0]
            else:
                obj.pk = connection.ops.last_insert_id(cursor, self.model._meta.db_table,
                                                       str(self.model._meta.pk.column))
        obj._state.adding = False
        obj._state.db = using
        return True

    def save_new(self, obj: M, *, using: str) -> None:
        """`obj.save()` of a new row: `pre_save`, the INSERT, `post_save` (created) — the receivers see what a
        save would show them. Saved as usual when the statement cannot write it."""
        if self._text(using) is None:
            obj.save(using=using)
            return
        signals.pre_save.send(sender=self.model, instance=obj, raw=False, using=using, update_fields=None)
        if not self.insert(obj, using=using):  # a receiver set an expression: Django's own row write
            obj._save_table(raw=False, cls=self.model, force_insert=True, using=using)  # type: ignore[attr-defined]
        signals.post_save.send(sender=self.model, instance=obj, created=True, update_fields=None, raw=False,
                               using=using)


#: `save_fields` statements by (model, fields, database).
_updates: StatementCache[tuple[str, list[Field[Any, Any]]]] = StatementCache(kept=256)


def save_fields(obj: Model, fields: Sequence[str], *, using: str) -> None:
    """`obj.save(update_fields=fields)` of a stored row: `pre_save`, one UPDATE of those columns by the primary key
    (its text built once per model and fields), `post_save` — what a save sends. A model with its own `save()`,
    or a value Django would compile into the text (an expression), is saved by `save()` itself; an UPDATE that
    finds no row raises as Django's save does."""
    model = type(obj)
    meta = model._meta
    names = tuple(fields)

    def build() -> tuple[str, list[Field[Any, Any]]]:
        quote = connections[using].ops.quote_name
        concrete = [cast(Field[Any, Any], meta.get_field(name)) for name in names]
        assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in concrete)
        pk = meta.pk
        assert pk is not None
        return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s", concrete

    text = _updates.get((model, names), build, using=using)
    assert text is not None
    sql, concrete = text
    if model.save is not Model.save or any(hasattr(getattr(obj, field.attname), "resolve_expression")
                                           for field in concrete):  # its own save() decides, or Django compiles
        obj.save(using=using, update_fields=names)
        return
    update_fields = frozenset(names)
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=update_fields)
    connection = connections[using]
    pk = meta.pk
    assert pk is not None
    params = [field.get_db_prep_save(field.pre_save(obj, add=False), connection=connection) for field in concrete]
    params.append(pk.get_db_prep_value(obj.pk, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.adding = False
    obj._state.db = using
    signals.post_save.send(sender=model, instance=obj, created=False, update_fields=update_fields, raw=False,
                           using=using)
