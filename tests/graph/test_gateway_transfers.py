"""Issue 16, item 5 through the gateway: `proposeTransfer` (with the fate of each open measure),
`incomingTransfers` for the receiving coordinator, `acceptTransfer` and `declineTransfer`, and `Case.transfers`;
allowed and refused paths with typed errors and messages in Russian and English."""

from __future__ import annotations

from typing import Any

import pytest

from portal.audit.models import AuditEvent
from portal.cases import services
from portal.cases.models import Case, CaseTransfer, Measure
from portal.testing import factories
from tests.graph.support import World, build_world, execute

pytestmark = pytest.mark.django_db

PROPOSE = ("mutation($case: ID!, $to: ID!, $p: ID!, $reason: String!, $m: [TransferMeasureInput!]) {"
           " proposeTransfer(caseId: $case, toInstitutionId: $to, toPrecinctId: $p, reason: $reason, measures: $m)"
           " { id caseId caseCode status statusLabel reason fromInstitution { code } toInstitution { code }"
           " toPrecinct { id number } measures { measureId fate fateLabel } proposedBy decidedAt } }")
INCOMING = "{ incomingTransfers(first: 20) { totalCount nodes { id caseCode reason measures { measureId fate } } } }"
ACCEPT = "mutation($id: ID!) { acceptTransfer(id: $id) { id status statusLabel decidedBy decidedAt } }"
DECLINE = ("mutation($id: ID!, $reason: String!) { declineTransfer(id: $id, reason: $reason) {"
           " id status declineReason decidedBy } }")
CASE = ("query($id: ID!) { case(id: $id) { institution { code } precinct { id } measures { id status }"
        " transfers { id status declineReason } } }")


@pytest.fixture
def world() -> World:
    return build_world()


def _propose(world: World, **overrides: Any) -> Any:
    """Zarechny's case moves to Berezovsky: the school's measure follows it, the police's is cancelled."""
    variables = {"case": str(world.case_own.pk), "to": str(world.berezovsky.pk), "p": str(world.precinct_other.pk),
                 "reason": "Семья переехала в Берёзовский округ",
                 "m": [{"measureId": str(world.m_school.pk), "fate": "FOLLOW"},
                       {"measureId": str(world.m_police.pk), "fate": "CANCEL"}]}
    variables.update(overrides)
    return execute(world.petrova, PROPOSE, variables, language=overrides.pop("language", "ru"))


def test_proposed_listed_for_the_receiver_and_accepted(world: World) -> None:
    proposed = _propose(world)
    assert proposed.code == "ok", proposed.errors
    transfer = proposed.data["proposeTransfer"]
    assert transfer["status"] == "PROPOSED" and transfer["statusLabel"] == "предложена"
    assert (transfer["fromInstitution"]["code"], transfer["toInstitution"]["code"]) == (
        "kcson-zarechny", "kcson-berezovsky")
    assert transfer["measures"] == [
        {"measureId": str(world.m_school.pk), "fate": "FOLLOW", "fateLabel": "следует за делом"},
        {"measureId": str(world.m_police.pk), "fate": "CANCEL", "fateLabel": "отменяется"}]
    assert transfer["proposedBy"] and transfer["decidedAt"] is None
    # The receiving coordinator lists it; the sender and the receiving institution's officer do not.
    incoming = execute(world.orlov, INCOMING)
    assert [node["id"] for node in incoming.data["incomingTransfers"]["nodes"]] == [transfer["id"]]
    assert incoming.data["incomingTransfers"]["nodes"][0]["caseCode"] == world.case_own.code
    assert execute(world.petrova, INCOMING).data["incomingTransfers"]["totalCount"] == 0
    # Until accepted the case stays with the sender, who follows the transfer on the case.
    case = execute(world.petrova, CASE, {"id": str(world.case_own.pk)}).data["case"]
    assert case["institution"]["code"] == "kcson-zarechny"
    assert case["transfers"] == [{"id": transfer["id"], "status": "PROPOSED", "declineReason": ""}]

    accepted = execute(world.orlov, ACCEPT, {"id": transfer["id"]})
    assert accepted.code == "ok", accepted.errors
    assert accepted.data["acceptTransfer"]["status"] == "ACCEPTED"
    assert accepted.data["acceptTransfer"]["statusLabel"] == "принята"
    assert accepted.data["acceptTransfer"]["decidedBy"] and accepted.data["acceptTransfer"]["decidedAt"]
    case = execute(world.orlov, CASE, {"id": str(world.case_own.pk)}).data["case"]
    assert case["institution"]["code"] == "kcson-berezovsky" and case["precinct"]["id"] == str(world.precinct_other.pk)
    statuses = {row["id"]: row["status"] for row in case["measures"]}
    assert statuses[str(world.m_school.pk)] == "ASSIGNED" and statuses[str(world.m_police.pk)] == "CANCELLED"
    assert case["transfers"][0]["status"] == "ACCEPTED"
    # The sender no longer reads the case; the transfer is no longer incoming.
    assert execute(world.petrova, CASE, {"id": str(world.case_own.pk)}).code == "not_found"
    assert execute(world.orlov, INCOMING).data["incomingTransfers"]["totalCount"] == 0


