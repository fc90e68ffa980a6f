"""Writing to the search outbox. Services call `enqueue` inside their own transaction,
so a search update exists exactly when the change it reflects was committed."""

from __future__ import annotations

from collections.abc import Iterable

from search.models import OutboxEntry


def enqueue(kind: str, object_id: int | str) -> None:
    """Record that document `kind:object_id` must be re-read from the database and re-indexed
    (or deleted from the index, if the object no longer exists or is no longer public)."""
    OutboxEntry.objects.create(kind=kind, object_id=str(object_id))


def enqueue_many(kind: str, object_ids: Iterable[int | str]) -> None:
    OutboxEntry.objects.bulk_create(
        [OutboxEntry(kind=kind, object_id=str(pk)) for pk in object_ids], batch_size=1000
    )
