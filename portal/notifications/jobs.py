"""Background jobs of notifications: telling a change at once, and the daily run (07:00, TIME_ZONE)."""

from __future__ import annotations

from portal.jobs import Backoff, job, periodic
from portal.notifications.services import notify_event as tell
from portal.notifications.services import run_daily


@job(max_attempts=5, backoff=Backoff(base=30))
def notify_event(event_id: int) -> int:
    """Tell the change recorded by audit event `event_id` (idempotent: a retry sends nothing twice)."""
    return tell(event_id)


@periodic(cron="0 7 * * *")
@job(max_attempts=3, backoff=Backoff(base=300))
def daily_notifications() -> dict[str, int]:
    """The escalation ladder and the digests for today (`portal remind` runs the same for any date)."""
    return run_daily().as_dict()