def test_declined_with_the_reason_the_case_stays(world: World) -> None:
    transfer_id = _propose(world).data["proposeTransfer"]["id"]
    no_reason = execute(world.orlov, DECLINE, {"id": transfer_id, "reason": "  "})
    assert no_reason.code == "validation_failed" and no_reason.errors[0]["message"] == "Укажите причину отказа."
    no_reason_en = execute(world.orlov, DECLINE, {"id": transfer_id, "reason": ""}, language="en")
    assert no_reason_en.errors[0]["message"] == "Give the reason for declining."
    declined = execute(world.orlov, DECLINE, {"id": transfer_id, "reason": "Адрес вне нашей территории"})
    assert declined.code == "ok", declined.errors
    assert declined.data["declineTransfer"]["status"] == "DECLINED"
    assert declined.data["declineTransfer"]["declineReason"] == "Адрес вне нашей территории"
    case = Case.objects.get(pk=world.case_own.pk)
    assert case.institution_id == world.zarechny.pk
    assert Measure.objects.get(pk=world.m_police.pk).status != Measure.Status.CANCELLED
    shown = execute(world.petrova, CASE, {"id": str(world.case_own.pk)}).data["case"]["transfers"]
    assert shown == [{"id": transfer_id, "status": "DECLINED", "declineReason": "Адрес вне нашей территории"}]
    # Decided: neither decision again.
    again = execute(world.orlov, ACCEPT, {"id": transfer_id})
    assert again.code == "invalid_transition" and "уже принято решение (отклонена)" in again.errors[0]["message"]
    again_en = execute(world.orlov, ACCEPT, {"id": transfer_id}, language="en")
    assert "has already been decided (declined)" in again_en.errors[0]["message"]


def test_refusals_are_typed_translated_and_audited(world: World) -> None:
    partial = _propose(world, m=[{"measureId": str(world.m_school.pk), "fate": "FOLLOW"}])
    assert partial.code == "validation_failed"
    assert "по каждому открытому мероприятию" in partial.errors[0]["message"]
    partial_en = _propose(world, m=[], language="en")
    assert partial_en.errors[0]["message"] == ("Say for every open measure of the case whether it follows the case "
                                               "or is cancelled.")
    outside = _propose(world, p=str(world.precinct_own.pk))
    assert outside.code == "validation_failed" and outside.errors[0]["extensions"]["field"] == "to_precinct"
    not_a_case = _propose(world, case="12x")
    assert not_a_case.code == "not_found" and not_a_case.errors[0]["message"] == "Не найдено: case."
    # A partner and a supervisor are refused by the gate, an officer of another territory is told "not found".
    assert execute(world.partner(world.school), PROPOSE, {
        "case": str(world.case_own.pk), "to": str(world.berezovsky.pk), "p": str(world.precinct_other.pk),
        "reason": "x", "m": []}).code == "forbidden"
    # The coordinator of another institution does not propose Zarechny's case: not its case.
    assert execute(world.orlov, PROPOSE, {
        "case": str(world.case_own.pk), "to": str(world.berezovsky.pk), "p": str(world.precinct_other.pk),
        "reason": "x", "m": []}).code == "not_found"

    transfer_id = _propose(world).data["proposeTransfer"]["id"]
    attempts = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count()
    # The sender may not decide its own proposal (the service says why) …
    own = execute(world.petrova, ACCEPT, {"id": transfer_id})
    assert own.code == "forbidden"
    assert own.errors[0]["message"] == ("Принять или отклонить передачу может только координатор принимающего "
                                        "учреждения.")
    own_en = execute(world.petrova, DECLINE, {"id": transfer_id, "reason": "нет"}, language="en")
    assert own_en.errors[0]["message"] == ("Only the receiving institution's coordinator accepts or declines a "
                                           "transfer.")
    # … an officer (even of the receiving institution) is refused by the gate, in the caller's language …
    ivanova = execute(world.ivanova, ACCEPT, {"id": transfer_id})
    assert ivanova.code == "forbidden" and "координатор принимающего учреждения" in ivanova.errors[0]["message"]
    ivanova_en = execute(world.ivanova, ACCEPT, {"id": transfer_id}, language="en")
    assert ivanova_en.errors[0]["message"].startswith("Only the receiving institution's coordinator")
    # … a coordinator of a third institution is told it does not exist.
    third = factories.registered_case().coordinator
    missing = execute(third, DECLINE, {"id": transfer_id, "reason": "нет"})
    assert missing.code == "not_found" and missing.errors[0]["message"] == "Передача не найдена."
    # Every refusal above is one attempt row; nothing changed.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count() == attempts + 5
    assert CaseTransfer.objects.get(pk=int(transfer_id)).status == CaseTransfer.Status.PROPOSED
    assert Case.objects.get(pk=world.case_own.pk).institution_id == world.zarechny.pk


def test_the_measures_changed_after_the_proposal_refuse_acceptance(world: World) -> None:
    transfer_id = _propose(world).data["proposeTransfer"]["id"]
    measure = Measure.objects.get(pk=world.m_school.pk)
    services.cancel_measure(viewer=world.petrova, measure_id=measure.pk, version=measure.version, reason="Не нужно")
    refused = execute(world.orlov, ACCEPT, {"id": transfer_id})
    assert refused.code == "invalid_transition" and "предлагает передачу заново" in refused.errors[0]["message"]
    assert Case.objects.get(pk=world.case_own.pk).institution_id == world.zarechny.pk
