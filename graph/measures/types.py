"""Types of measures (мероприятия) as partners and staff see them."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from django.utils.formats import date_format
from django.utils.translation import gettext
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.dataloaders import MAX_COMMENTS, MAX_HISTORY
from graph.partners.types import OrganisationRef
from portal.audit.models import AuditEvent
from portal.cases import selectors as cases
from portal.cases.access import may_execute_measure
from portal.cases.models import Measure as MeasureModel
from portal.cases.models import MeasureComment as MeasureCommentModel
from portal.partners.models import HelpKind

if TYPE_CHECKING:
    from graph.cases.types import Case


@strawberry.enum(description="Status of a measure.")
class MeasureStatus(Enum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    FULFILLED = "fulfilled"
    NOT_FULFILLED = "not_fulfilled"
    CANCELLED = "cancelled"


@strawberry.enum(description="Kind of help (вид помощи).")
class HelpKindEnum(Enum):
    MEDICAL = "medical"
    PSYCHOLOGICAL = "psychological"
    PEDAGOGICAL = "pedagogical"
    LEGAL = "legal"
    SOCIAL = "social"
    EMPLOYMENT = "employment"
    MATERIAL = "material"
    URGENT = "urgent"


assert {m.value for m in MeasureStatus} == set(MeasureModel.Status.values)
assert {m.value for m in HelpKindEnum} == set(HelpKind.values)

#: Fields of a measure whose changes the history shows (the responsible organisation only to staff).
HISTORY_FIELDS = ("status", "result", "done_on", "not_fulfilled_reason", "cancel_reason", "deadline", "task",
                  "content", "place", "responsible_person", "kind", "version")
STAFF_HISTORY_FIELDS = (*HISTORY_FIELDS, "organisation_id", "shared_fields")


@strawberry.type(description="Recipient data the coordinator shared with the organisation for this measure.")
class SharedRecipient:
    shared_fields: list[str]
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    address: str | None = None
    district: str | None = None


@strawberry.type(description="A change of a field in the history of a measure.")
class FieldChange:
    field: str
    before: JSON | None
    after: JSON | None

    @strawberry.field(description="The field's name in the reader's language.")
    def label(self) -> str:
        return field_label(self.field)

    @strawberry.field(description="The value before, for people: a choice's label, a localized date.")
    def before_label(self) -> str | None:
        return value_label(self.field, self.before)

    @strawberry.field(description="The value after, for people: a choice's label, a localized date.")
    def after_label(self) -> str | None:
        return value_label(self.field, self.after)


def field_label(name: str) -> str:
    """The verbose name of a measure's field (`organisation_id` → responsible organisation)."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        return str(MeasureModel._meta.get_field(name.removesuffix("_id")).verbose_name)
    except FieldDoesNotExist:
        return name


#: Labels of the values of a measure's choice fields, as the history shows them.
CHOICE_LABELS: dict[str, Any] = {"status": MeasureModel.Status, "kind": HelpKind}
DATE_FIELDS = frozenset({"deadline", "done_on"})


def value_label(name: str, value: Any) -> str | None:
    """A history value for people, in the active language (None stays None)."""
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


@strawberry.type(description="An entry of a measure's history (changes and refused attempts).")
class MeasureEvent:
    at: dt.datetime
    action: str
    action_label: str
    verb: str
    #: Empty when the actor belongs to another partner organisation.
    actor_name: str
    actor_organisation: str
    changes: list[FieldChange]
    refused: str | None = strawberry.field(description="Code of the refusal of an attempt (as in errors).")

    @strawberry.field(description="Why the attempt was refused, in the reader's language.")
    def refused_label(self) -> str | None:
        from graph.errors import refusal_label

        return refusal_label(self.refused) if self.refused else None

    @classmethod
    def from_event(cls, event: AuditEvent, *, staff: bool) -> MeasureEvent:
        fields = STAFF_HISTORY_FIELDS if staff else HISTORY_FIELDS
        redacted = bool(getattr(event, "redacted", False))
        changes = [FieldChange(field=name, before=pair[0], after=pair[1])
                   for name, pair in (event.changes or {}).items()
                   if name in fields and isinstance(pair, list | tuple) and len(pair) == 2]
        return cls(
            at=event.at, action=event.action, action_label=str(event.get_action_display()), verb=event.verb,
            actor_name="" if redacted else event.actor_name,
            actor_organisation="" if redacted else event.actor_organisation,
            changes=changes, refused=(event.details or {}).get("refused") if event.action == "attempt" else None,
        )


