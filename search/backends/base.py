"""The contract every search engine adapter fulfils (embedded SQLite FTS5, Meilisearch)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from search.registry import IndexSpec, Scope

Document = dict[str, Any]
#: Filters: field → value or list of values (any of them); several fields are all required.
Filters = Mapping[str, Any]


class SearchUnavailable(Exception):
    """The search engine cannot answer (down, misconfigured): callers fall back to the database."""


@dataclass(frozen=True)
class SearchResult:
    hits: list[Document] = field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0


@runtime_checkable
class SearchBackend(Protocol):
    def ensure_index(self, name: str, spec: IndexSpec) -> None: ...

    def upsert(self, index: str, documents: Sequence[Document]) -> None: ...

    def delete(self, index: str, ids: Sequence[str]) -> None: ...

    def search(self, index: str, query: str, *, filters: Filters | None = None, limit: int = 20, offset: int = 0,
               sort: str | None = None, scope: Scope = None) -> SearchResult:
        """`filters` select (every field required); `scope` restricts what may be seen at all (any of its field
        values suffices, `search.registry.Scope`); None — no restriction."""
        ...

    def begin_rebuild(self, name: str, spec: IndexSpec) -> str:
        """Create an empty new version of index `name`; returns its physical name for `upsert`."""
        ...

    def finish_rebuild(self, name: str, new: str) -> None:
        """Atomically make `new` the live index `name`, drop the old one."""
        ...

    def read_stamps(self) -> dict[str, str]:
        """Build token of each logical index the engine holds (see `search.sync`)."""
        ...

    def write_stamp(self, name: str, token: str) -> None: ...

    def document_ids(self, index: str) -> set[str]:
        """Every document id in a live index (as the engine stores it)."""
        ...

    def health(self) -> bool: ...


def as_values(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]
