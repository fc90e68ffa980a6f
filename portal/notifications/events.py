"""How changes reach notifications: the audit trail is the domain's record of every change, so a new audit
event of a change someone must be told of (a measure assigned, reassigned or cancelled; a signal's status) asks
for a background job once its transaction commits. The domain apps call nothing here and import nothing from
here: the dependency runs notifications → audit and cases, and a rolled-back change tells nobody."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from portal.audit.models import AuditEvent
from portal.core.mail import capturing
from portal.jobs import enqueue_on_commit
from portal.notifications.jobs import notify_event

#: Audit verbs of measures whose events are told at once.
MEASURE_VERBS = frozenset({"measure.assign", "measure.reassign", "measure.cancel"})


def told_at_once(event: AuditEvent) -> bool:
    """A measure assigned, reassigned or cancelled; a signal whose status changed (by whichever service: the
    check, the inspection act, the decision)."""
    if event.action == AuditEvent.Action.ATTEMPT:
        return False
    if event.object_type == "cases.measure":
        return event.verb in MEASURE_VERBS
    if event.object_type == "cases.signal":
        before, after = (event.changes or {}).get("status") or (None, None)
        return bool(before and after and before != after)
    return False


def _on_audit_event(sender: type[AuditEvent], instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if not created or not told_at_once(instance):
        return
    if capturing():  # the demo loader builds its history: the loaded state is where notifications start
        return
    enqueue_on_commit(notify_event, instance.pk)


def connect() -> None:
    post_save.connect(_on_audit_event, sender=AuditEvent, dispatch_uid="portal.notifications.audit_event")
