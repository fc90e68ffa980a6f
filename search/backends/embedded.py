"""Embedded search engine: SQLite FTS5 with the trigram tokenizer, in its own file (never the main database).

Per logical index: a documents table `d_<physical>` (rowid, id, sort, data), an FTS5 table `f_<physical>`
(title, text; trigram tokenizer; same rowid) and a filter table `x_<physical>` (field, value, rowid).
The `aliases` table maps a logical index to its current physical tables, so `portal reindex` builds a new
version and switches the alias in one transaction. The `stamps` table holds the build token of each index
(`search.sync`): a file that was deleted, replaced or restored from an older copy is told apart by it.
Connections come from a small pool shared by all threads (one per operation in progress, `IDLE_CONNECTIONS`
kept open); one opened before the file at the path was deleted or replaced is closed, never reused, so no
process keeps reading an unlinked copy.

Matching: candidates come from FTS5 (OR of the trigrams of the typed words — street-type and settlement words
left out when other words were typed —, ranked by bm25), then every
typed word must match a word of the document as a prefix, or with a typo (edit distance ≤1, ≤2 from 7
letters) against a prefix of the same length; hits are ranked by total distance, title before text.
A typed word that starts a word of a place value (`IndexSpec.place_fields`: a street's settlement and district)
picks the candidates through the filter table instead: the documents where it matches a place value or the
title (as the scoring decides), with no FTS ranking — the other typed words are then checked on them alone.
Hits come from the best `CANDIDATES`; when every match fits, they are read without bm25 (its cost grows with
matches × trigrams) and only hits tying on the ranking key get their bm25 order, from a query over those rows.
When there are more candidates than that, `total` is a separate
SQL count of the prefix matches (FTS5 substring match of each word, then LIKE on word starts; 0.5–5 ms,
at most `COUNT_MAX`) plus the typo-only matches among the best candidates: typo-only matches further
down are not counted, so for broad queries `total` is a lower bound (Meilisearch's is an estimate too).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from search.backends.base import Document, Filters, SearchResult, SearchUnavailable, as_values
from search.normalise import ADDRESS_WORDS, QueryTerm, normalise, query_terms
from search.registry import INDEXES, IndexSpec, Scope, scope_fields

#: Candidates (best bm25 first) checked for prefix and typo matches.
CANDIDATES = 500
#: The SQL count of prefix matches (run only when there are more candidates) stops here.
COUNT_MAX = 10_000
#: Idle connections kept open for the next operation (any thread); more are closed when given back.
IDLE_CONNECTIONS = 4
#: WAL pages written before a commit checkpoints them into the file (SQLite's default is 1,000): a reindex writes
#: hundreds of megabytes, and each checkpoint waits for the disk.
WAL_CHECKPOINT_PAGES = 16_000
#: FTS5 settings of a version being rebuilt (`begin_rebuild`): terms collected in memory up to 64 MB before a
#: segment is written, no incremental merging while loading, 4 KB leaf pages; `finish_rebuild` restores the
#: defaults for later writes. A rebuild's connection also gets a larger page cache (`REBUILD_CACHE_KB`).
REBUILD_FTS = {"hashsize": 64 << 20, "automerge": 0, "pgsz": 4000}
FTS_DEFAULTS = {"hashsize": 1 << 20, "automerge": 4}
REBUILD_CACHE_KB = 65_536
#: Documents of the places a query names (`IndexSpec.place_fields`) scored without FTS up to this many; with
#: more, the query takes the usual way.
PLACE_CANDIDATES = 2_000
#: ... and only in an index of at most this many distinct titles (each place word is compared with every one).
PLACE_TITLES = 20_000
#: Most "?" in one statement (SQLite's default limit is 999 on older builds).
_VARIABLES = 900


# --- documents as the engine stores them -----------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A document as the embedded engine stores it."""

    id: str
    title: str  # normalised text of the first searchable field
    text: str  # normalised text of the other searchable fields
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    data: Document = field(default_factory=dict)


