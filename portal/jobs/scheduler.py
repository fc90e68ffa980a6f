"""The scheduler: enqueues periodic jobs when due. Every `portal worker` runs it; no leader is needed, since a
due run is claimed by a compare-and-set on its ScheduleState row (one UPDATE … WHERE next_run_at = <read
value>), which exactly one scheduler wins on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.jobs.models import ScheduleState
from portal.jobs.registry import PERIODIC, Periodic

logger = logging.getLogger("portal.jobs.scheduler")


def _state(schedule: Periodic, now: datetime) -> ScheduleState:
    try:
        with transaction.atomic():
            state, _created = ScheduleState.objects.get_or_create(
                name=schedule.name, defaults={"next_run_at": schedule.first_run(now)})
    except IntegrityError:  # another scheduler created it at the same moment
        state = ScheduleState.objects.get(name=schedule.name)
    return state


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due at `now`; returns the names enqueued by this call. Runs missed
    while no worker was up are caught up with one run, not one per missed slot."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for schedule in list(PERIODIC.values()):
        state = _state(schedule, now)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            claimed = ScheduleState.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
                next_run_at=schedule.next_after(now), last_enqueued_at=now)
            if claimed:
                schedule.task.enqueue()
                enqueued.append(schedule.name)
    if enqueued:
        logger.info("periodic jobs enqueued", extra={"jobs": enqueued})
    return enqueued
