"""Types of measures (мероприятия) as partners and staff see them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from django.utils.translation import gettext
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.lazy_type import LazyType

from graph.core.labels import choice_label
from graph.measures.dataloaders import (
    MAX_COMMENTS,
    MAX_HISTORY,
    CaseOfMeasureLoader,
    CommentsByMeasureLoader,
    HistoryByMeasureLoader,
    RecipientDataLoader,
)
from graph.measures.enums import HelpKindEnum, MeasureReasonCode, MeasureStatus
from graph.partners.types import OrganisationRef
from portal.cases import selectors as cases
from portal.cases.access import may_execute_measure
from portal.cases.history import HistoryEntry, field_label, history_entries, refusal_label, value_label
from portal.cases.models import Measure as MeasureModel
from portal.cases.models import MeasureComment as MeasureCommentModel
from portal.partners.models import HelpKind

if TYPE_CHECKING:
    from graph.cases.types import Case  # cycle: graph.cases.types imports this module

#: The staff type of a case, resolved by name when first needed: cases import measures (a case has a programme
#: of measures), never the other way round.
CASE_TYPE: LazyType[str, str] = LazyType("Case", "graph.cases.types")


#: The columns `Measure.from_model` reads (with `select_related("case", "organisation")`): a page of measures
#: fetches these, not every column of the measure, its case and its organisation.
MEASURE_COLUMNS = ("id", "case", "task", "content", "kind", "deadline", "place", "organisation", "responsible_person",
                   "status", "result", "done_on", "not_fulfilled_reason", "not_fulfilled_code", "return_code",
                   "return_reason", "cancel_reason", "shared_fields", "version",
                   "created_at", "updated_at", "case__code", "organisation__code", "organisation__name",
                   "organisation__short_name", "organisation__kind")


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
        return refusal_label(self.refused) if self.refused else None

    @classmethod
    def from_entry(cls, entry: HistoryEntry) -> MeasureEvent:
        return cls(at=entry.at, action=entry.action, action_label=entry.action_label, verb=entry.verb,
                   actor_name=entry.actor_name, actor_organisation=entry.actor_organisation,
                   changes=[FieldChange(field=change.field, before=change.before, after=change.after)
                            for change in entry.changes],
                   refused=entry.refused)


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
    not_fulfilled_code: MeasureReasonCode | None
    return_code: MeasureReasonCode | None
    return_reason: str
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
            kind=HelpKindEnum(measure.kind), kind_label=choice_label(HelpKind, measure.kind), deadline=measure.deadline,
            place=measure.place, status=MeasureStatus(measure.status),
            status_label=choice_label(MeasureModel.Status, measure.status), overdue=measure.is_overdue(day),
            is_open=measure.is_open, result=measure.result, done_on=measure.done_on,
            not_fulfilled_reason=measure.not_fulfilled_reason,
            not_fulfilled_code=MeasureReasonCode(measure.not_fulfilled_code) if measure.not_fulfilled_code else None,
            return_code=MeasureReasonCode(measure.return_code) if measure.return_code else None,
            return_reason=measure.return_reason, cancel_reason=measure.cancel_reason,
            responsible_person=measure.responsible_person, case_code=measure.case.code,
            organisation=OrganisationRef.from_model(measure.organisation),
            shared_fields=list(measure.shared_fields or []), created_at=measure.created_at,
            updated_at=measure.updated_at, case_id=measure.case_id, organisation_id=measure.organisation_id,
        )

    @strawberry.field(description="Recipient data shared with the organisation (each read is recorded).")
    async def recipient(self, info: Info) -> SharedRecipient:
        values: dict[str, Any] = await info.context.loader(RecipientDataLoader).load(int(self.id))
        return SharedRecipient(shared_fields=sorted(values), **values)

    @strawberry.field(description=f"Changes and refused attempts, oldest first (at most the newest {MAX_HISTORY}).")
    async def history(self, info: Info) -> list[MeasureEvent]:
        events = await info.context.loader(HistoryByMeasureLoader).load(int(self.id))
        entries = history_entries(events, staff=not info.context.viewer.is_partner)
        return [MeasureEvent.from_entry(entry) for entry in entries]

    @strawberry.field(description=f"Comments, oldest first (at most the newest {MAX_COMMENTS}).")
    async def comments(self, info: Info) -> list[MeasureComment]:
        rows = await info.context.loader(CommentsByMeasureLoader).load(int(self.id))
        return [MeasureComment.from_model(row) for row in rows]

    @strawberry.field(description="The case (staff who may read it; null for partners).")
    async def case(self, info: Info) -> Annotated[Case, strawberry.lazy("graph.cases.types")] | None:
        found = await info.context.loader(CaseOfMeasureLoader).load(self.case_id)
        return CASE_TYPE.resolve_type().from_model(found) if found is not None else None
