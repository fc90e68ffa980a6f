"""Transfer of a case (передача дела) to another institution when the family moves to its territory (issue 16,
item 5): the sending case manager proposes it — receiving institution, new precinct, reason, and for each open
partner measure whether it follows the case or is cancelled; the receiving institution's coordinator accepts it
(the case's institution and precinct change, the measures follow or are cancelled as stated) or declines it
with a reason. Every step and every refusal is audited; until accepted the case stays with the sender."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import in_institution_territory
from portal.cases.models import Case, CaseTransfer, Measure, ProgrammeVersion
from portal.cases.services.common import case_for_update, change
from portal.cases.services.versions import record_measure_change
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.text import column_text
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation, OrganisationKind
from portal.territory.models import Precinct
from search.outbox import enqueue

audited_write = audit.audited_write


def _pending_measures(case: Case) -> list[Measure]:
    return list(case.measures.filter(status__in=Measure.PENDING_STATUSES).order_by("pk"))


def _checked_plan(case: Case, plan: Mapping[int | str, str]) -> dict[str, str]:
    """Every open (or returned) measure of the case with its fate, and nothing else."""
    given = {str(key): value for key, value in plan.items()}
    pending = {str(measure.pk) for measure in _pending_measures(case)}
    if set(given) != pending:
        raise ValidationFailed(_("Say for every open measure of the case whether it follows the case or is "
                                 "cancelled."), field="measures")
    if any(value not in CaseTransfer.MeasureFate.values for value in given.values()):
        raise ValidationFailed(_("Choose «follows the case» or «cancelled» for each open measure."),
                               field="measures")
    return given


@audited_write("case.transfer.propose", object_type="cases.case", id_arg="case_id")
def propose_transfer(
    *, viewer: Viewer, case_id: int, to_institution_id: int, to_precinct_id: int, reason: str,
    measure_plan: Mapping[int | str, str],
) -> CaseTransfer:
    """The sending case manager proposes the transfer; the case stays with the sender until it is accepted."""
    case = case_for_update(viewer, case_id)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is already closed."))
    if case.transfers.filter(status=CaseTransfer.Status.PROPOSED).exists():
        raise InvalidTransition(_("A transfer of this case is already waiting for the receiving institution."))
    institution = Organisation.objects.filter(pk=to_institution_id, active=True,
                                              kind=OrganisationKind.SOCIAL_SERVICE).first()
    if institution is None:
        raise ValidationFailed(_("Choose an active social-service institution."), field="to_institution")
    if institution.pk == case.institution_id:
        raise ValidationFailed(_("The case already belongs to this institution."), field="to_institution")
    precinct = Precinct.objects.filter(pk=to_precinct_id).first()
    if precinct is None or not in_institution_territory(institution.pk, precinct.pk):
        raise ValidationFailed(_("Choose a precinct of the receiving institution's territory."),
                               field="to_precinct")
    why = column_text(reason, CaseTransfer, "reason", required=_("Give the reason for the transfer."))
    transfer = CaseTransfer.objects.create(
        case=case, from_institution_id=case.institution_id, from_precinct_id=case.precinct_id,
        to_institution=institution, to_precinct=precinct, reason=why, measure_plan=_checked_plan(case, measure_plan),
        proposed_by=viewer.audit_name[:200])
    audit.record_created(viewer=viewer, verb="case.transfer.propose", obj=transfer,
                         details={"case": case.pk, "to_institution": institution.pk, "to_precinct": precinct.pk})
    return transfer


def _receiving(viewer: Viewer, transfer_id: int) -> CaseTransfer:
    """The proposed transfer, locked, for the receiving institution's coordinator (or an admin). Others are told
    it does not exist unless they are its sender, who is told they may not decide it."""
    transfer = (CaseTransfer.objects.select_for_update().select_related("case").filter(pk=transfer_id).first())
    if transfer is None:
        raise NotFound(_("Transfer not found."))
    receiving = viewer.is_admin or (viewer.has_role(Role.COORDINATOR)
                                    and viewer.institution_id == transfer.to_institution_id)
    if not receiving:
        if viewer.institution_id == transfer.from_institution_id:
            raise PermissionDenied(_("Only the receiving institution's coordinator accepts or declines a transfer."))
        raise NotFound(_("Transfer not found."))
    if transfer.status != CaseTransfer.Status.PROPOSED:
        raise InvalidTransition(_("This transfer has already been decided (%(status)s)."),
                                status=transfer.get_status_display())
    return transfer


@audited_write("case.transfer.accept", object_type="cases.casetransfer", id_arg="transfer_id")
def accept_transfer(*, viewer: Viewer, transfer_id: int) -> CaseTransfer:
    """The receiving coordinator accepts: the case moves to their institution and the new precinct, with its
    coordinator; each open measure follows it or is cancelled as the proposal stated."""
    transfer = _receiving(viewer, transfer_id)
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case was closed meanwhile: nothing to transfer."))
    plan = transfer.measure_plan
    pending = _pending_measures(case)
    if {str(measure.pk) for measure in pending} != set(plan):
        raise InvalidTransition(_("The open measures of the case changed after the proposal: the sending "
                                  "institution proposes the transfer again."))
    cancelled: Measure | None = None
    for measure in pending:
        if plan[str(measure.pk)] == CaseTransfer.MeasureFate.CANCEL:
            cancelled = measure
            change(measure, {"status": Measure.Status.CANCELLED,
                             "cancel_reason": str(_("Cancelled on the transfer of the case to %(institution)s.")
                                                  % {"institution": transfer.to_institution})},
                   viewer=viewer, verb="measure.cancel", action=AuditEvent.Action.TRANSITION,
                   details={"transfer": transfer.pk})
            enqueue("measure", measure.pk)
    if cancelled is not None:  # one programme version for all the measures the transfer cancelled
        record_measure_change(viewer=viewer, measure=cancelled, reason=ProgrammeVersion.Reason.TRANSFER)
    change(case, {"institution_id": transfer.to_institution_id, "precinct_id": transfer.to_precinct_id,
                  "coordinator_id": viewer.user_id},
           viewer=viewer, verb="case.transfer", action=AuditEvent.Action.TRANSITION,
           details={"transfer": transfer.pk, "from_institution": transfer.from_institution_id})
    enqueue("case", case.pk)
    return change(transfer, {"status": CaseTransfer.Status.ACCEPTED, "decided_by": viewer.audit_name[:200],
                             "decided_at": timezone.now()},
                  viewer=viewer, verb="case.transfer.accept", action=AuditEvent.Action.TRANSITION)


@audited_write("case.transfer.decline", object_type="cases.casetransfer", id_arg="transfer_id")
def decline_transfer(*, viewer: Viewer, transfer_id: int, reason: str) -> CaseTransfer:
    """The receiving coordinator declines, with the reason; the case stays with the sender."""
    transfer = _receiving(viewer, transfer_id)
    why = column_text(reason, CaseTransfer, "decline_reason", field="reason",
                      required=_("Give the reason for declining."))
    return change(transfer, {"status": CaseTransfer.Status.DECLINED, "decline_reason": why,
                             "decided_by": viewer.audit_name[:200], "decided_at": timezone.now()},
                  viewer=viewer, verb="case.transfer.decline", action=AuditEvent.Action.TRANSITION)
