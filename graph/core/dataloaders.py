"""The base of the gateway's dataloaders: one class per relation (in each domain's `dataloaders` module), one
instance per request (`GraphContext.loader`). Nested fields of a page are loaded in one query (and one thread
hop) per relation, however long the page is. Each loader reads through a domain selector scoped by the
request's Viewer, so a loader never widens what the selectors allow."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph.context import GraphContext
from graph.unit import run_unit

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class ScopedLoader(DataLoader[K, V], Generic[K, V]):
    """Loads the keys of one batch with `fetch` (sync, one unit of work); a key `fetch` does not answer (not
    visible, or nothing related) gets `missing()`."""

    def __init__(self, context: GraphContext) -> None:
        super().__init__(load_fn=self._load_batch)
        self.context = context
        self.viewer = context.viewer

    async def _load_batch(self, keys: list[K]) -> Sequence[V]:
        found = await run_unit(self.context, self.fetch, list(keys))
        return [found[key] if key in found else self.missing() for key in keys]

    def fetch(self, keys: list[K]) -> Mapping[K, V]:
        raise NotImplementedError

    def missing(self) -> V:
        raise NotImplementedError


class ObjectLoader(ScopedLoader[int, T | None], Generic[T]):
    """One object by id; None when the viewer may not see it."""

    def missing(self) -> T | None:
        return None


class ListLoader(ScopedLoader[int, list[T]], Generic[T]):
    """The related rows of a parent (capped per parent by the selector); [] when none is visible."""

    def missing(self) -> list[T]:
        return []
