"""Reads of notifications: a person's in-app list and unread count, their opt-outs, and which measures'
organisations could not be told («организация не уведомлена»)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from portal.cases.models import Signal
from portal.core.viewer import Viewer
from portal.notifications.models import Channel, Kind, Notification, OptOut

#: The kinds a person may receive with an account, in the order the settings page lists them.
PERSONAL_KINDS = [kind for kind in Kind if kind != Kind.NEEDS_DIGEST]


def inbox(*, viewer: Viewer) -> QuerySet[Notification]:
    """The viewer's in-app notifications, newest first (none for a visitor without an account)."""
    if viewer.user_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=viewer.user_id, channel=Channel.IN_APP).order_by("-created_at", "-pk")


def unread_count(*, viewer: Viewer) -> int:
    return inbox(viewer=viewer).filter(read_at__isnull=True).count()


def opted_out(*, viewer: Viewer) -> set[tuple[str, str]]:
    if viewer.user_id is None:
        return set()
    return set(OptOut.objects.filter(user_id=viewer.user_id).values_list("kind", "channel"))


def organisations_not_notified(*, measure_ids: Iterable[int]) -> set[int]:
    """Of `measure_ids`, the measures whose responsible organisation was not told of its assignment (it had no
    address): the coordinator is shown «организация не уведомлена»."""
    ids = [str(pk) for pk in measure_ids]
    if not ids:
        return set()
    return {int(pk) for pk in Notification.objects.filter(
        channel=Channel.NONE, object_type="cases.measure", object_id__in=ids, kind=Kind.MEASURE_ASSIGNED,
    ).values_list("object_id", flat=True)}


@dataclass(frozen=True)
class ReportedSignal:
    """What the reporting organisation learns of a signal it sent: its number, date and status — never the
    findings, the persons or the case."""

    number: int
    received_on: dt.date
    status: str
    status_label: str


def reported_signals(*, viewer: Viewer, limit: int = 200) -> list[ReportedSignal]:
    """The signals the viewer's partner organisation reported (by anyone of it, or registered for it by staff),
    newest first, with their status (received, being checked, confirmed, not confirmed)."""
    from django.utils import timezone

    if not viewer.is_partner:
        return []
    rows = (Signal.objects.filter(reporter_organisation_id=viewer.organisation_id)
            .order_by("-received_at", "-pk").values_list("pk", "received_at", "status")[:limit])
    labels = dict(Signal.Status.choices)
    return [ReportedSignal(pk, timezone.localdate(received), status, str(labels.get(status, status)))
            for pk, received, status in rows]
