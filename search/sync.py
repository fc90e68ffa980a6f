"""Applying the outbox: in id order, idempotently (current database state is upserted, or deleted when the
object is gone / no longer public); rows are removed only after the engine acknowledged the write.
A failure leaves the rows (attempts + 1, last error) and stops, so later changes never overtake earlier ones.

Sync and reindex share one lock (`search.locking`): one sync at a time, and none during a reindex, which
applies the outbox itself after each swap (see `reindex`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from search.api import ensure_indexes, get_backend
from search.backends.base import SearchBackend
from search.documents import INDEXES, SOURCES, Source
from search.locking import SearchBusy, search_lock
from search.models import OutboxEntry

logger = logging.getLogger("search")
BATCH = 500
#: How long `reindex` waits for a running sync (or another reindex) to finish, in seconds.
LOCK_WAIT = 300.0


@dataclass
class SyncReport:
    applied: int = 0
    failed: int = 0
    error: str = ""
    #: Another sync or a reindex held the lock: nothing was done (the next run applies the rows).
    busy: bool = False


def apply_rows(backend: SearchBackend, rows: list[OutboxEntry]) -> None:
    """Write the current state of every object named by `rows` (any order inside one batch is fine:
    each document is read from the database once, as it is now)."""
    by_kind: dict[str, list[str]] = {}
    for row in rows:
        ids = by_kind.setdefault(row.kind, [])
        if row.object_id not in ids:
            ids.append(row.object_id)
    for kind, object_ids in by_kind.items():
        source = SOURCES.get(kind)
        if source is None:
            logger.warning("search outbox: no source for kind %r, %d rows skipped", kind, len(object_ids))
            continue
        write_objects(backend, source, object_ids)


def write_objects(backend: SearchBackend, source: Source, object_ids: list[str], index: str | None = None) -> int:
    documents = source.load(object_ids)
    present = {str(doc["id"]) for doc in documents}
    gone = [source.document_id(pk) for pk in object_ids if source.document_id(pk) not in present]
    target = index or source.index
    backend.upsert(target, documents)
    if gone and index is None:
        backend.delete(target, gone)
    return len(documents)


def sync(*, backend: SearchBackend | None = None, batch: int = BATCH,
         progress: Callable[[int], None] | None = None) -> SyncReport:
    """Apply the outbox, unless another sync or a reindex is running (then `busy` and nothing is done)."""
    with search_lock() as held:
        if not held:
            return SyncReport(busy=True)
        return _drain(backend or get_backend(), batch=batch, progress=progress)


def _drain(backend: SearchBackend, *, batch: int = BATCH,
           progress: Callable[[int], None] | None = None) -> SyncReport:
    """Apply every outbox row; the caller holds the search lock."""
    report = SyncReport()
    try:
        ensure_indexes(backend)
    except Exception as exc:
        report.error = str(exc) or exc.__class__.__name__
        return report
    last_id = 0
    while True:
        rows = list(OutboxEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return report
        try:
            apply_rows(backend, rows)
        except Exception as exc:  # engine down or refused: keep the rows, try again later
            logger.warning("search sync failed: %s", exc)
            OutboxEntry.objects.filter(id__in=[r.id for r in rows]).update(
                attempts=F("attempts") + 1, last_error=(str(exc) or exc.__class__.__name__)[:2000])
            report.failed = len(rows)
            report.error = str(exc) or exc.__class__.__name__
            return report
        with transaction.atomic():
            OutboxEntry.objects.filter(id__in=[r.id for r in rows]).delete()
        report.applied += len(rows)
        last_id = rows[-1].id
        if progress:
            progress(len(rows))


def reindex(*, backend: SearchBackend | None = None, indexes: list[str] | None = None,
            progress_factory: Callable[[str, int], Callable[[int], None]] | None = None,
            chunk: int = 500, lock_wait: float = LOCK_WAIT) -> dict[str, int]:
    """Build every index anew under a new physical name, then switch to it atomically.

    Holds the search lock throughout, so no sync writes to the old live index meanwhile (that write would be
    lost at the swap). Outbox rows already committed when an index's build starts are settled by its swap;
    the rest (changes made during the rebuild) are applied to the new live indexes at the end. Raises
    SearchBusy when the lock stays taken."""
    backend = backend or get_backend()
    with search_lock(wait=lock_wait) as held:
        if not held:
            raise SearchBusy("another search sync or reindex is running")
        return _rebuild(backend, indexes or list(INDEXES), progress_factory, chunk)


def _rebuild(backend: SearchBackend, names: list[str],
             progress_factory: Callable[[str, int], Callable[[int], None]] | None, chunk: int) -> dict[str, int]:
    ensure_indexes(backend)
    counts: dict[str, int] = {}
    for name in names:
        sources = [s for s in SOURCES.values() if s.index == name]
        # Outbox rows committed before the build starts describe changes the build reads anyway: they are
        # settled by the swap, not applied again (after a seed that is the whole region, twice over).
        covered = list(OutboxEntry.objects.filter(kind__in=[s.kind for s in sources]).values_list("id", flat=True))
        new = backend.begin_rebuild(name, INDEXES[name])
        written = 0
        for source in sources:
            ids = [str(pk) for pk in source.all_ids()]
            step = progress_factory(f"{name}:{source.kind}", len(ids)) if progress_factory else None
            for start in range(0, len(ids), chunk):
                part = ids[start: start + chunk]
                written += write_objects(backend, source, part, index=new)
                if step:
                    step(len(part))
        backend.finish_rebuild(name, new)
        counts[name] = written
        for start in range(0, len(covered), 5000):
            OutboxEntry.objects.filter(id__in=covered[start: start + 5000]).delete()
    report = _drain(backend)  # changes made while the indexes were being rebuilt
    if report.error:
        logger.warning("search outbox after the rebuild: %s (left for the next sync)", report.error)
    return counts
