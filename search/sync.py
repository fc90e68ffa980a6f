"""Applying the outbox: in id order, idempotently (current database state is upserted, or deleted when the
object is gone / no longer public); rows are removed only after the engine acknowledged the write.
A failure leaves the rows (attempts + 1, last error) and stops, so later changes never overtake earlier ones.

Sync and reindex share one lock (`search.locking`): one sync at a time, and none during a reindex, which
applies the outbox itself after each swap (see `reindex`).

Lost or partial indexes: the outbox only carries changes, so an index that was lost (engine data wiped,
embedded file deleted) or restored from an older copy would stay incomplete for good. Every build writes a
random token into the engine and into `IndexStamp`; `sync` compares them after draining and rebuilds every
index whose token is missing or different. `sync(verify=True)` also compares the ids in each index with the
ids its sources list (pending outbox rows aside) and writes the missing documents / removes the extra ones."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search.api import ensure_indexes, get_backend
from search.backends.base import SearchBackend
from search.locking import SearchBusy, search_lock
from search.models import IndexStamp, OutboxEntry
from search.registry import INDEXES, Document, DocumentType, document_type, types_of_index

logger = logging.getLogger("search")
BATCH = 500
#: Documents a rebuild writes to the engine at once (read from the database `chunk` objects at a time).
REBUILD_WRITE = 5000
#: How long `reindex` waits for a running sync (or another reindex) to finish, in seconds.
LOCK_WAIT = 300.0


@dataclass
class SyncReport:
    applied: int = 0
    failed: int = 0
    error: str = ""
    #: Another sync or a reindex held the lock: nothing was done (the next run applies the rows).
    busy: bool = False
    #: Indexes found lost or stale (build token missing or different in the engine) and rebuilt.
    rebuilt: list[str] = field(default_factory=list)
    #: Documents written or removed because an index did not hold what its sources list (`verify`).
    repaired: int = 0

    @property
    def ok(self) -> bool:
        return not self.error


def apply_rows(backend: SearchBackend, rows: list[OutboxEntry]) -> None:
    """Write the current state of every object named by `rows` (any order inside one batch is fine:
    each document is read from the database once, as it is now)."""
    by_kind: dict[str, list[str]] = {}
    for row in rows:
        ids = by_kind.setdefault(row.kind, [])
        if row.object_id not in ids:
            ids.append(row.object_id)
    for kind, object_ids in by_kind.items():
        source = document_type(kind)
        if source is None:
            logger.warning("search outbox: no document type for kind %r, %d rows skipped", kind, len(object_ids))
            continue
        write_objects(backend, source, object_ids)


def write_objects(backend: SearchBackend, source: DocumentType, object_ids: list[str], index: str | None = None) -> int:
    documents = source.load(object_ids)
    present = {str(doc["id"]) for doc in documents}
    gone = [source.document_id(pk) for pk in object_ids if source.document_id(pk) not in present]
    target = index or source.index
    backend.upsert(target, documents)
    if gone and index is None:
        backend.delete(target, gone)
    return len(documents)


def sync(*, backend: SearchBackend | None = None, batch: int = BATCH,
         progress: Callable[[int], None] | None = None, verify: bool = False) -> SyncReport:
    """Apply the outbox, unless another sync or a reindex is running (then `busy` and nothing is done);
    then rebuild every lost or stale index and, with `verify`, repair documents missing from an index."""
    with search_lock() as held:
        if not held:
            return SyncReport(busy=True)
        backend = backend or get_backend()
        report = _drain(backend, batch=batch, progress=progress)
        if report.error:
            return report
        try:
            lost = lost_indexes(backend)
            if lost:
                logger.warning("search: indexes %s are lost or stale in the engine: rebuilding them", lost)
                _rebuild(backend, lost, None, BATCH)
                report.rebuilt = lost
                after = _drain(backend, batch=batch, progress=progress)  # changes made during the rebuild
                report.applied += after.applied
                report.failed, report.error = after.failed, after.error
            if verify and not report.error:
                report.repaired = reconcile(backend)
        except Exception as exc:  # engine down or refused: the next run tries again
            logger.warning("search sync failed: %s", exc)
            report.error = str(exc) or exc.__class__.__name__
        return report


def lost_indexes(backend: SearchBackend) -> list[str]:
    """Indexes whose build token in the engine is missing or differs from the last build's (`IndexStamp`);
    an index never built completely counts as lost too. Raises SearchUnavailable when the engine fails."""
    expected = dict(IndexStamp.objects.values_list("name", "token"))
    actual = backend.read_stamps()
    return [name for name in INDEXES if not expected.get(name) or actual.get(name) != expected[name]]


def reconcile(backend: SearchBackend) -> int:
    """Make every index hold exactly the documents of its sources' ids (pending outbox rows aside: the next
    drain applies them). Returns the number of documents written or removed; the caller holds the lock."""
    stored: Callable[[str], str] = getattr(backend, "stored_id", str)
    total = 0
    for name in INDEXES:
        changed = 0
        sources = types_of_index(name)
        expected = {source.kind: [str(pk) for pk in source.all_ids()] for source in sources}
        pending: dict[str, set[str]] = {}
        kinds = [source.kind for source in sources]
        for kind, object_id in OutboxEntry.objects.filter(kind__in=kinds).values_list("kind", "object_id"):
            pending.setdefault(kind, set()).add(object_id)
        present = backend.document_ids(name)
        known = {stored(s.document_id(pk)) for s in sources for pk in expected[s.kind]}
        known |= {stored(s.document_id(pk)) for s in sources for pk in pending.get(s.kind, ())}
        for source in sources:
            missing = [pk for pk in expected[source.kind]
                       if stored(source.document_id(pk)) not in present and pk not in pending.get(source.kind, ())]
            for start in range(0, len(missing), BATCH):
                changed += write_objects(backend, source, missing[start: start + BATCH])
        extra = sorted(present - known)
        if extra:
            backend.delete(name, extra)
            changed += len(extra)
        if changed:
            logger.warning("search: index %s did not hold what its sources list: %d documents repaired",
                           name, changed)
        total += changed
    return total


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
        counts = _rebuild(backend, indexes or list(INDEXES), progress_factory, chunk)
        report = _drain(backend)  # changes made while the indexes were being rebuilt
        if report.error:
            logger.warning("search outbox after the rebuild: %s (left for the next sync)", report.error)
        return counts


def _rebuild(backend: SearchBackend, names: list[str],
             progress_factory: Callable[[str, int], Callable[[int], None]] | None, chunk: int) -> dict[str, int]:
    ensure_indexes(backend)
    counts: dict[str, int] = {}
    for name in names:
        sources = types_of_index(name)
        # Outbox rows committed before the build starts describe changes the build reads anyway: they are
        # settled by the swap, not applied again (after a seed that is the whole region, twice over).
        covered = list(OutboxEntry.objects.filter(kind__in=[s.kind for s in sources]).values_list("id", flat=True))
        new = backend.begin_rebuild(name, INDEXES[name])
        written = 0
        for source in sources:
            ids = [str(pk) for pk in source.all_ids()]
            step = progress_factory(f"{name}:{source.kind}", len(ids)) if progress_factory else None
            loaded: list[Document] = []
            for start in range(0, len(ids), chunk):
                part = ids[start: start + chunk]
                loaded += source.load(part)
                if len(loaded) >= REBUILD_WRITE or start + chunk >= len(ids):
                    backend.upsert(new, loaded)  # large writes: the engines index a big batch much faster
                    written += len(loaded)
                    loaded = []
                if step:
                    step(len(part))
        backend.finish_rebuild(name, new)
        counts[name] = written
        token = uuid.uuid4().hex  # engine first: a crash in between leaves a mismatch, i.e. another rebuild
        backend.write_stamp(name, token)
        IndexStamp.objects.update_or_create(name=name, defaults={"token": token, "built_at": timezone.now(),
                                                                 "documents": written})
        for start in range(0, len(covered), 5000):
            OutboxEntry.objects.filter(id__in=covered[start: start + 5000]).delete()
    return counts
