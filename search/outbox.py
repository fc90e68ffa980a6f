"""Writing to the search outbox. Services call `enqueue` inside their own transaction,
so a search update exists exactly when the change it reflects was committed. Once that transaction commits, a
background run of `search.jobs.sync_search` is asked for (one per transaction, none while one is waiting), so
a change is searchable within seconds wherever `portal worker` runs."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from search.models import OutboxEntry


def _request_sync() -> None:
    from portal.jobs import enqueue_unique
    from search.jobs import sync_search

    enqueue_unique(sync_search, background_only=True)


def _sync_after_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _request_sync for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_request_sync, robust=True)  # a queue hiccup must not fail the caller's commit


def enqueue(kind: str, object_id: int | str) -> None:
    """Record that document `kind:object_id` must be re-read from the database and re-indexed
    (or deleted from the index, if the object no longer exists or is no longer public)."""
    OutboxEntry.objects.create(kind=kind, object_id=str(object_id))
    _sync_after_commit()


def enqueue_many(kind: str, object_ids: Iterable[int | str]) -> None:
    OutboxEntry.objects.bulk_create(
        [OutboxEntry(kind=kind, object_id=str(pk)) for pk in object_ids], batch_size=1000
    )
    _sync_after_commit()
