"""Transfer of a case to another institution when the family moves (issue 16, item 5): proposed by the sending
case manager with the fate of each open measure, accepted or declined by the receiving coordinator only;
on acceptance the case's institution and precinct change and the measures follow or are cancelled as stated.
Every step and refusal is audited; messages are translated."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.models import Case, CaseTransfer, Measure, ProgrammeVersion
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


def _two_institutions() -> tuple[f.CaseWorld, Measure, Measure, f.CaseWorld]:
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    sender, follows = f.approved_case_with_measure(partner_org=school)
    cancelled = s.assign_measure(viewer=sender.coordinator, case_id=sender.case.pk, task="Беседа", kind="legal",
                                 deadline=follows.deadline, organisation_id=police.pk)
    receiver = f.registered_case()  # another institution with its own territory (a precinct of it)
    return sender, follows, cancelled, receiver


def test_transfer_proposed_and_accepted_moves_the_case_and_its_measures() -> None:
    sender, follows, cancelled, receiver = _two_institutions()
    plan = {follows.pk: "follow", cancelled.pk: "cancel"}
    transfer = s.propose_transfer(viewer=sender.coordinator, case_id=sender.case.pk,
                                  to_institution_id=receiver.institution.pk, to_precinct_id=receiver.precinct.pk,
                                  reason="Семья переехала в Березовский", measure_plan=plan)
    assert transfer.status == CaseTransfer.Status.PROPOSED
    assert Case.objects.get(pk=sender.case.pk).institution_id == sender.institution.pk  # still the sender's
    assert list(selectors.pending_transfers(viewer=receiver.coordinator)) == [transfer]
    assert list(selectors.pending_transfers(viewer=sender.coordinator)) == [transfer]
    with pytest.raises(InvalidTransition):  # one pending transfer at a time
        s.propose_transfer(viewer=sender.coordinator, case_id=sender.case.pk,
                           to_institution_id=receiver.institution.pk, to_precinct_id=receiver.precinct.pk,
                           reason="ещё раз", measure_plan=plan)

    accepted = s.accept_transfer(viewer=receiver.coordinator, transfer_id=transfer.pk)
    assert accepted.status == CaseTransfer.Status.ACCEPTED and accepted.decided_by
    case = Case.objects.get(pk=sender.case.pk)
    assert (case.institution_id, case.precinct_id) == (receiver.institution.pk, receiver.precinct.pk)
    assert Measure.objects.get(pk=follows.pk).status == Measure.Status.ASSIGNED
    gone = Measure.objects.get(pk=cancelled.pk)
    assert gone.status == Measure.Status.CANCELLED and str(receiver.institution) in gone.cancel_reason
    # The case is now the receiver's to run, and no longer the sender's.
    with pytest.raises(NotFound):
        s.cancel_measure(viewer=sender.coordinator, measure_id=follows.pk, version=follows.version, reason="x")
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"case.transfer.propose", "case.transfer", "case.transfer.accept", "measure.cancel"} <= verbs
    # The measure the transfer cancelled changed the approved programme: one version, by the receiver.
    last = ProgrammeVersion.objects.filter(programme__case=case).order_by("-number").first()
    assert last is not None and last.reason == ProgrammeVersion.Reason.TRANSFER
    assert last.changes == ["~ Беседа: status: assigned → cancelled"]
    assert last.author == receiver.coordinator.audit_name[:200]


def test_transfer_refusals_per_role_and_bad_input() -> None:
    sender, follows, cancelled, receiver = _two_institutions()
    plan = {follows.pk: "follow", cancelled.pk: "cancel"}
    common = {"case_id": sender.case.pk, "to_institution_id": receiver.institution.pk,
              "to_precinct_id": receiver.precinct.pk, "reason": "Переезд"}
    with pytest.raises(NotFound):  # the receiving coordinator does not propose it: the case is not theirs
        s.propose_transfer(viewer=receiver.coordinator, measure_plan=plan, **common)
    with pytest.raises((NotFound, PermissionDenied)):
        s.propose_transfer(viewer=f.partner(f.organisation(kind="school")), measure_plan=plan, **common)
    with translation.override("ru"), pytest.raises(ValidationFailed) as partial:
        s.propose_transfer(viewer=sender.coordinator, measure_plan={follows.pk: "follow"}, **common)
    assert partial.value.field == "measures" and "каждому открытому мероприятию" in str(partial.value)
    with pytest.raises(ValidationFailed) as own:
        s.propose_transfer(viewer=sender.coordinator, measure_plan=plan,
                           **{**common, "to_institution_id": sender.institution.pk})
    assert own.value.field == "to_institution"
    with pytest.raises(ValidationFailed) as outside:  # the new precinct lies in the receiver's territory
        s.propose_transfer(viewer=sender.coordinator, measure_plan=plan,
                           **{**common, "to_precinct_id": sender.precinct.pk})
    assert outside.value.field == "to_precinct"
    transfer = s.propose_transfer(viewer=sender.coordinator, measure_plan=plan, **common)

    with translation.override("ru"), pytest.raises(PermissionDenied) as own_side:
        s.accept_transfer(viewer=sender.coordinator, transfer_id=transfer.pk)
    assert "принимающего учреждения" in str(own_side.value)
    third = f.registered_case()
    with pytest.raises(NotFound):
        s.accept_transfer(viewer=third.coordinator, transfer_id=transfer.pk)
    with pytest.raises(NotFound):
        s.decline_transfer(viewer=f.viewer_with(Role.SUPERVISOR), transfer_id=transfer.pk, reason="нет")
    with pytest.raises(ValidationFailed):
        s.decline_transfer(viewer=receiver.coordinator, transfer_id=transfer.pk, reason=" ")
    declined = s.decline_transfer(viewer=receiver.coordinator, transfer_id=transfer.pk,
                                  reason="Адрес вне нашей территории")
    assert declined.status == CaseTransfer.Status.DECLINED
    assert Case.objects.get(pk=sender.case.pk).institution_id == sender.institution.pk
    with pytest.raises(InvalidTransition):
        s.accept_transfer(viewer=receiver.coordinator, transfer_id=transfer.pk)
    attempts = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb__startswith="case.transfer")
    assert attempts.count() >= 6


def test_measures_changed_after_the_proposal_are_refused_on_acceptance() -> None:
    sender, follows, cancelled, receiver = _two_institutions()
    transfer = s.propose_transfer(viewer=sender.coordinator, case_id=sender.case.pk,
                                  to_institution_id=receiver.institution.pk, to_precinct_id=receiver.precinct.pk,
                                  reason="Переезд", measure_plan={follows.pk: "follow", cancelled.pk: "follow"})
    s.cancel_measure(viewer=sender.coordinator, measure_id=cancelled.pk, version=cancelled.version,
                     reason="Не нужно")
    with pytest.raises(InvalidTransition):
        s.accept_transfer(viewer=receiver.coordinator, transfer_id=transfer.pk)
    assert Case.objects.get(pk=sender.case.pk).institution_id == sender.institution.pk
