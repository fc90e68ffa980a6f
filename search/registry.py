"""What each index holds, where its documents come from, and who may see them — declared by the apps.

`search` knows no domain object. Every app that puts documents into an index declares them in a module
named `search_documents` (found by `discover()`, run from `SearchConfig.ready()`):

    from search.registry import DocumentType, IndexSpec, register_index, register_type

    register_index(IndexSpec("streets", searchable=("name", "kind_name"), filterable=("district_code",)))
    register_type(DocumentType(kind="street", index="streets", load=load_streets, all_ids=street_ids))

- `IndexSpec`: one logical index: searchable fields (most important first), filter and sort fields, and for a
  non-public index the `scope` function saying which documents a viewer may see (see `Scope`).
- `DocumentType`: one kind of object in an index. `load(ids)` reads the database in bulk and returns the
  documents of the objects that belong in the index (an id without a document is removed from it);
  `all_ids()` lists every object that belongs in it (`portal reindex`, `search-sync --verify`);
  `follows` names other kinds whose changes change these documents (a need's public view changes when the
  measure made from an offer for it changes): `search.outbox.enqueue("measure", pk)` then also queues the
  documents `follows["measure"]([pk])` returns, in the same transaction.

Services call `search.outbox.enqueue(kind, pk)` in the transaction of the change; nothing else writes the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]

#: Who may see a document of a scoped index: field → values, a document matching any one of them is visible
#: (`{"institution_id": [3], "precinct_id": [5, 7]}`); `{}` — nothing; `None` — everything.
Scope = Mapping[str, Sequence[int | str]] | None


@dataclass(frozen=True)
class IndexSpec:
    """One logical index: its searchable fields (most important first), filters, sorts and, when it is not
    public, the function giving a viewer's `Scope` (the domain's own access rule, so search and the
    database agree)."""

    name: str
    searchable: tuple[str, ...]
    filterable: tuple[str, ...] = ()
    sortable: tuple[str, ...] = ()
    #: Field the placeholder search (empty text) orders by.
    default_sort: str | None = None
    #: viewer → Scope; None means a public index (anyone may search it).
    scope: Callable[[Any], Scope] | None = None
    #: Fields the scope names (filterable in the engine, never offered as public filters).
    scope_fields: tuple[str, ...] = ()
    #: Fields naming a place among few (a street's settlement and district): a typed word that starts a word of
    #: one of their values narrows the embedded engine's candidates to the documents with a value it matches
    #: (or with the word in their title) through the filter table, instead of joining the FTS match — a
    #: settlement's name matches thousands of documents, and ranking them all cost more than the rest of the query.
    #: Kept in the filter table, never offered as public filters.
    place_fields: tuple[str, ...] = ()

    @property
    def public(self) -> bool:
        return self.scope is None


@dataclass(frozen=True)
class DocumentType:
    kind: str
    index: str
    load: Callable[[Sequence[str]], list[Document]]
    all_ids: Callable[[], Iterable[int | str]]
    #: Document id of an object id: plain pk for public indexes, "case-12" in a shared index.
    id_prefix: str = ""
    #: Other kind → the ids of these documents a change of those objects may change.
    follows: Mapping[str, Callable[[Sequence[str]], Iterable[int | str]]] = field(default_factory=dict)

    def document_id(self, object_id: int | str) -> str:
        return f"{self.id_prefix}{object_id}"


INDEXES: dict[str, IndexSpec] = {}
DOCUMENT_TYPES: dict[str, DocumentType] = {}


def register_index(spec: IndexSpec) -> IndexSpec:
    """Declare (or replace) an index."""
    INDEXES[spec.name] = spec
    return spec


def register_type(document_type: DocumentType) -> DocumentType:
    """Declare (or replace) the documents of one kind; its index must be declared first."""
    if document_type.index not in INDEXES:
        raise LookupError(f"search index {document_type.index!r} is not declared (register_index first)")
    DOCUMENT_TYPES[document_type.kind] = document_type
    return document_type


def document_type(kind: str) -> DocumentType | None:
    return DOCUMENT_TYPES.get(kind)


def types_of_index(index: str) -> list[DocumentType]:
    return [doc_type for doc_type in DOCUMENT_TYPES.values() if doc_type.index == index]


def followers(kind: str) -> list[tuple[DocumentType, Callable[[Sequence[str]], Iterable[int | str]]]]:
    """Document types whose documents a change of `kind` objects may change, with the function naming them."""
    return [(doc_type, doc_type.follows[kind]) for doc_type in DOCUMENT_TYPES.values() if kind in doc_type.follows]


def resolve_index(name: str) -> str:
    """Logical index name from an index name or a document kind ("organisation" → "organisations");
    KeyError when unknown."""
    if name in INDEXES:
        return name
    doc_type = DOCUMENT_TYPES.get(name)
    if doc_type is None:
        raise KeyError(name)
    return doc_type.index


def scope_fields() -> tuple[str, ...]:
    """Every field some index scopes by: always filterable in the engines."""
    return tuple(dict.fromkeys(name for spec in INDEXES.values() for name in spec.scope_fields))


def int_ids(ids: Iterable[int | str]) -> list[int]:
    """The integer primary keys among outbox object ids (anything else names no object)."""
    result = []
    for value in ids:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            continue
    return result


def id_range(ids: Collection[int]) -> tuple[int, int] | None:
    """(lowest, highest) of a batch of ids dense enough to be read by range, else None. A reindex reads in
    primary-key order, and for an IN list of hundreds Django spends more time preparing the values than the
    database reading the rows; the caller drops the rows it did not ask for."""
    if len(ids) < 50:
        return None
    low, high = min(ids), max(ids)
    return (low, high) if high - low < 2 * len(ids) else None


def discover() -> None:
    """Import every installed app's `search_documents` module (each declares its indexes and documents)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("search_documents")