@strawberry.type(description="A comment on a measure.")
class MeasureComment:
    id: strawberry.ID
    author: str
    author_organisation: str
    text: str
    created_at: dt.datetime

    @classmethod
    def from_model(cls, comment: MeasureCommentModel) -> MeasureComment:
        redacted = bool(getattr(comment, "redacted", False))
        return cls(id=strawberry.ID(str(comment.pk)),
                   author=gettext("another organisation") if redacted else comment.author,
                   author_organisation="" if redacted else comment.author_organisation,
                   text=comment.text, created_at=comment.created_at)


@strawberry.type(description="A measure (мероприятие) of an individual support programme.")
class Measure:
    id: strawberry.ID
    version: int
    task: str
    content: str
    kind: HelpKindEnum
    kind_label: str
    deadline: dt.date
    place: str
    status: MeasureStatus
    status_label: str
    overdue: bool
    is_open: bool
    result: str
    done_on: dt.date | None
    not_fulfilled_reason: str
    cancel_reason: str
    responsible_person: str
    case_code: str = strawberry.field(description="Reference code of the case (номер дела).")
    organisation: OrganisationRef
    shared_fields: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    case_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @strawberry.field(description="Whether the viewer may accept this measure and report on it (the responsible "
                                  "organisation's people).")
    def can_report(self, info: Info) -> bool:
        return may_execute_measure(info.context.viewer, MeasureModel(organisation_id=self.organisation_id))

    @classmethod
    def from_model(cls, measure: MeasureModel, *, today: dt.date | None = None) -> Measure:
        day = today or cases.today()
        return cls(
            id=strawberry.ID(str(measure.pk)), version=measure.version, task=measure.task, content=measure.content,
            kind=HelpKindEnum(measure.kind), kind_label=str(measure.get_kind_display()), deadline=measure.deadline,
            place=measure.place, status=MeasureStatus(measure.status),
            status_label=str(measure.get_status_display()), overdue=measure.is_overdue(day),
            is_open=measure.is_open, result=measure.result, done_on=measure.done_on,
            not_fulfilled_reason=measure.not_fulfilled_reason, cancel_reason=measure.cancel_reason,
            responsible_person=measure.responsible_person, case_code=measure.case.code,
            organisation=OrganisationRef.from_model(measure.organisation),
            shared_fields=list(measure.shared_fields or []), created_at=measure.created_at,
            updated_at=measure.updated_at, case_id=measure.case_id, organisation_id=measure.organisation_id,
        )

    @strawberry.field(description="Recipient data shared with the organisation (each read is recorded).")
    async def recipient(self, info: Info) -> SharedRecipient:
        values: dict[str, Any] = await info.context.loaders.recipient_data.load(int(self.id))
        return SharedRecipient(shared_fields=sorted(values), **values)

    @strawberry.field(description=f"Changes and refused attempts, oldest first (at most the newest {MAX_HISTORY}).")
    async def history(self, info: Info) -> list[MeasureEvent]:
        events: list[AuditEvent] = await info.context.loaders.measure_history.load(int(self.id))
        staff = not info.context.viewer.is_partner
        return [MeasureEvent.from_event(event, staff=staff) for event in events]

    @strawberry.field(description=f"Comments, oldest first (at most the newest {MAX_COMMENTS}).")
    async def comments(self, info: Info) -> list[MeasureComment]:
        rows: list[MeasureCommentModel] = await info.context.loaders.measure_comments.load(int(self.id))
        return [MeasureComment.from_model(row) for row in rows]

    @strawberry.field(description="The case (staff who may read it; null for partners).")
    async def case(self, info: Info) -> Annotated[Case, strawberry.lazy("graph.cases.types")] | None:
        from graph.cases.types import Case

        found = await info.context.loaders.case.load(self.case_id)
        return Case.from_model(found) if found is not None else None
