"""Scheduled work of the cases app."""

from __future__ import annotations

from portal.cases import retention
from portal.core.viewer import Viewer
from portal.jobs import job, periodic


@periodic(cron="15 2 * * *")
@job(max_attempts=3)
def anonymise_due_persons() -> dict[str, int]:
    """Nightly: anonymise the persons whose retention period is over or whose processing consent was withdrawn
    (portal.cases.retention)."""
    return retention.anonymise_due_persons(viewer=Viewer.system("retention"))
