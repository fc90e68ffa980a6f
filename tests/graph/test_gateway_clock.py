"""Issue 16, item 4 through the gateway: the monitoring inspection, the extension with the citizen's wish, the
programme change at the review, and the lapsed term, refused and allowed with translated messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.cases.models import Case, CollegialDecision, ProgrammeVersion
from portal.testing import factories
from tests.graph.support import execute

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

INSPECT = ("mutation($case: ID!, $on: Date!) { recordMonitoringInspection(caseId: $case, inspectedOn: $on, "
           "findings: \"Нужда сохраняется\") { id inspectedOn inspector } }")
EXTEND = ("mutation($id: ID!, $v: Int!, $end: Date!, $d: CollegialDecisionInput!, $wishOn: Date, $wish: String!) {"
          " extendCase(id: $id, version: $v, endsOn: $end, decision: $d, wishOn: $wishOn, wish: $wish) {"
          " id status endsOn lapsed } }")
REVIEW = ("mutation($case: ID!, $d: CollegialDecisionInput) { recordReview(caseId: $case, reviewedOn: "
          f"\"{TODAY.isoformat()}\", findings: \"Нужна юридическая помощь\", programmeChanged: true, decision: $d, "
          "changeSummary: \"Добавлена консультация юриста\") { id programmeChanged } }")


def _near_end() -> factories.CaseWorld:
    """A case whose six-month term ends within the next 30 days."""
    world, _measure = factories.approved_case_with_measure(
        partner_org=factories.organisation(kind="school"),
        world=factories.registered_case(registered_on=TODAY - dt.timedelta(days=170)))
    world.case = Case.objects.get(pk=world.case.pk)
    return world


def _decision() -> dict[str, str]:
    return {"decidedOn": TODAY.isoformat(), "protocolNumber": "9/26", "participants": "Консилиум"}


def test_extension_needs_the_inspection_and_the_wish_then_is_allowed() -> None:
    world = _near_end()
    case = world.case
    variables = {"id": str(case.pk), "v": case.version, "end": (case.ends_on + dt.timedelta(days=60)).isoformat(),
                 "d": _decision(), "wishOn": TODAY.isoformat(), "wish": "Просит продлить"}
    refused = execute(world.coordinator, EXTEND, variables)
    assert refused.code == "invalid_transition", refused.errors
    assert "мониторинговое социальное инспектирование" in refused.errors[0]["message"]
    inspected = execute(world.coordinator, INSPECT, {"case": str(case.pk), "on": TODAY.isoformat()})
    assert inspected.code == "ok" and inspected.data["recordMonitoringInspection"]["inspectedOn"] == TODAY.isoformat()
    no_wish = execute(world.coordinator, EXTEND, {**variables, "wishOn": None})
    assert no_wish.code == "validation_failed" and "пожелание" in no_wish.errors[0]["message"]
    extended = execute(world.coordinator, EXTEND, variables)
    assert extended.code == "ok", extended.errors
    assert extended.data["extendCase"] == {"id": str(case.pk), "status": "extended",
                                           "endsOn": variables["end"], "lapsed": False}
    decision = CollegialDecision.objects.get(case=case, subject=CollegialDecision.Subject.EXTENSION)
    assert decision.citizen_wish == "Просит продлить"


def test_programme_change_at_the_review_through_the_gateway() -> None:
    world = _near_end()
    refused = execute(world.coordinator, REVIEW, {"case": str(world.case.pk), "d": None})
    assert refused.code == "validation_failed" and "коллегиальным решением" in refused.errors[0]["message"]
    done = execute(world.coordinator, REVIEW, {"case": str(world.case.pk), "d": _decision()})
    assert done.code == "ok" and done.data["recordReview"]["programmeChanged"] is True
    assert ProgrammeVersion.objects.filter(programme__case=world.case).count() == 2


def test_a_lapsed_case_is_flagged_and_not_extended() -> None:
    world, _measure = factories.approved_case_with_measure(
        partner_org=factories.organisation(kind="school"),
        world=factories.registered_case(registered_on=TODAY - dt.timedelta(days=200)))
    case = Case.objects.get(pk=world.case.pk)
    assert case.lapsed_now
    read = execute(world.coordinator, "query($id: ID!) { case(id: $id) { lapsed } }", {"id": str(case.pk)})
    assert read.data == {"case": {"lapsed": True}}
    refused = execute(world.coordinator, EXTEND, {
        "id": str(case.pk), "v": case.version, "end": (case.ends_on + dt.timedelta(days=60)).isoformat(),
        "d": _decision(), "wishOn": TODAY.isoformat(), "wish": "Просит продлить"})
    assert refused.code == "invalid_transition"
    assert case.ends_on.strftime("%d.%m.%Y") in refused.errors[0]["message"]


def test_the_case_list_filters_lapsed_terms_by_the_domain_rule() -> None:
    """`cases(filter: {lapsed: …})` narrows the list as the workspace's «Срок истёк» filter does (the rule of
    `cases.selectors.lapsed`: under way, past the end of the term); a closed case past its term is not lapsed."""
    lapsed_world, _measure = factories.approved_case_with_measure(
        partner_org=factories.organisation(kind="school"),
        world=factories.registered_case(registered_on=TODAY - dt.timedelta(days=200)))
    coordinator = lapsed_world.coordinator
    running, _other = factories.approved_case_with_measure(
        partner_org=factories.organisation(kind="school"),
        world=factories.registered_case(institution=lapsed_world.institution, precinct_obj=lapsed_world.precinct))
    draft = factories.registered_case(institution=lapsed_world.institution, precinct_obj=lapsed_world.precinct)
    lapsed_case = Case.objects.get(pk=lapsed_world.case.pk)
    assert lapsed_case.lapsed_now and not Case.objects.get(pk=running.case.pk).lapsed_now
    query = "query($f: CaseFilter) { cases(first: 50, filter: $f) { totalCount nodes { id lapsed } } }"

    def listed(lapsed: bool | None) -> dict[str, bool]:
        result = execute(coordinator, query, {"f": {"lapsed": lapsed}})
        assert result.code == "ok", result.errors
        return {node["id"]: node["lapsed"] for node in result.data["cases"]["nodes"]}

    assert listed(True) == {str(lapsed_case.pk): True}
    assert listed(False) == {str(running.case.pk): False, str(draft.case.pk): False}
    assert set(listed(None)) == {str(lapsed_case.pk), str(running.case.pk), str(draft.case.pk)}
    # Combined with the other filters; another institution's coordinator does not get the lapsed case.
    both = execute(coordinator, query, {"f": {"lapsed": True, "status": ["CLOSED"]}})
    assert both.data["cases"]["totalCount"] == 0
    other = execute(factories.registered_case().coordinator, query, {"f": {"lapsed": True}})
    assert other.data["cases"]["totalCount"] == 0
