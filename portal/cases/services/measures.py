"""Measures (мероприятия) of a programme: the case manager reassigns, cancels and chooses what the responsible
organisation sees; the organisation accepts and reports them fulfilled or not, or returns one it cannot take,
with a coded reason (its first report puts the programme into execution); both comment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import may_execute_measure, may_manage_case, require_case_manager
from portal.cases.models import (
    DEFAULT_SHARED_FIELDS,
    SHAREABLE_RECIPIENT_FIELDS,
    Case,
    Measure,
    MeasureComment,
    ProgrammeVersion,
)
from portal.cases.selectors import get_measure
from portal.cases.services.common import ACTIVE_CASE_STATUSES, change, measure_for_update, today
from portal.cases.services.versions import record_measure_change
from portal.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from portal.core.text import check_choices, clean_text, column_text
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.partners.selectors import agreement_standing
from search.outbox import enqueue

audited_write = audit.audited_write


def _day(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "—"


def require_working_organisation(organisation_id: int) -> Organisation:
    """The responsible organisation of a measure: active, and a partner only with an agreement on interaction in
    force (seed 004 rows 31–32); social-service institutions need none."""
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None:
        raise ValidationFailed(_("Choose an active organisation of the partner registry."), field="organisation")
    standing = agreement_standing(organisation=organisation, on=today())
    if not standing.allows_work:
        if standing.ends_on:
            raise ValidationFailed(_("The organisation's agreement on interaction ended on %(end)s: it cannot be "
                                     "assigned measures."), field="organisation", end=_day(standing.ends_on))
        raise ValidationFailed(_("The organisation has no agreement on interaction in force: it cannot be assigned "
                                 "measures."), field="organisation")
    return organisation

# --- The case manager's side ------------------------------------------------------------

def _managed(viewer: Viewer, measure_id: int, version: int) -> Measure:
    measure = measure_for_update(viewer, measure_id, version)
    require_case_manager(viewer, measure.case)
    return measure


@audited_write("measure.reassign", object_type="cases.measure", id_arg="measure_id")
def reassign_measure(*, viewer: Viewer, measure_id: int, version: int, organisation_id: int, reason: str) -> Measure:
    measure = _managed(viewer, measure_id, version)
    if measure.status not in Measure.PENDING_STATUSES:
        raise InvalidTransition(_("Only an open or returned measure can be reassigned."))
    if organisation_id == measure.organisation_id and not measure.needs_reassignment:
        raise ValidationFailed(_("The measure is already assigned to this organisation."), field="organisation")
    require_working_organisation(organisation_id)
    why = clean_text(reason, field="reason", label=_("reason"), required=_("Give the reason for reassigning."))
    # What the previous organisation was shown is not carried over: the new one sees the default
    # (first name and district) until the coordinator shares more with it.
    # A returned measure may go back to the same organisation (its obstacle removed), assigned afresh.
    measure = change(measure, {"organisation_id": organisation_id, "status": Measure.Status.ASSIGNED,
                               "shared_fields": list(DEFAULT_SHARED_FIELDS)},
                     viewer=viewer, verb="measure.reassign", details={"reason": why})
    record_measure_change(viewer=viewer, measure=measure, reason=ProgrammeVersion.Reason.MEASURE_REASSIGNED)
    return measure


@audited_write("measure.cancel", object_type="cases.measure", id_arg="measure_id")
def cancel_measure(*, viewer: Viewer, measure_id: int, version: int, reason: str) -> Measure:
    measure = _managed(viewer, measure_id, version)
    if measure.status not in Measure.PENDING_STATUSES:
        raise InvalidTransition(_("Only an open or returned measure can be cancelled."))
    reason = column_text(reason, Measure, "cancel_reason", field="reason",
                         required=_("Give the reason for cancelling."))
    measure = change(measure, {"cancel_reason": reason, "status": Measure.Status.CANCELLED}, viewer=viewer,
                     verb="measure.cancel", action=AuditEvent.Action.TRANSITION)
    record_measure_change(viewer=viewer, measure=measure, reason=ProgrammeVersion.Reason.MEASURE_CANCELLED)
    enqueue("measure", measure.pk)
    return measure


@audited_write("measure.share", object_type="cases.measure", id_arg="measure_id")
def set_shared_fields(*, viewer: Viewer, measure_id: int, version: int, fields: Iterable[str]) -> Measure:
    """Choose which recipient data the responsible organisation sees for this measure."""
    measure = _managed(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("The data shared for a closed measure can no longer be changed."))
    shared = check_choices(fields, SHAREABLE_RECIPIENT_FIELDS, "shared_fields")
    return change(measure, {"shared_fields": shared}, viewer=viewer, verb="measure.share")


# --- The responsible organisation's side ---------------------------------------------------

def _executable(viewer: Viewer, measure_id: int, version: int) -> Measure:
    measure = measure_for_update(viewer, measure_id, version, with_case=True)  # one statement: case locked too
    if not may_execute_measure(viewer, measure):
        raise PermissionDenied(_("Only the responsible organisation may report on this measure."))
    if not measure.organisation_works:  # type: ignore[attr-defined]  # read only to say when it ended
        standing = agreement_standing(organisation=measure.organisation, on=today())
        raise PermissionDenied(_("The agreement on interaction of your organisation is not in force (ended "
                                 "%(end)s): the coordinator reassigns its measures."), end=_day(standing.ends_on))
    case = measure.case
    if case.status not in ACTIVE_CASE_STATUSES:
        raise InvalidTransition(_("The programme of this case is not in force (status: %(status)s)."),
                                status=case.get_status_display())
    if case.is_lapsed(today()):  # the term ended without a decision (seed 003 §6.4)
        raise InvalidTransition(_("The term of support ended on %(end)s: extend or close the case."),
                                end=_day(case.ends_on))
    return measure


def _report(
    viewer: Viewer, measure: Measure, values: dict[str, Any], verb: str, details: dict[str, Any] | None = None,
) -> Measure:
    """A report of the organisation: the measure's transition, and the first report of a partner puts an
    approved programme into execution (a transition of the case, audited in the name of that partner)."""
    case = measure.case  # locked by `_executable`
    if case.status == Case.Status.PROGRAMME_APPROVED:
        change(case, {"status": Case.Status.IN_PROGRESS}, viewer=viewer, verb="case.under_way",
               action=AuditEvent.Action.TRANSITION, details={"measure": measure.pk})
        enqueue("case", case.pk)
    measure = change(measure, values, viewer=viewer, verb=verb, action=AuditEvent.Action.TRANSITION,
                     details=details)
    enqueue("measure", measure.pk)  # the public view of a need follows the measure made from its offer
    return measure


@audited_write("measure.accept", object_type="cases.measure", id_arg="measure_id")
def accept_measure(*, viewer: Viewer, measure_id: int, version: int) -> Measure:
    measure = _executable(viewer, measure_id, version)
    if measure.status != Measure.Status.ASSIGNED:
        raise InvalidTransition(_("Only a newly assigned measure can be accepted."))
    return _report(viewer, measure, {"status": Measure.Status.ACCEPTED}, "measure.accept")


@audited_write("measure.fulfil", object_type="cases.measure", id_arg="measure_id")
def fulfil_measure(
    *, viewer: Viewer, measure_id: int, version: int, result: str, done_on: dt.date | None = None,
) -> Measure:
    """Report the measure fulfilled (исполнено) with its result."""
    measure = _executable(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("This measure is already closed (%(status)s)."),
                                status=measure.get_status_display())
    day = done_on or today()
    if day > today():
        raise ValidationFailed(_("The date done cannot be in the future."), field="done_on")
    if measure.case.started_on and day < measure.case.started_on:
        raise ValidationFailed(_("The date done cannot be before support started."), field="done_on")
    result = column_text(result, Measure, "result", required=_("Describe the result of the measure."))
    return _report(viewer, measure, {"result": result, "done_on": day, "status": Measure.Status.FULFILLED},
                   "measure.fulfil")


def coded_reason(code: str, comment: str, *, column: str) -> tuple[str, str]:
    """A coded reason of not providing help (`Measure.ReasonCode`) and its comment, required for «other»."""
    if code not in Measure.ReasonCode.values:
        raise ValidationFailed(_("Choose the reason from the list."), field="reason_code")
    required = _("Explain the reason «other».") if code == Measure.ReasonCode.OTHER else None
    text = column_text(comment or "", Measure, column, field="reason", required=required)
    return code, text


@audited_write("measure.not_fulfilled", object_type="cases.measure", id_arg="measure_id")
def report_measure_not_fulfilled(
    *, viewer: Viewer, measure_id: int, version: int, reason_code: str, reason: str = "",
) -> Measure:
    """Report the measure not fulfilled (не исполнено) with a coded reason (a comment required for «other»)."""
    measure = _executable(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("This measure is already closed (%(status)s)."),
                                status=measure.get_status_display())
    code, reason = coded_reason(reason_code, reason, column="not_fulfilled_reason")
    return _report(viewer, measure, {"not_fulfilled_code": code, "not_fulfilled_reason": reason, "done_on": today(),
                                     "status": Measure.Status.NOT_FULFILLED}, "measure.not_fulfilled",
                   details={"reason_code": code})


@audited_write("measure.return", object_type="cases.measure", id_arg="measure_id")
def return_measure(*, viewer: Viewer, measure_id: int, version: int, reason_code: str, reason: str = "") -> Measure:
    """Hand a measure back (возврат) the organisation cannot take, assigned or accepted, with a coded reason: it
    becomes «returned», no longer the organisation's, and the coordinator reassigns or cancels it."""
    measure = _executable(viewer, measure_id, version)
    if not measure.is_open:
        raise InvalidTransition(_("Only an assigned or accepted measure can be returned (now: %(status)s)."),
                                status=measure.get_status_display())
    code, reason = coded_reason(reason_code, reason, column="return_reason")
    # A return is not a report of work: it does not put the programme into execution.
    measure = change(measure, {"return_code": code, "return_reason": reason, "status": Measure.Status.RETURNED},
                     viewer=viewer, verb="measure.return", action=AuditEvent.Action.TRANSITION,
                     details={"reason_code": code})
    enqueue("measure", measure.pk)
    return measure


@audited_write("measure.comment", object_type="cases.measure", id_arg="measure_id")
def comment_measure(*, viewer: Viewer, measure_id: int, text: str) -> MeasureComment:
    measure = get_measure(viewer=viewer, measure_id=measure_id)
    if not (may_execute_measure(viewer, measure) or may_manage_case(viewer, measure.case)):
        raise PermissionDenied(_("You may not comment on this measure."))
    comment = MeasureComment.objects.create(
        measure=measure, author=viewer.audit_name[:200],
        author_organisation=viewer.organisation_code or viewer.institution_code or "",
        text=column_text(text, MeasureComment, "text", required=_("Write the comment."), limit=2000),
    )
    audit.record(viewer=viewer, action=AuditEvent.Action.UPDATE, verb="measure.comment", obj=measure,
                 details={"comment": comment.pk})
    return comment
