"""Writing audit records. Called by every service that changes personal data or a measure."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from portal.core.viewer import Viewer
from portal.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return value.name or None
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Concrete field values of an instance, for diffing before/after a change."""
    names = list(fields) if fields is not None else [
        f.attname for f in instance._meta.concrete_fields if not f.primary_key
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def record(
    *,
    viewer: Viewer,
    action: str,
    verb: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    changes: dict[str, list[Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    return AuditEvent.objects.create(
        actor_subject=viewer.subject or "anonymous",
        actor_name=viewer.audit_name[:255],
        actor_organisation=viewer.organisation_code or viewer.institution_code or "",
        action=action,
        verb=verb,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=str(obj)[:255] if obj is not None else "",
        changes=changes or {},
        details=details or {},
    )


def record_created(*, viewer: Viewer, verb: str, obj: models.Model, details: dict[str, Any] | None = None) -> None:
    after = snapshot(obj)
    record(
        viewer=viewer, action=AuditEvent.Action.CREATE, verb=verb, obj=obj,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}, details=details,
    )


def record_changed(
    *,
    viewer: Viewer,
    verb: str,
    obj: models.Model,
    before: dict[str, Any],
    action: str = AuditEvent.Action.UPDATE,
    details: dict[str, Any] | None = None,
) -> None:
    after = snapshot(obj, before.keys())
    record(viewer=viewer, action=action, verb=verb, obj=obj, changes=diff(before, after), details=details)


def record_read(*, viewer: Viewer, verb: str, obj: models.Model, fields: Iterable[str]) -> None:
    """An access record for a read of personal data (152-FZ art. 19)."""
    record(
        viewer=viewer, action=AuditEvent.Action.READ, verb=verb, obj=obj,
        details={"fields": sorted(set(fields))},
    )
