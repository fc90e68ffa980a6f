"""Types of measures (мероприятия) as partners and staff see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from django.utils.translation import gettext
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.lazy_type import LazyType

from graph.core.labels import choice_label, choice_labels
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
from portal.partners.models import Organisation as OrganisationModel

if TYPE_CHECKING:
    from graph.cases.types import Case  # cycle: graph.cases.types imports this module

#: The staff type of a case, resolved by name when first needed: cases import measures (a case has a programme
#: of measures), never the other way round.
CASE_TYPE: LazyType[str, str] = LazyType("Case", "graph.cases.types")


#: The values a list of measures may read (`Measure.from_rows`): plain rows, no model instances (a page of 50
#: made 150 of them — measure, case, organisation — most of its ORM time).
MEASURE_VALUES = ("id", "version", "task", "content", "kind", "deadline", "place", "status", "result", "done_on",
                  "not_fulfilled_reason", "not_fulfilled_code", "return_code", "return_reason", "cancel_reason",
                  "responsible_person", "shared_fields", "created_at", "updated_at", "case_id", "organisation_id",
                  "case__code", "organisation__code", "organisation__name", "organisation__short_name",
                  "organisation__kind")
#: Always read: the keys the nodes' own resolvers and dataloaders use (recipient, history, comments, case,
#: canReport).
_KEY_VALUES = ("id", "case_id", "organisation_id")
_ORGANISATION_VALUES = ("organisation__code", "organisation__name", "organisation__short_name", "organisation__kind")
#: GraphQL field of a measure → the values it is built from (a field not listed needs only the keys).
_VALUES_OF_FIELD: dict[str, tuple[str, ...]] = {
    "version": ("version",), "task": ("task",), "content": ("content",), "kind": ("kind",), "kindLabel": ("kind",),
    "deadline": ("deadline",), "place": ("place",), "status": ("status",), "statusLabel": ("status",),
    "overdue": ("status", "deadline"), "isOpen": ("status",), "result": ("result",), "doneOn": ("done_on",),
    "notFulfilledReason": ("not_fulfilled_reason",), "notFulfilledCode": ("not_fulfilled_code",),
    "returnCode": ("return_code",), "returnReason": ("return_reason",), "cancelReason": ("cancel_reason",),
    "responsiblePerson": ("responsible_person",), "caseCode": ("case__code",),
    "organisation": _ORGANISATION_VALUES, "sharedFields": ("shared_fields",), "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
}
#: Stands for a value the query did not ask for (the node's field is never read).
_NOT_READ: Any = None


def measure_values(fields: frozenset[str]) -> tuple[str, ...]:
    """The values (of `MEASURE_VALUES`, in its order) that the selected GraphQL `fields` of a measure need."""
    wanted = set(_KEY_VALUES).union(*(_VALUES_OF_FIELD.get(name, ()) for name in fields))
    return tuple(name for name in MEASURE_VALUES if name in wanted)


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

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], *, today: dt.date) -> list[Measure]:
        """Nodes from rows of (some of) `MEASURE_VALUES`, as `from_model` builds them; a value the rows do not carry
        (`measure_values`: the query did not ask for it) is left unset. One organisation reference per
        organisation of the page; labels looked up in the active language once."""
        kind_labels = choice_labels(HelpKind)
        status_labels = choice_labels(MeasureModel.Status)
        open_statuses = frozenset(MeasureModel.OPEN_STATUSES)
        organisations: dict[int, OrganisationRef] = {}
        nodes = []
        for row in rows:
            get: Callable[[str], Any] = row.get
            org_id = row["organisation_id"]
            organisation = organisations.get(org_id, _NOT_READ)
            if organisation is None and "organisation__code" in row:
                organisation = organisations[org_id] = OrganisationRef.from_model(OrganisationModel(
                    pk=org_id, code=row["organisation__code"], name=row["organisation__name"],
                    short_name=row["organisation__short_name"], kind=row["organisation__kind"]))
            kind, status, deadline = get("kind"), get("status"), get("deadline")
            is_open = status in open_statuses if status is not None else _NOT_READ
            not_fulfilled_code, return_code = get("not_fulfilled_code"), get("return_code")
            shared_fields = row.get("shared_fields", _NOT_READ)
            nodes.append(cls(
                id=strawberry.ID(str(row["id"])), version=get("version"), task=get("task"), content=get("content"),
                kind=HelpKindEnum(kind) if kind is not None else _NOT_READ,
                kind_label=kind_labels.get(kind, kind) if kind is not None else _NOT_READ, deadline=deadline,
                place=get("place"), status=MeasureStatus(status) if status is not None else _NOT_READ,
                status_label=status_labels.get(status, status) if status is not None else _NOT_READ,
                overdue=is_open and deadline < today if is_open is not None and deadline is not None else _NOT_READ,
                is_open=is_open, result=get("result"), done_on=get("done_on"),
                not_fulfilled_reason=get("not_fulfilled_reason"),
                not_fulfilled_code=MeasureReasonCode(not_fulfilled_code) if not_fulfilled_code else None,
                return_code=MeasureReasonCode(return_code) if return_code else None,
                return_reason=get("return_reason"), cancel_reason=get("cancel_reason"),
                responsible_person=get("responsible_person"), case_code=get("case__code"),
                organisation=organisation,
                shared_fields=list(shared_fields or []) if shared_fields is not _NOT_READ else _NOT_READ,
                created_at=get("created_at"), updated_at=get("updated_at"), case_id=row["case_id"],
                organisation_id=org_id,
            ))
        return nodes

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
