"""Background jobs of search (portal.jobs): the outbox is applied right after a commit that wrote outbox rows
(`search.outbox` asks for a run), every minute as a safety net, and every hour with a comparison of each index
with the database."""

from __future__ import annotations

from datetime import timedelta

from portal.jobs import Backoff, job, periodic
from search.sync import SyncReport, sync


class SearchSyncNotDone(Exception):
    """The outbox was not applied (engine failed, or another sync held the lock): the job is retried."""


def _checked(report: SyncReport) -> dict[str, object]:
    if report.busy:
        raise SearchSyncNotDone("another search sync or a reindex is running")
    if report.error:
        raise SearchSyncNotDone(report.error)
    return {"applied": report.applied, "rebuilt": report.rebuilt, "repaired": report.repaired}


@job(max_attempts=8, backoff=Backoff(base=2, factor=3, cap=600), priority=20)
def sync_search() -> dict[str, object]:
    """Apply the pending outbox rows (enqueued after a commit that wrote some)."""
    return _checked(sync())


@periodic(every=timedelta(minutes=1))
@job()
def sync_search_periodically() -> dict[str, object]:
    """Safety net: rows written while no worker ran, or by code that did not ask for a run."""
    return _checked(sync())


@periodic(every=timedelta(hours=1))
@job()
def verify_search_indexes() -> dict[str, object]:
    """Compare every index with the database and repair what differs (lost documents, lost indexes)."""
    return _checked(sync(verify=True))
