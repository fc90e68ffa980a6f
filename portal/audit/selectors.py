"""Reads of the audit trail, scoped: only admins and supervisors see it in full."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.audit.models import AuditEvent
from portal.core.errors import PermissionDenied
from portal.core.viewer import Role, Viewer


def events_for_objects(
    *, viewer: Viewer, objects: list[tuple[str, int | str]],
) -> QuerySet[AuditEvent]:
    """The trail of several objects at once (a case with its measures and signal), oldest first; the caller
    has checked that the viewer may see each object."""
    if not viewer.has_role(Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OFFICER):
        raise PermissionDenied("You may not read the audit trail.")
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        by_type.setdefault(object_type, []).append(str(object_id))
    match = Q(pk__in=[])
    for object_type, ids in by_type.items():
        match |= Q(object_type=object_type, object_id__in=ids)
    return AuditEvent.objects.filter(match).order_by("at", "id")
