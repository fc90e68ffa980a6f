"""Writing to the search outbox: the one way a change reaches the search indexes.

Services call `enqueue(kind, pk)` / `enqueue_many(kind, pks)` inside their own transaction, so a search update
exists exactly when the change it reflects was committed. The rows name the object's own document (when `kind`
is a document type) and the documents of every type that follows `kind` (`DocumentType.follows`: closing a case
changes the public view of its needs), read in the same transaction. Once that transaction commits, a
background run of `search.jobs.sync_search` is asked for (one per transaction, none while one is waiting), so a
change is searchable within seconds wherever `portal worker` runs."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.jobs import enqueue_unique
from search import registry
from search.jobs import sync_search
from search.models import OutboxEntry


def _request_sync() -> None:
    enqueue_unique(sync_search, background_only=True)


def _sync_after_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _request_sync for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_request_sync, robust=True)  # a queue hiccup must not fail the caller's commit


def enqueue(kind: str, object_id: int | str) -> None:
    """Record that object `kind:object_id` changed: its document (and those following it) must be re-read from
    the database and re-indexed (or deleted from the index, if the object is gone or no longer public)."""
    enqueue_many(kind, [object_id])


def enqueue_many(kind: str, object_ids: Iterable[int | str]) -> None:
    ids = list(dict.fromkeys(str(pk) for pk in object_ids))
    if not ids:
        return
    followers = registry.followers(kind)
    rows = [OutboxEntry(kind=kind, object_id=pk) for pk in ids] if registry.document_type(kind) or not followers \
        else []
    for follower, documents_of in followers:
        rows += [OutboxEntry(kind=follower.kind, object_id=str(pk)) for pk in dict.fromkeys(documents_of(ids))]
    if rows:
        OutboxEntry.objects.bulk_create(rows, batch_size=1000)
        _sync_after_commit()
