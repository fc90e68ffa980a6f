"""Embedded search engine: SQLite FTS5 with the trigram tokenizer, in its own file (never the main database).

Per logical index: a documents table `d_<physical>` (rowid, id, sort, data), an FTS5 table `f_<physical>`
(title, text; trigram tokenizer; same rowid) and a filter table `x_<physical>` (field, value, rowid).
The `aliases` table maps a logical index to its current physical tables, so `portal reindex` builds a new
version and switches the alias in one transaction. The `stamps` table holds the build token of each index
(`search.sync`): a file that was deleted, replaced or restored from an older copy is told apart by it.
A connection is reopened when the file at the path is no longer the one it opened (deleted or replaced
while the server runs), so no process keeps reading an unlinked copy.

Matching: candidates come from FTS5 (OR of the trigrams of the typed words, ranked by bm25), then every
typed word must match a word of the document as a prefix, or with a typo (edit distance ≤1, ≤2 from 7
letters) against a prefix of the same length; hits are ranked by total distance, title before text.
Hits come from the best `CANDIDATES`. When there are more candidates than that, `total` is a separate
SQL count of the prefix matches (FTS5 substring match of each word, then LIKE on word starts; 0.5–5 ms,
at most `COUNT_MAX`) plus the typo-only matches among the best candidates: typo-only matches further
down are not counted, so for broad queries `total` is a lower bound (Meilisearch's is an estimate too).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search.backends.base import Document, Filters, SearchResult, SearchUnavailable, as_values
from search.documents import INDEXES, IndexSpec, prepare
from search.normalise import QueryTerm, query_terms

#: Candidates (best bm25 first) checked for prefix and typo matches.
CANDIDATES = 500
#: The SQL count of prefix matches (run only when there are more candidates) stops here.
COUNT_MAX = 10_000


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, cut at `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_typos(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 7 else 2


def term_cost(term: QueryTerm, words: Sequence[str]) -> int | None:
    """0 for a prefix match, the edit distance for a typo, None when no word matches."""
    best: int | None = None
    limit = allowed_typos(term.text)
    for word in words:
        if word.startswith(term.text) or word in term.alternatives:
            return 0
        if limit:
            d = min(distance(term.text, word[: len(term.text)], limit), distance(term.text, word, limit))
            if d <= limit and (best is None or d < best):
                best = d
    return best


Scored = tuple[int, int, str, int]  # (distance, -title hits, sort key, rowid)


def score(terms: Sequence[QueryTerm], rows: Sequence[tuple[int, str, str, str]]) -> list[Scored]:
    """Rows whose every term matches a word (by prefix or with a typo), with their ranking key."""
    scored: list[Scored] = []
    for rowid, title, text, sort_key in rows:
        title_words = title.split()
        all_words = title_words + text.split()
        cost = 0
        for term in terms:
            c = term_cost(term, all_words)
            if c is None:
                break
            cost += c
        else:
            title_hits = sum(term_cost(term, title_words) is not None for term in terms)
            scored.append((cost, -title_hits, sort_key, rowid))
    return scored


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


class EmbeddedBackend:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self.fail = False  # tests: simulate an outage

    # --- connection and schema ----------------------------------------------------------------
    def _file_id(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _db(self) -> sqlite3.Connection:
        if self.fail:
            raise SearchUnavailable("embedded search disabled")
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "file_id", None) != self._file_id():
            conn.close()  # the file was deleted or replaced: never keep reading the old copy
            conn = self._local.conn = None
        if conn is None:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("CREATE TABLE IF NOT EXISTS aliases (name TEXT PRIMARY KEY, physical TEXT NOT NULL)")
                conn.execute("CREATE TABLE IF NOT EXISTS stamps (name TEXT PRIMARY KEY, token TEXT NOT NULL)")
            except (sqlite3.Error, OSError) as exc:
                raise SearchUnavailable(str(exc)) from exc
            self._local.conn = conn
            self._local.file_id = self._file_id()
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @staticmethod
    def _create_tables(conn: sqlite3.Connection, physical: str) -> None:
        conn.execute(f'CREATE TABLE IF NOT EXISTS "d_{physical}" (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,'
                     f' sort TEXT NOT NULL DEFAULT "", title TEXT NOT NULL DEFAULT "", text TEXT NOT NULL DEFAULT "",'
                     f' data TEXT NOT NULL)')
        conn.execute(f'CREATE VIRTUAL TABLE IF NOT EXISTS "f_{physical}" USING fts5(title, text, tokenize="trigram")')
        conn.execute(f'CREATE TABLE IF NOT EXISTS "x_{physical}" (field TEXT, value TEXT, doc INTEGER)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS "xi_{physical}" ON "x_{physical}" (field, value, doc)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS "xd_{physical}" ON "x_{physical}" (doc)')

    def _physical(self, conn: sqlite3.Connection, name: str) -> str | None:
        row = conn.execute("SELECT physical FROM aliases WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def ensure_index(self, name: str, spec: IndexSpec | None = None) -> None:
        conn = self._db()
        try:
            if self._physical(conn, name) is None:
                conn.execute("BEGIN IMMEDIATE")
                self._create_tables(conn, f"{name}_v1")
                conn.execute("INSERT OR IGNORE INTO aliases VALUES (?, ?)", (name, f"{name}_v1"))
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise SearchUnavailable(str(exc)) from exc

    def _target(self, conn: sqlite3.Connection, index: str) -> tuple[str, IndexSpec]:
        """Physical tables of a logical name or of a physical name being rebuilt ("streets_v2")."""
        logical = index.rsplit("_v", 1)[0] if index not in INDEXES else index
        spec = INDEXES[logical]
        if index in INDEXES:
            physical = self._physical(conn, index)
            if physical is None:
                self.ensure_index(index, spec)
                physical = self._physical(conn, index)
            return str(physical), spec
        return index, spec

    # --- writes -----------------------------------------------------------------------------------
    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        conn = self._db()
        try:
            physical, spec = self._target(conn, index)
            conn.execute("BEGIN IMMEDIATE")
            for document in documents:
                prepared = prepare(spec, document)
                self._delete_one(conn, physical, prepared.id)
                cursor = conn.execute(
                    f'INSERT INTO "d_{physical}" (id, sort, title, text, data) VALUES (?, ?, ?, ?, ?)',
                                      (prepared.id, prepared.sort, prepared.title, prepared.text,
                                       json.dumps(document, ensure_ascii=False, default=str)))
                rowid = cursor.lastrowid
                conn.execute(f'INSERT INTO "f_{physical}" (rowid, title, text) VALUES (?, ?, ?)',
                             (rowid, prepared.title, prepared.text))
                conn.executemany(f'INSERT INTO "x_{physical}" (field, value, doc) VALUES (?, ?, ?)',
                                 [(name, value, rowid) for name, values in prepared.filters.items()
                                  for value in values])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise SearchUnavailable(str(exc)) from exc

    @staticmethod
    def _delete_one(conn: sqlite3.Connection, physical: str, doc_id: str) -> None:
        row = conn.execute(f'SELECT rowid FROM "d_{physical}" WHERE id = ?', (doc_id,)).fetchone()
        if row:
            conn.execute(f'DELETE FROM "f_{physical}" WHERE rowid = ?', row)
            conn.execute(f'DELETE FROM "x_{physical}" WHERE doc = ?', row)
            conn.execute(f'DELETE FROM "d_{physical}" WHERE rowid = ?', row)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        conn = self._db()
        try:
            physical, _ = self._target(conn, index)
            conn.execute("BEGIN IMMEDIATE")
            for doc_id in ids:
                self._delete_one(conn, physical, str(doc_id))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise SearchUnavailable(str(exc)) from exc

    # --- rebuild without downtime -------------------------------------------------------------
    def begin_rebuild(self, name: str, spec: IndexSpec | None = None) -> str:
        conn = self._db()
        self.ensure_index(name, spec)
        current = self._physical(conn, name) or f"{name}_v1"
        version = int(current.rsplit("_v", 1)[1]) + 1
        physical = f"{name}_v{version}"
        self._drop(conn, physical)
        self._create_tables(conn, physical)
        return physical

    @staticmethod
    def _drop(conn: sqlite3.Connection, physical: str) -> None:
        for prefix in ("d", "f", "x"):
            conn.execute(f'DROP TABLE IF EXISTS "{prefix}_{physical}"')

    def finish_rebuild(self, name: str, new: str) -> None:
        conn = self._db()
        try:
            conn.execute("BEGIN IMMEDIATE")
            old = self._physical(conn, name)
            conn.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)", (name, new))
            if old and old != new:
                self._drop(conn, old)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise SearchUnavailable(str(exc)) from exc

    # --- reads --------------------------------------------------------------------------------
    def all_ids(self, index: str) -> set[str]:
        conn = self._db()
        physical, _ = self._target(conn, index)
        return {row[0] for row in conn.execute(f'SELECT id FROM "d_{physical}"')}

    def get(self, index: str, doc_id: str) -> Document | None:
        conn = self._db()
        physical, _ = self._target(conn, index)
        row = conn.execute(f'SELECT data FROM "d_{physical}" WHERE id = ?', (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _filter_sql(self, physical: str, filters: Filters | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in (filters or {}).items():
            if value is None or value == "" or value == []:
                continue
            values = as_values(value)
            marks = ", ".join("?" * len(values))
            clauses.append(f'd.rowid IN (SELECT doc FROM "x_{physical}" WHERE field = ? AND value IN ({marks}))')
            params.extend([name, *values])
        return (" AND ".join(clauses) or "1"), params

    def search(self, index: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
               sort: str | None = None) -> SearchResult:
        conn = self._db()
        try:
            physical, spec = self._target(conn, index)
            unknown = set(filters or {}) - set(spec.filterable) - {"precinct_id", "institution_id"}
            if unknown:
                raise ValueError(f"not filterable in {index}: {sorted(unknown)}")
            where, params = self._filter_sql(physical, filters)
            terms = query_terms(query)
            order = "d.sort DESC" if sort and sort.endswith(":desc") else "d.sort"
            if not terms:
                total = conn.execute(f'SELECT count(*) FROM "d_{physical}" d WHERE {where}', params).fetchone()[0]
                rows = conn.execute(f'SELECT d.data FROM "d_{physical}" d WHERE {where} ORDER BY {order}, d.id '
                                    f'LIMIT ? OFFSET ?', [*params, limit, offset]).fetchall()
                return SearchResult(hits=[json.loads(r[0]) for r in rows], total=total, limit=limit, offset=offset)
            grams = sorted({g for term in terms for t in (term.text, *term.alternatives) for g in trigrams(t)})
            cap = CANDIDATES if grams else CANDIDATES * 5
            if grams:
                match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
                rows = conn.execute(
                    f'SELECT d.rowid, d.title, d.text, d.sort FROM "f_{physical}" f '
                    f'JOIN "d_{physical}" d ON d.rowid = f.rowid WHERE "f_{physical}" MATCH ? AND {where} '
                    f'ORDER BY f.rank LIMIT {cap + 1}', [match, *params]).fetchall()
            else:  # only one- and two-letter words: scan (filtered) documents
                rows = conn.execute(f'SELECT d.rowid, d.title, d.text, d.sort FROM "d_{physical}" d '
                                    f'WHERE {where} LIMIT {cap + 1}', params).fetchall()
            scored = score(terms, rows[:cap])
            total = len(scored)
            if len(rows) > cap:  # more candidates than checked: count the prefix matches in SQL
                sql, args = prefix_count_sql(physical, terms, where)
                typo_only = sum(1 for item in scored if item[0] > 0)
                total = conn.execute(sql, [*args, *params]).fetchone()[0] + typo_only
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        scored.sort(key=lambda item: item[:3])
        if sort and sort.endswith(":desc"):
            scored.sort(key=lambda item: item[2], reverse=True)
        page = [item[3] for item in scored[offset: offset + limit]]
        try:
            marks = ", ".join("?" * len(page))
            data = dict(conn.execute(f'SELECT rowid, data FROM "d_{physical}" WHERE rowid IN ({marks})', page))
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc
        return SearchResult(hits=[json.loads(data[rowid]) for rowid in page if rowid in data], total=total,
                            limit=limit, offset=offset)

    # --- build stamps -------------------------------------------------------------------------
    def read_stamps(self) -> dict[str, str]:
        try:
            return dict(self._db().execute("SELECT name, token FROM stamps").fetchall())
        except sqlite3.Error as exc:
            raise SearchUnavailable(str(exc)) from exc

    def write_stamp(self, name: str, token: str) -> None:
        try:
            self._db().execute("INSERT OR REPLACE INTO stamps VALUES (?, ?)", (name, token))
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
            conn = self._db()
            physical = [row[0] for row in conn.execute("SELECT physical FROM aliases")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except (SearchUnavailable, sqlite3.Error):
            return False
        return all(f"d_{name}" in tables and f"f_{name}" in tables for name in physical)
