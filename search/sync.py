"""Applying the outbox: in id order, idempotently (current database state is upserted, or deleted when the
object is gone / no longer public); rows are removed only after the engine acknowledged the write.
A failure leaves the rows (attempts + 1, last error) and stops, so later changes never overtake earlier ones."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from search.api import ensure_indexes, get_backend
from search.backends.base import SearchBackend
from search.documents import INDEXES, SOURCES, Source
from search.models import OutboxEntry

logger = logging.getLogger("search")
BATCH = 500


@dataclass
class SyncReport:
    applied: int = 0
    failed: int = 0
    error: str = ""


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
    backend = backend or get_backend()
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
            chunk: int = 500) -> dict[str, int]:
    """Build every index anew under a new physical name, then switch to it atomically.
    Outbox rows are left alone: changes made during the rebuild are applied again by the next sync."""
    backend = backend or get_backend()
    ensure_indexes(backend)
    counts: dict[str, int] = {}
    for name in indexes or list(INDEXES):
        sources = [s for s in SOURCES.values() if s.index == name]
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
    return counts