def _flatten(value: Any) -> list[str]:
    kind = type(value)
    if kind is str:
        return [value] if value else []
    if kind is list:  # the usual case: strings only (join checks that in C)
        try:
            "".join(value)
        except TypeError:
            pass
        else:
            return [part for part in value if part] if "" in value else list(value)
    if isinstance(value, str):
        return [value] if value else []
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        if all(type(part) is str for part in value):  # the usual case, without a call per item
            return [part for part in value if part]
        return [item for part in value for item in _flatten(part)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else " ".join(_flatten(value))


def filter_fields(spec: IndexSpec) -> tuple[str, ...]:
    """The fields stored as filters: the index's own, its place fields and every scope field."""
    return tuple(dict.fromkeys((*spec.filterable, *spec.place_fields, *scope_fields())))


def prepare(spec: IndexSpec, document: Document, filters: Sequence[str] | None = None) -> Prepared:
    """`filters`: `filter_fields(spec)`, computed once by a caller preparing many documents."""
    first, *rest = spec.searchable
    title = normalise(_text(document.get(first)))
    if len(rest) == 1 and type(document.get(rest[0])) is str:  # the usual case, without a generator
        text = normalise(document[rest[0]])
    else:
        text = normalise(" ".join(word for name in rest for word in _flatten(document.get(name))))
    names = filter_fields(spec) if filters is None else filters
    stored = {name: _flatten(document[name]) for name in names if name in document}
    if spec.default_sort == first:
        sort = title
    else:
        sort = normalise(_text(document.get(spec.default_sort))) if spec.default_sort else ""
    return Prepared(id=str(document["id"]), title=title, text=text, filters=stored, sort=sort, data=document)


# --- matching ----------------------------------------------------------------------------------

def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance; any value above `limit` is reported as `limit + 1`."""
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


def allowed_typos(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 7 else 2


class TermMatcher:
    """How well one typed word matches document words: 0 for a prefix (or an abbreviation's full word), the
    edit distance for a typo (against the word or its prefix of the same length), None for no match.

    One per term and query: the candidates of a query share most of their words (a district, «улица»), so each
    distinct word is compared once."""

    __slots__ = ("alternatives", "costs", "fields", "limit", "size", "text")

    def __init__(self, term: QueryTerm) -> None:
        self.text = term.text
        self.alternatives = term.alternatives
        self.size = len(term.text)
        self.limit = allowed_typos(term.text)
        self.costs: dict[str, int | None] = {}
        self.fields: dict[str, int | None] = {}

    def word_cost(self, word: str) -> int | None:
        try:
            return self.costs[word]
        except KeyError:
            pass
        cost: int | None
        if word.startswith(self.text) or word in self.alternatives:
            cost = 0
        elif self.limit:
            d = min(distance(self.text, word[: self.size], self.limit), distance(self.text, word, self.limit))
            cost = d if d <= self.limit else None
        else:
            cost = None
        self.costs[word] = cost
        return cost

    def cost(self, words: Sequence[str]) -> int | None:
        """The best cost over `words` (0 stops the search)."""
        best: int | None = None
        for word in words:
            cost = self.word_cost(word)
            if cost == 0:
                return 0
            if cost is not None and (best is None or cost < best):
                best = cost
        return best

    def field_cost(self, value: str) -> int | None:
        """`cost` of the words of one stored field, memoised by its whole text: the candidates of a query share
        most of their field values (a street's «улица Заречный Заречный район», a case's district and status)."""
        try:
            return self.fields[value]
        except KeyError:
            pass
        cost: int | None
        padded = f" {value} "  # normalised text: words of letters and digits, one space apart
        if f" {self.text}" in padded or any(f" {alternative} " in padded for alternative in self.alternatives):
            cost = 0  # a word starts with the term, or is one of its full forms
        elif self.limit:
            cost = self.cost(value.split())
        else:
            cost = None
        self.fields[value] = cost
        return cost


def term_cost(term: QueryTerm, words: Sequence[str]) -> int | None:
    """0 for a prefix match, the edit distance for a typo, None when no word matches."""
    return TermMatcher(term).cost(words)


Scored = tuple[int, int, str, int]  # (distance, -title hits, sort key, rowid)


def score(terms: Sequence[QueryTerm], rows: Sequence[tuple[int, str, str, str]]) -> list[Scored]:
    """Rows whose every term matches a word (by prefix or with a typo), with their ranking key. A term's cost
    in a row is the better of its costs in the title and in the text, each memoised per field value."""
    matchers = [TermMatcher(term) for term in terms]
    scored: list[Scored] = []
    for rowid, title, text, sort_key in rows:
        cost = 0
        title_hits = 0
        for matcher in matchers:
            in_title = matcher.field_cost(title)
            if in_title == 0:  # a prefix in the title: nothing in the text does better
                title_hits += 1
                continue
            in_text = matcher.field_cost(text)
            if in_title is None:
                if in_text is None:
                    break
                cost += in_text
            else:
                title_hits += 1
                cost += in_title if in_text is None or in_title <= in_text else in_text
        else:
            scored.append((cost, -title_hits, sort_key, rowid))
    return scored


def _tied(scored: list[Scored]) -> list[int]:
    """Rowids of the sorted hits that tie with a neighbour on the ranking key (the ranked query breaks such ties
    by bm25)."""
    tied: dict[int, None] = {}
    for before, after in pairwise(scored):
        if before[:3] == after[:3]:
            tied[before[3]] = tied[after[3]] = None
    return list(tied)


def candidate_grams(terms: Sequence[QueryTerm]) -> list[str]:
    """Trigrams that pick the candidates. Street-type and settlement words («улица», «г.») are left out when
    the other words have trigrams of their own: they occur in half of all addresses and would only push the
    wanted documents out of the best `CANDIDATES` (every typed word must still match)."""
    def grams(chosen: Sequence[QueryTerm]) -> list[str]:
        return sorted({g for term in chosen for form in (term.text, *term.alternatives) for g in trigrams(form)})

    telling = grams([term for term in terms if not (term.alternatives or term.text in ADDRESS_WORDS)])
    return telling or grams(terms)


def _match_expression(grams: Sequence[str]) -> str:
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def prefix_count_sql(physical: str, terms: Sequence[QueryTerm], where: str) -> tuple[str, list[str]]:
    """COUNT of the documents where every term starts a word (or equals one of its full forms): an FTS5
    substring match narrows the rows (words of 3+ letters), LIKE on the word starts decides."""
    words = "(' ' || d.title || ' ' || d.text || ' ')"
    match: list[str] = []
    likes: list[str] = []
    args: list[str] = []
    for term in terms:
        options = (term.text, *term.alternatives)
        if all(len(option) >= 3 for option in options):
            match.append("(" + " OR ".join(f'"{option}"' for option in options) + ")")
        likes.append("(" + " OR ".join([f"{words} LIKE ?"] * len(options)) + ")")
        args.extend([f"% {term.text}%", *(f"% {alt} %" for alt in term.alternatives)])
    condition = " AND ".join(likes)
    if match:
        rows = (f'SELECT 1 FROM "f_{physical}" f JOIN "d_{physical}" d ON d.rowid = f.rowid '
                f'WHERE "f_{physical}" MATCH ? AND {condition} AND {where}')
        args.insert(0, " AND ".join(match))
    else:
        rows = f'SELECT 1 FROM "d_{physical}" d WHERE {condition} AND {where}'
    return f"SELECT count(*) FROM ({rows} LIMIT {COUNT_MAX})", args


def trigrams(text: str) -> list[str]:
    return [text[i: i + 3] for i in range(len(text) - 2)]


@dataclass(frozen=True)
class Places:
    """What `IndexSpec.place_fields` narrowing compares a typed word with: (field, value, normalised value) of
    every stored place value, and every distinct title."""

    values: list[tuple[str, str, str]]
    titles: list[str]


class EmbeddedBackend:
    """One index file. Connections are shared by all threads through a small pool: an operation takes one and
    gives it back, so a thread that ends (every ASGI request may run on a new one) leaves no connection behind —
    a dropped sqlite3 connection is only closed by the cyclic garbage collector."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._idle: list[tuple[sqlite3.Connection, tuple[int, int] | None]] = []
        self._pool_lock = threading.Lock()
        #: physical index → (connection, its data version and own change count, place values): see `_place_values`
        self._places: dict[str, tuple[sqlite3.Connection, tuple[int, int], Places | None]] = {}
        self.fail = False  # tests: simulate an outage

    # --- connections and schema ---------------------------------------------------------------
    def _file_id(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _open(self) -> sqlite3.Connection:
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
                conn.execute("CREATE TABLE IF NOT EXISTS aliases (name TEXT PRIMARY KEY, physical TEXT NOT NULL)")
                conn.execute("CREATE TABLE IF NOT EXISTS stamps (name TEXT PRIMARY KEY, token TEXT NOT NULL)")
            except sqlite3.Error:
                conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation. One opened before the file at the path was deleted or replaced is
        closed, never used: no process keeps reading an unlinked copy."""
        if self.fail:
            raise SearchUnavailable("embedded search disabled")
        current = self._file_id()
        conn: sqlite3.Connection | None = None
        stale: list[sqlite3.Connection] = []
        with self._pool_lock:
            while self._idle:
                candidate, file_id = self._idle.pop()
                if file_id == current and current is not None:
                    conn = candidate
                    break
                stale.append(candidate)
        for old in stale:
            old.close()
        if conn is None:
            conn = self._open()
            current = self._file_id()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            with self._pool_lock:
                keep = len(self._idle) < IDLE_CONNECTIONS
                if keep:
                    self._idle.append((conn, current))
            if not keep:
                conn.close()

    def close(self) -> None:
        """Close every idle connection (one in use is closed when its operation gives it back after this)."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
        self._places.clear()
        for conn, _file_id in idle:
            conn.close()

    @classmethod
    def _create_tables(cls, conn: sqlite3.Connection, physical: str, *, indexed: bool = True) -> None:
        """The tables of one version of an index; a version being rebuilt gets the filter indexes only when it
        is complete (`_index_filters`): building them at the end is three times faster than row by row."""
        conn.execute(f'CREATE TABLE IF NOT EXISTS "d_{physical}" (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,'
                     f' sort TEXT NOT NULL DEFAULT "", title TEXT NOT NULL DEFAULT "", text TEXT NOT NULL DEFAULT "",'
                     f' data TEXT NOT NULL)')
        conn.execute(f'CREATE VIRTUAL TABLE IF NOT EXISTS "f_{physical}" USING fts5(title, text, tokenize="trigram")')
        conn.execute(f'CREATE TABLE IF NOT EXISTS "x_{physical}" (field TEXT, value TEXT, doc INTEGER)')
        if indexed:
            cls._index_filters(conn, physical)

    @staticmethod
    def _index_filters(conn: sqlite3.Connection, physical: str) -> None:
        conn.execute(f'CREATE INDEX IF NOT EXISTS "xi_{physical}" ON "x_{physical}" (field, value, doc)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS "xd_{physical}" ON "x_{physical}" (doc)')

    @staticmethod
    def _physical(conn: sqlite3.Connection, name: str) -> str | None:
        row = conn.execute("SELECT physical FROM aliases WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _ensure(self, conn: sqlite3.Connection, name: str) -> str:
        """The physical tables of index `name`, created (version 1) when it has none."""
        physical = self._physical(conn, name)
        if physical is not None:
            return physical
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._create_tables(conn, f"{name}_v1")
            conn.execute("INSERT OR IGNORE INTO aliases VALUES (?, ?)", (name, f"{name}_v1"))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise SearchUnavailable(str(exc)) from exc
        return str(self._physical(conn, name))

    def ensure_index(self, name: str, spec: IndexSpec | None = None) -> None:
        with self._connection() as conn:
            try:
                self._ensure(conn, name)
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc

    def _target(self, conn: sqlite3.Connection, index: str) -> tuple[str, IndexSpec]:
        """Physical tables of a logical name or of a physical name being rebuilt ("streets_v2")."""
        if index in INDEXES:
            return self._ensure(conn, index), INDEXES[index]
        return index, INDEXES[index.rsplit("_v", 1)[0]]

    # --- writes -----------------------------------------------------------------------------------
    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        """Write documents (replacing those with the same ids) in one transaction, with batched statements."""
        with self._connection() as conn:
            rebuilding = index not in INDEXES  # a version being rebuilt: one big write after another
            try:
                if rebuilding:
                    conn.execute(f"PRAGMA cache_size=-{REBUILD_CACHE_KB}")
                physical, spec = self._target(conn, index)
                names = filter_fields(spec)
                latest: dict[str, Prepared] = {}
                for document in documents:  # an id given twice: the later document wins, in its place
                    prepared = prepare(spec, document, names)
                    latest.pop(prepared.id, None)
                    latest[prepared.id] = prepared
                conn.execute("BEGIN IMMEDIATE")
                self._delete_ids(conn, physical, list(latest))
                start = conn.execute(f'SELECT coalesce(max(rowid), 0) + 1 FROM "d_{physical}"').fetchone()[0]
                rows = list(enumerate(latest.values(), start))
                conn.executemany(f'INSERT INTO "d_{physical}" (rowid, id, sort, title, text, data) '
                                 f'VALUES (?, ?, ?, ?, ?, ?)',
                                 [(rowid, p.id, p.sort, p.title, p.text,
                                   json.dumps(p.data, ensure_ascii=False, default=str)) for rowid, p in rows])
                conn.executemany(f'INSERT INTO "f_{physical}" (rowid, title, text) VALUES (?, ?, ?)',
                                 [(rowid, p.title, p.text) for rowid, p in rows])
                conn.executemany(f'INSERT INTO "x_{physical}" (field, value, doc) VALUES (?, ?, ?)',
                                 [(name, value, rowid) for rowid, p in rows for name, values in p.filters.items()
                                  for value in values])
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise SearchUnavailable(str(exc)) from exc
            finally:
                if rebuilding:
                    with suppress(sqlite3.Error):
                        conn.execute("PRAGMA cache_size=-2000")

    @staticmethod
    def _delete_ids(conn: sqlite3.Connection, physical: str, doc_ids: Sequence[str]) -> None:
        rowids: list[tuple[int]] = []
        for start in range(0, len(doc_ids), _VARIABLES):
            part = doc_ids[start: start + _VARIABLES]
            rowids += conn.execute(f'SELECT rowid FROM "d_{physical}" WHERE id IN ({", ".join("?" * len(part))})',
                                   part).fetchall()
        if rowids:
            conn.executemany(f'DELETE FROM "f_{physical}" WHERE rowid = ?', rowids)
            conn.executemany(f'DELETE FROM "x_{physical}" WHERE doc = ?', rowids)
            conn.executemany(f'DELETE FROM "d_{physical}" WHERE rowid = ?', rowids)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        with self._connection() as conn:
            try:
                physical, _ = self._target(conn, index)
                conn.execute("BEGIN IMMEDIATE")
                self._delete_ids(conn, physical, [str(doc_id) for doc_id in ids])
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise SearchUnavailable(str(exc)) from exc

    # --- rebuild without downtime -------------------------------------------------------------
    def begin_rebuild(self, name: str, spec: IndexSpec | None = None) -> str:
        with self._connection() as conn:
            try:
                current = self._ensure(conn, name)
                version = int(current.rsplit("_v", 1)[1]) + 1
                physical = f"{name}_v{version}"
                self._drop(conn, physical)
                self._create_tables(conn, physical, indexed=False)
                self._fts_config(conn, physical, REBUILD_FTS)
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc
            return physical

    @staticmethod
    def _fts_config(conn: sqlite3.Connection, physical: str, settings: dict[str, int]) -> None:
        for key, value in settings.items():
            conn.execute(f'INSERT INTO "f_{physical}" ("f_{physical}", rank) VALUES (?, ?)', (key, value))

    @staticmethod
    def _drop(conn: sqlite3.Connection, physical: str) -> None:
        for prefix in ("d", "f", "x"):
            conn.execute(f'DROP TABLE IF EXISTS "{prefix}_{physical}"')

    def finish_rebuild(self, name: str, new: str) -> None:
        with self._connection() as conn:
            try:
                conn.execute(f"PRAGMA cache_size=-{REBUILD_CACHE_KB}")
                conn.execute("BEGIN IMMEDIATE")
                self._index_filters(conn, new)
                self._fts_config(conn, new, FTS_DEFAULTS)
                old = self._physical(conn, name)
                conn.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)", (name, new))
                if old and old != new:
                    self._drop(conn, old)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise SearchUnavailable(str(exc)) from exc
            finally:
                with suppress(sqlite3.Error):
                    conn.execute("PRAGMA cache_size=-2000")

    # --- reads --------------------------------------------------------------------------------
    def all_ids(self, index: str) -> set[str]:
        with self._connection() as conn:
            physical, _ = self._target(conn, index)
            return {row[0] for row in conn.execute(f'SELECT id FROM "d_{physical}"')}

    def get(self, index: str, doc_id: str) -> Document | None:
        with self._connection() as conn:
            physical, _ = self._target(conn, index)
            row = conn.execute(f'SELECT data FROM "d_{physical}" WHERE id = ?', (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    @staticmethod
    def _filter_sql(physical: str, filters: Filters | None, scope: Scope = None) -> tuple[str, list[Any]]:
        """WHERE clause on `d`: every filter field required (any of its values); then, with a scope, any one of
        the scope's field values."""
        def member(name: str, values: list[str]) -> str:
            params.extend([name, *values])
            marks = ", ".join("?" * len(values))
            return f'd.rowid IN (SELECT doc FROM "x_{physical}" WHERE field = ? AND value IN ({marks}))'

        clauses: list[str] = []
        params: list[Any] = []
        for name, value in (filters or {}).items():
            if value is None or value == "" or value == []:
                continue
            clauses.append(member(name, as_values(value)))
        if scope is not None:
            grants = [member(name, as_values(values)) for name, values in scope.items() if as_values(values)]
            clauses.append("(" + " OR ".join(grants) + ")" if grants else "0")
        return (" AND ".join(clauses) or "1"), params

    def _places_of(self, conn: sqlite3.Connection, physical: str, fields: Sequence[str]) -> Places | None:
        """The stored place values and distinct titles of an index version — None with more than `PLACE_TITLES`
        titles or when some document has no stored value of a place field (a version built before the fields were
        declared: `portal reindex` stores them); memoised while the connection sees no change of the file (its data
        version and own change count)."""
        version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        cached = self._places.get(physical)
        if cached is not None and cached[0] is conn and cached[1] == version:
            return cached[2]
        marks = ", ".join("?" * len(fields))
        values = [(name, value, normalise(value)) for name, value in conn.execute(
            f'SELECT DISTINCT field, value FROM "x_{physical}" WHERE field IN ({marks})', list(fields))]
        titles = [title for (title,) in conn.execute(
            f'SELECT DISTINCT title FROM "d_{physical}" LIMIT {PLACE_TITLES + 1}')]
        documents = conn.execute(f'SELECT count(*) FROM "d_{physical}"').fetchone()[0]
        complete = all(conn.execute(f'SELECT count(DISTINCT doc) FROM "x_{physical}" WHERE field = ?',
                                    (name,)).fetchone()[0] == documents for name in fields)
        # A version built before its place fields were declared (or a document without one) keeps the usual way.
        places = Places(values, titles) if complete and len(titles) <= PLACE_TITLES else None
        self._places[physical] = (conn, version, places)  # the last connection's only
        return places

    def _narrowed(self, conn: sqlite3.Connection, physical: str, spec: IndexSpec, terms: Sequence[QueryTerm],
                  where: str, params: list[Any]) -> list[tuple[int, str, str, str]] | None:
        """Candidates of a query naming a place (`IndexSpec.place_fields`): the documents where each typed place
        word (one that starts a word of a place value) matches, as `score` decides (typos allowed), a place value
        or the title, read through the filter table and the titles' phrases — every other document fails that
        word. None when the query names no place (or nothing but one place), or the places hold more than
        `PLACE_CANDIDATES` documents (the usual way then)."""
        telling = [term for term in terms if not (term.alternatives or term.text in ADDRESS_WORDS)]
        if not spec.place_fields or len(telling) < 2:
            return None
        places: Places | None = None
        named: list[QueryTerm] = []
        clauses: list[str] = []
        args: list[Any] = []
        for term in telling:
            if len(term.text) < 4:  # too short to name a place
                continue
            if places is None:
                places = self._places_of(conn, physical, spec.place_fields)
                if places is None:
                    return None
            matcher = TermMatcher(term)
            costs = [(name, value, matcher.field_cost(normalised)) for name, value, normalised in places.values]
            if not any(cost == 0 for *_, cost in costs):
                continue
            named.append(term)
            matched: dict[str, list[str]] = {}
            for name, value, cost in costs:
                if cost is not None:
                    matched.setdefault(name, []).append(value)
            members = [f'd.rowid IN (SELECT doc FROM "x_{physical}" WHERE field = ? AND value IN '
                       f'({", ".join("?" * len(found))}))' for found in matched.values()]
            args.extend(item for name, found in matched.items() for item in (name, *found))
            titles = [title for title in places.titles if matcher.field_cost(title) is not None]
            if any(len(title) < 3 for title in titles):  # no trigram to find it by
                return None
            if titles:
                members.append(f'd.rowid IN (SELECT rowid FROM "f_{physical}" WHERE "f_{physical}" MATCH ?)')
                args.append("title : (" + " OR ".join(f'"{title}"' for title in titles) + ")")
            clauses.append(f'({" OR ".join(members)})')
        if not named or len(args) + len(params) > _VARIABLES:
            return None
        rows = conn.execute(f'SELECT d.rowid, d.title, d.text, d.sort FROM "d_{physical}" d WHERE {where} AND '
                            f'{" AND ".join(clauses)} LIMIT {PLACE_CANDIDATES + 1}', [*params, *args]).fetchall()
        return rows if len(rows) <= PLACE_CANDIDATES else None

    def search(self, index: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
               sort: str | None = None, scope: Scope = None) -> SearchResult:
        with self._connection() as conn:
            return self._search(conn, index, query, filters=filters, limit=limit, offset=offset, sort=sort,
                                scope=scope)

    def _search(self, conn: sqlite3.Connection, index: str, query: str, *, filters: Filters | None, limit: int,
                offset: int, sort: str | None, scope: Scope) -> SearchResult:
        try:
            physical, spec = self._target(conn, index)
            unknown = set(filters or {}) - set(spec.filterable) - set(scope_fields())
            if unknown:
                raise ValueError(f"not filterable in {index}: {sorted(unknown)}")
            where, params = self._filter_sql(physical, filters, scope)
            terms = query_terms(query)
            order = "d.sort DESC" if sort and sort.endswith(":desc") else "d.sort"
            if not terms:
                total = conn.execute(f'SELECT count(*) FROM "d_{physical}" d WHERE {where}', params).fetchone()[0]
                rows = conn.execute(f'SELECT d.data FROM "d_{physical}" d WHERE {where} ORDER BY {order}, d.id '
                                    f'LIMIT ? OFFSET ?', [*params, limit, offset]).fetchall()
                return SearchResult(hits=[json.loads(r[0]) for r in rows], total=total, limit=limit, offset=offset)
            grams = candidate_grams(terms)
            cap = CANDIDATES if grams else CANDIDATES * 5
            scored: list[Scored] | None = None
            narrowed = self._narrowed(conn, physical, spec, terms, where, params) if grams else None
            if grams:
                match = _match_expression(grams)
                source = (f'FROM "f_{physical}" f JOIN "d_{physical}" d ON d.rowid = f.rowid '
                          f'WHERE "f_{physical}" MATCH ? AND {where}')
                if narrowed is None:
                    found = conn.execute(f'SELECT count(*) FROM (SELECT 1 FROM "f_{physical}" WHERE '
                                         f'"f_{physical}" MATCH ? LIMIT {cap + 1})',
                                         [match]).fetchone()[0]  # filters aside: a bound
                if narrowed is not None or found <= cap:  # bm25 order matters only for ties of the key
                    rows = narrowed if narrowed is not None else conn.execute(
                        f"SELECT d.rowid, d.title, d.text, d.sort {source}", [match, *params]).fetchall()
                    scored = score(terms, rows)
                    scored.sort()
                    tied = _tied(scored)
                    if tied:  # their bm25 order, as the ranked query would have put them
                        marks = ", ".join("?" * len(tied))
                        bm25 = {rowid: i for i, (rowid,) in enumerate(conn.execute(
                            f'SELECT rowid FROM "f_{physical}" WHERE "f_{physical}" MATCH ? AND rowid IN ({marks}) '
                            f'ORDER BY rank', [match, *tied]))}
                        scored.sort(key=lambda item: (item[:3], bm25.get(item[3], 0)))
                if scored is None:
                    rows = conn.execute(f"SELECT d.rowid, d.title, d.text, d.sort {source} ORDER BY f.rank "
                                        f"LIMIT {cap + 1}", [match, *params]).fetchall()
            else:  # only one- and two-letter words: scan (filtered) documents
                rows = conn.execute(f'SELECT d.rowid, d.title, d.text, d.sort FROM "d_{physical}" d '
                                    f'WHERE {where} LIMIT {cap + 1}', params).fetchall()
            if scored is None:
                scored = score(terms, rows[:cap])
                scored.sort(key=lambda item: item[:3])
            total = len(scored)
            if len(rows) > cap and narrowed is None:  # more candidates than checked: count the prefix matches in SQL
                sql, args = prefix_count_sql(physical, terms, where)
                typo_only = sum(1 for item in scored if item[0] > 0)
                total = conn.execute(sql, [*args, *params]).fetchone()[0] + typo_only
            if sort and sort.endswith(":desc"):
                scored.sort(key=lambda item: item[2], reverse=True)
            page = [item[3] for item in scored[offset: offset + limit]]
            marks = ", ".join("?" * len(page))
            data = dict(conn.execute(f'SELECT rowid, data FROM "d_{physical}" WHERE rowid IN ({marks})', page))
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        return SearchResult(hits=[json.loads(data[rowid]) for rowid in page if rowid in data], total=total,
                            limit=limit, offset=offset)

    # --- build stamps -------------------------------------------------------------------------
    def read_stamps(self) -> dict[str, str]:
        with self._connection() as conn:
            try:
                return dict(conn.execute("SELECT name, token FROM stamps").fetchall())
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc

    def write_stamp(self, name: str, token: str) -> None:
        with self._connection() as conn:
            try:
                conn.execute("INSERT OR REPLACE INTO stamps VALUES (?, ?)", (name, token))
            except sqlite3.Error as exc:
                raise SearchUnavailable(str(exc)) from exc

    def document_ids(self, index: str) -> set[str]:
        try:
            return self.all_ids(index)
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc

    def health(self) -> bool:
        """The file opens as a database and every live index's tables are in it."""
        try:
            with self._connection() as conn:
                physical = [row[0] for row in conn.execute("SELECT physical FROM aliases")]
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except (SearchUnavailable, sqlite3.Error):
            return False
        return all(f"d_{name}" in tables and f"f_{name}" in tables for name in physical)
