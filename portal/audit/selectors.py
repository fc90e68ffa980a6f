"""Reads of the audit trail, scoped: only admins and supervisors see it in full."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.audit.models import AuditEvent
from portal.core.errors import PermissionDenied
from portal.core.viewer import Role, Viewer


def events_for_object(*, viewer: Viewer, object_type: str, object_id: int | str) -> QuerySet[AuditEvent]:
    if not viewer.has_role(Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OFFICER):
        raise PermissionDenied("You may not read the audit trail.")
    return AuditEvent.objects.for_object(object_type, object_id).order_by("at", "id")
