"""The history of a measure (история мероприятия) for people: which recorded changes a reader sees, the labels
of fields and values in the reader's language, and why a refused attempt was refused. Shared by the gateway's
`Measure.history` and the partner workspace; the events come from `selectors.measure_histories` (scoped, with
other partners' people redacted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEvent
from portal.cases.models import Measure
from portal.partners.models import HelpKind

#: Fields of a measure whose changes the history shows (the responsible organisation only to staff).
HISTORY_FIELDS = ("status", "result", "done_on", "not_fulfilled_reason", "cancel_reason", "deadline", "task",
                  "content", "place", "responsible_person", "kind", "version")
STAFF_HISTORY_FIELDS = (*HISTORY_FIELDS, "organisation_id", "shared_fields")

#: Why an attempt was refused, by the refusal's error code.
REFUSAL_LABELS: dict[str, Promise] = {
    "conflict": _("someone else had changed it first"),
    "forbidden": _("not allowed for this user"),
    "invalid_transition": _("not possible in its state"),
    "not_found": _("not found"),
    "validation_failed": _("invalid data"),
}

#: Choice fields of a measure, whose values the history shows by their labels.
CHOICE_LABELS: dict[str, Any] = {"status": Measure.Status, "kind": HelpKind}
DATE_FIELDS = frozenset({"deadline", "done_on"})


def refusal_label(code: str) -> str:
    label = REFUSAL_LABELS.get(code)
    return str(label) if label is not None else str(_("refused (%(code)s)") % {"code": code})


def field_label(name: str) -> str:
    """The verbose name of a measure's field (`organisation_id` → responsible organisation)."""
    try:
        field = Measure._meta.get_field(name.removesuffix("_id"))
        return str(field.verbose_name if isinstance(field, models.Field) else name)  # a reverse relation has none
    except FieldDoesNotExist:
        return name


def value_label(name: str, value: Any) -> str | None:
    """A recorded value for people, in the active language: a choice's label, a localized date (None stays
    None)."""
    if value is None:
        return None
    if name in CHOICE_LABELS and isinstance(value, str):
        labels = dict(CHOICE_LABELS[name].choices)
        return str(labels.get(value, value))
    if name in DATE_FIELDS and isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    """A change of one field; the labels follow the language active when they are read."""

    field: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        return field_label(self.field)

    @property
    def before_label(self) -> str | None:
        return value_label(self.field, self.before)

    @property
    def after_label(self) -> str | None:
        return value_label(self.field, self.after)


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a measure's history as its reader may see it."""

    at: dt.datetime
    action: str
    verb: str
    #: Empty when the actor belongs to another partner organisation.
    actor_name: str
    actor_organisation: str
    changes: list[FieldChange]
    #: Code of the refusal of an attempt (as the gateway's error codes), None for a change.
    refused: str | None

    @property
    def action_label(self) -> str:
        return str(AuditEvent.Action(self.action).label) if self.action in AuditEvent.Action.values else self.action

    @property
    def refused_label(self) -> str | None:
        return refusal_label(self.refused) if self.refused else None


def history_entries(events: Iterable[AuditEvent], *, staff: bool) -> list[HistoryEntry]:
    """The entries of `events` (from `selectors.measure_histories`) for a staff reader or a partner."""
    fields = STAFF_HISTORY_FIELDS if staff else HISTORY_FIELDS
    entries = []
    for event in events:
        redacted = bool(getattr(event, "redacted", False))
        changes = [FieldChange(field=name, before=pair[0], after=pair[1])
                   for name, pair in (event.changes or {}).items()
                   if name in fields and isinstance(pair, list | tuple) and len(pair) == 2]
        entries.append(HistoryEntry(
            at=event.at, action=event.action, verb=event.verb,
            actor_name="" if redacted else event.actor_name,
            actor_organisation="" if redacted else event.actor_organisation, changes=changes,
            refused=(event.details or {}).get("refused") if event.action == AuditEvent.Action.ATTEMPT else None))
    return entries
