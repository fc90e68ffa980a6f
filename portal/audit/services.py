"""Writing audit records. Called by every service that changes personal data or a measure."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from portal.audit.models import AuditEvent
from portal.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from portal.core.statements import InsertStatement
from portal.core.viewer import Viewer

P = ParamSpec("P")
T = TypeVar("T")


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
    if isinstance(value, FieldFile):  # file fields (an empty one has no url)
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


def _event(
    *, viewer: Viewer, action: str, verb: str, obj: models.Model | None = None, object_type: str | None = None,
    object_id: int | str | None = None, object_repr: str | None = None, changes: dict[str, list[Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit row, not yet written: who (the viewer), what (action, verb), on which object."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = str(obj) if object_repr is None else object_repr
    return AuditEvent(
        actor_subject=viewer.subject or "anonymous",
        actor_name=viewer.audit_name[:255],
        actor_organisation=viewer.organisation_code or viewer.institution_code or "",
        action=action,
        verb=verb,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:255],
        changes=changes or {},
        details=details or {},
    )


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
    event = _event(viewer=viewer, action=action, verb=verb, obj=obj, object_type=object_type, object_id=object_id,
                   changes=changes, details=details)
    _ROW.save_new(event, using=transaction.get_connection().alias)
    return event


#: An audit row is written on every change: by a statement built once, with the signals of a save (the reports
#: ledger and the notifications follow the trail) — building Django's INSERT cost more than running it (issue 18).
_ROW = InsertStatement(AuditEvent)


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


@dataclass(frozen=True)
class Read:
    """One read of personal data: the object read (or its type, id and a label that holds no personal data) and
    the fields read; `details` adds context (e.g. the measure through which a partner read a person)."""

    verb: str
    fields: Iterable[str]
    obj: models.Model | None = None
    object_type: str | None = None
    object_id: int | str | None = None
    object_repr: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record_reads(*, viewer: Viewer, reads: Iterable[Read]) -> None:
    """Access records for reads of personal data (152-FZ art. 19), written in one statement."""
    AuditEvent.objects.bulk_create([
        _event(viewer=viewer, action=AuditEvent.Action.READ, verb=read.verb, obj=read.obj,
               object_type=read.object_type, object_id=read.object_id, object_repr=read.object_repr,
               details={"fields": sorted(set(read.fields)), **read.details})
        for read in reads
    ])


def record_read(*, viewer: Viewer, verb: str, obj: models.Model, fields: Iterable[str]) -> None:
    """An access record for a read of personal data (152-FZ art. 19)."""
    record_reads(viewer=viewer, reads=[Read(verb=verb, fields=fields, obj=obj)])


#: Refusals kept in the audit trail as attempts: not found (which is also how an object outside the caller's
#: scope is reported), not allowed, not possible in the object's state, changed by someone else meanwhile.
#: Validation errors are the caller's typos, not attempts.
AUDITED_REFUSALS: tuple[type[DomainError], ...] = (NotFound, PermissionDenied, InvalidTransition, Conflict)


def record_attempt(
    *, viewer: Viewer, verb: str, object_type: str, object_id: int | str | None, code: str, message: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An attempt row: who tried what on which object, and why it was refused."""
    return record(viewer=viewer, action=AuditEvent.Action.ATTEMPT, verb=verb, object_type=object_type,
                  object_id=object_id, details={"refused": code, "message": message, **(details or {})})


def _refusal_details(error: DomainError) -> dict[str, Any]:
    """What an attempt row keeps of a refusal: its message, or — for a refusal to publish personal data — the
    kinds and keys of what was found (`error.findings`), never the data itself (the trail is kept for years)."""
    findings = error.findings
    return {"refused": error.code, "findings": findings} if findings is not None else {
        "refused": error.code, "message": error.message}


def _targets(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The identifiers a refused call named (`…_id` and `version` arguments), for the attempt row."""
    return {name: value for name, value in kwargs.items()
            if (name.endswith("_id") or name == "version") and isinstance(value, int | str | None)}


def audited_write(
    verb: str, *, object_type: str, id_arg: str | None = None,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator of a service write (keyword-only, with `viewer=`): one transaction, and a refused call
    (`AUDITED_REFUSALS`) leaves an attempt row — written after the rollback of the work, so it stays —
    before the refusal is re-raised. The one place where services audit their refusals."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except DomainError as error:
                refused = isinstance(error, AUDITED_REFUSALS) or error.findings is not None
                viewer = kwargs.get("viewer")
                # a nested audited write has kept it already; invalid input is not an attempt
                if refused and isinstance(viewer, Viewer) and not error.audited:
                    object_id = kwargs.get(id_arg) if id_arg else None
                    record(viewer=viewer, action=AuditEvent.Action.ATTEMPT, verb=verb, object_type=object_type,
                           object_id=str(object_id)[:64] if object_id is not None else None,
                           details={**_refusal_details(error), "arguments": _targets(dict(kwargs))})
                    error.audited = True
                raise

        return wrapper

    return decorate
