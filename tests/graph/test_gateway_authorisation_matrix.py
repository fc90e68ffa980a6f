"""Authorisation matrix through HTTP: every query and mutation × every role × own / other organisation,
precinct or institution → allowed or refused (with the typed error code), against the running portal.

The target is always the school's measure in Zarechny's case (precinct 1 of Leninsky district):
"own" roles are the school, Zarechny's officer and coordinator; "other" roles are the clinic, Berezovsky's
officer and coordinator. Supervisors read everything, admins run everything, editors have no business here.

Chains of writes (household → person → consent → registration, then reads) are checked the same way: no role
reaches a family of another territory by creating things first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import services
from portal.cases.models import Case, Consent, Measure, Signal
from portal.core.viewer import Role, Viewer
from portal.territory.models import Officer
from portal.testing import factories

ROLES = ("anonymous", "editor", "partner_own", "partner_other", "officer_own", "officer_other", "coordinator_own",
         "coordinator_other", "supervisor", "admin")

# Outcomes: "ok" (allowed), "visible"/"hidden" (list allowed; the target is in it or not), or an error code.
U, F, N = "unauthenticated", "forbidden", "not_found"


def viewers(world: Any) -> dict[str, Viewer]:
    sokolov = Officer.objects.get(username="officer.sokolov")
    return {
        "anonymous": Viewer.anonymous(),
        "editor": Viewer(subject="editor", username="editor.site", roles=frozenset({Role.EDITOR})),
        "partner_own": world.partner(world.school),
        "partner_other": world.partner(world.clinic),
        "officer_own": world.ivanova,
        "officer_other": Viewer(subject="sokolov", username="officer.sokolov", roles=frozenset({Role.OFFICER}),
                                institution_id=world.berezovsky.pk, institution_code=world.berezovsky.code,
                                precinct_ids=frozenset(sokolov.precincts.values_list("pk", flat=True))),
        "coordinator_own": world.petrova,
        "coordinator_other": world.orlov,
        "supervisor": Viewer(subject="supervisor", username="supervisor.region", roles=frozenset({Role.SUPERVISOR})),
        "admin": Viewer(subject="admin", username="admin", roles=frozenset({Role.ADMIN})),
    }


def fresh_measure(world: Any, *, overdue: bool = False) -> Measure:
    """A new open measure of the school in Zarechny's case (each mutation cell gets its own)."""
    measure = services.assign_measure(viewer=world.petrova, case_id=world.case_own.pk, task="Матрица доступа",
                                      kind="pedagogical", deadline=timezone.localdate() + dt.timedelta(days=5),
                                      organisation_id=world.school.pk)
    if overdue:
        Measure.objects.filter(pk=measure.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    return Measure.objects.get(pk=measure.pk)


@dataclass(frozen=True)
class Target:
    """The objects of one matrix cell: a fresh measure and a fresh signal of Zarechny's precinct 1, and what the
    operation prepares for itself (a fresh case, person or consent), so that every cell starts alike."""

    measure: Measure
    signal: Signal
    extra: dict[str, Any] = field(default_factory=dict)


def fresh_signal(world: Any) -> Signal:
    signal = services.receive_signal(viewer=world.petrova, source="school", summary="Пропуски занятий",
                                     institution_id=world.zarechny.pk)
    Signal.objects.filter(pk=signal.pk).update(precinct=world.precinct_own)
    return Signal.objects.get(pk=signal.pk)


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    variables: Callable[[Any, Target], dict[str, Any]]
    expected: dict[str, str]
    #: For lists: how to tell whether the target is in the answer.
    contains: Callable[[dict[str, Any], Any, Target], bool] | None = None
    overdue: bool = False
    #: Fresh objects for each cell (in Zarechny's precinct 1 and institution), in `Target.extra`.
    prepare: Callable[[Any], dict[str, Any]] | None = None


def _partner_list(ok_own: str = "visible") -> dict[str, str]:
    return {"anonymous": U, "editor": F, "partner_own": ok_own, "partner_other": "hidden", "officer_own": "visible",
            "officer_other": "hidden", "coordinator_own": "visible", "coordinator_other": "hidden",
            "supervisor": "visible", "admin": "visible"}


def _single(**overrides: str) -> dict[str, str]:
    base = {"anonymous": U, "editor": F, "partner_own": "ok", "partner_other": N, "officer_own": "ok",
            "officer_other": N, "coordinator_own": "ok", "coordinator_other": N, "supervisor": "ok", "admin": "ok"}
    return {**base, **overrides}


PARTNER_ACTION = _single(officer_own=F, coordinator_own=F, supervisor=F, admin=F)
STAFF_READ = {"anonymous": U, "editor": F, "partner_own": F, "partner_other": F, "officer_own": "visible",
              "officer_other": "hidden", "coordinator_own": "visible", "coordinator_other": "hidden",
              "supervisor": "visible", "admin": "visible"}
CASE_WORK = _single(partner_own=F, partner_other=F, supervisor=F)
#: Writes of another scope's person (or case registration for another precinct and institution) are refused
#: as not allowed: the service checks the scope of the person, precinct and institution named.
SCOPED_WRITE = {**CASE_WORK, "officer_other": F, "coordinator_other": F}
STAFF_GATE = {**dict.fromkeys(ROLES, "ok"), "anonymous": U, "editor": F, "partner_own": F, "partner_other": F}
PUBLIC = dict.fromkeys(ROLES, "ok")
COMMENT = _single(supervisor=F)
#: Accepting or declining a transfer to Zarechny: its coordinator and admins; officers are refused by the gate,
#: the sending coordinator by the service (forbidden, told why).
TRANSFER_DECISION = {**dict.fromkeys(ROLES, F), "anonymous": U, "coordinator_own": "ok", "admin": "ok"}
REPORT_READ = {**dict.fromkeys(ROLES, F), "anonymous": U, "coordinator_own": "ok", "supervisor": "ok", "admin": "ok"}


def _registered_case(world: Any) -> Any:
    """A fresh case of Zarechny's institution in precinct 1, programme in draft, no measures."""
    return factories.registered_case(institution=world.zarechny, precinct_obj=world.precinct_own)


def _draft_with_measure(world: Any) -> dict[str, Any]:
    case_world = _registered_case(world)
    services.assign_measure(viewer=case_world.coordinator, case_id=case_world.case.pk, task="Консультация",
                            kind="legal", deadline=timezone.localdate() + dt.timedelta(days=10),
                            organisation_id=world.police.pk)
    return {"case": case_world.case}


def _approved(world: Any) -> dict[str, Any]:
    case_world, _measure = factories.approved_case_with_measure(partner_org=world.school, world=_registered_case(world))
    return {"case": Case.objects.get(pk=case_world.case.pk)}


def _near_end(world: Any) -> dict[str, Any]:
    """An approved case whose term ends within 30 days, with the monitoring inspection an extension rests on."""
    case_world, _measure = factories.approved_case_with_measure(
        partner_org=world.school, world=factories.registered_case(
            institution=world.zarechny, precinct_obj=world.precinct_own,
            registered_on=timezone.localdate() - dt.timedelta(days=170)))
    services.record_monitoring_inspection(viewer=case_world.coordinator, case_id=case_world.case.pk,
                                          inspected_on=timezone.localdate(), findings="Нужда сохраняется")
    return {"case": Case.objects.get(pk=case_world.case.pk)}


def _transfer_to_own(world: Any) -> dict[str, Any]:
    """A fresh case of Berezovsky's institution proposed to Zarechny's (the family moved into precinct 1): the
    "own" coordinator is the receiver who decides it, the "other" one its sender."""
    sender = factories.registered_case(institution=world.berezovsky, precinct_obj=world.precinct_other)
    transfer = services.propose_transfer(viewer=sender.coordinator, case_id=sender.case.pk,
                                         to_institution_id=world.zarechny.pk, to_precinct_id=world.precinct_own.pk,
                                         reason="Семья переехала в Заречный", measure_plan={})
    return {"transfer": transfer}


def _checked_signal(world: Any) -> dict[str, Any]:
    signal = fresh_signal(world)
    services.start_signal_check(viewer=world.petrova, signal_id=signal.pk)
    services.record_inspection(viewer=world.petrova, signal_id=signal.pk, inspected_on=timezone.localdate(),
                               findings="Акт обследования", need_circumstances=["debts"])
    return {"signal": signal}


def _applicant(world: Any) -> dict[str, Any]:
    """A new household member of Zarechny's precinct 1 with consent, registered by Zarechny's coordinator."""
    person = services.create_person(viewer=world.petrova, household_id=world.case_own.household_id,
                                    last_name="Новикова", first_name="Дарья")
    services.record_consent(viewer=world.petrova, person_id=person.pk, purpose="processing",
                            given_on=timezone.localdate())
    return {"person": person}


def _consent(world: Any) -> dict[str, Any]:
    return {"consent": services.record_consent(viewer=world.petrova, person_id=world.case_own.applicant_id,
                                               purpose="publication", given_on=timezone.localdate())}


def _decision() -> dict[str, str]:
    return {"decidedOn": timezone.localdate().isoformat(), "protocolNumber": "7/2026",
            "participants": "Куратор, участковый"}


def _mv(world: Any, target: Target) -> dict[str, Any]:
    return {"id": str(target.measure.pk), "v": target.measure.version}


def _ids(nodes: list[dict[str, Any]]) -> set[str]:
    return {node["id"] for node in nodes}


OPERATIONS = [
    Operation("myMeasures",
              "query($f: MeasureFilter) { myMeasures(first: 100, filter: $f) { totalCount nodes { id } } }",
              lambda w, t: {"f": {"text": "Матрица"}}, _partner_list(),
              contains=lambda d, w, t: str(t.measure.pk) in _ids(d["myMeasures"]["nodes"])),
    Operation("measure", "query($id: ID!) { measure(id: $id) { id task recipient { firstName } } }",
              lambda w, t: {"id": str(t.measure.pk)}, _single()),
    Operation("overdueMeasures", "{ overdueMeasures(first: 100) { totalCount nodes { id } } }",
              lambda w, t: {}, STAFF_READ,
              contains=lambda d, w, t: str(t.measure.pk) in _ids(d["overdueMeasures"]["nodes"]),
              overdue=True),
    Operation("cases", "{ cases(first: 100) { totalCount nodes { id } } }", lambda w, t: {}, STAFF_READ,
              contains=lambda d, w, t: str(w.case_own.pk) in _ids(d["cases"]["nodes"])),
    Operation("case", "query($id: ID!) { case(id: $id) { id code } }", lambda w, t: {"id": str(w.case_own.pk)},
              _single(partner_own=F, partner_other=F)),
    Operation("persons", "{ persons(first: 100) { totalCount nodes { id } } }", lambda w, t: {}, STAFF_READ,
              contains=lambda d, w, t: str(w.case_own.applicant_id) in _ids(d["persons"]["nodes"])),
    Operation("staffSearch", "query($q: String!) { staffSearch(text: $q) { kind id } }",
              lambda w, t: {"q": w.case_own.code}, STAFF_READ,
              contains=lambda d, w, t: {"kind": "CASE", "id": str(w.case_own.pk)} in d["staffSearch"]),
    Operation("person", "query($id: ID!) { person(id: $id) { id lastName } }",
              lambda w, t: {"id": str(w.case_own.applicant_id)}, _single(partner_own=F, partner_other=F)),
    Operation("acceptMeasure", "mutation($id: ID!, $v: Int!) { acceptMeasure(id: $id, version: $v) { id status } }",
              _mv, PARTNER_ACTION),
    Operation("fulfilMeasure", "mutation($id: ID!, $v: Int!) { fulfilMeasure(id: $id, version: $v, "
              "result: \"Проведено\") { id status } }", _mv,
              PARTNER_ACTION),
    Operation("reportMeasureNotFulfilled", "mutation($id: ID!, $v: Int!) { reportMeasureNotFulfilled(id: $id, "
              "version: $v, reasonCode: OTHER, reason: \"Семья переехала\") { id status } }",
              _mv, PARTNER_ACTION),
    Operation("returnMeasure", "mutation($id: ID!, $v: Int!) { returnMeasure(id: $id, version: $v, "
              "reasonCode: NOT_OUR_PROFILE) { id status returnCode } }",
              _mv, PARTNER_ACTION),
    Operation("commentMeasure", "mutation($id: ID!) { commentMeasure(id: $id, text: \"Созвонились\") { text } }",
              lambda w, t: {"id": str(t.measure.pk)}, COMMENT),
    Operation("assignMeasure", "mutation($case: ID!, $org: ID!, $due: Date!) { assignMeasure(input: {caseId: $case, "
              "task: \"Консультация\", kind: LEGAL, deadline: $due, organisationId: $org}) { id } }",
              lambda w, t: {"case": str(w.case_own.pk), "org": str(w.police.pk),
                            "due": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}, CASE_WORK),
    Operation("reassignMeasure", "mutation($id: ID!, $v: Int!, $org: ID!) { reassignMeasure(id: $id, version: $v, "
              "organisationId: $org, reason: \"Профиль\") { id } }",
              lambda w, t: {"id": str(t.measure.pk), "v": t.measure.version, "org": str(w.police.pk)}, CASE_WORK),
    Operation("cancelMeasure", "mutation($id: ID!, $v: Int!) { cancelMeasure(id: $id, version: $v, "
              "reason: \"Не нужно\") { id status } }", _mv, CASE_WORK),
    Operation("setSharedFields", "mutation($id: ID!, $v: Int!) { setSharedFields(id: $id, version: $v, "
              "fields: [\"first_name\"]) { id sharedFields } }", _mv,
              CASE_WORK),
    Operation("recordReview", "mutation($case: ID!, $on: Date!) { recordReview(caseId: $case, reviewedOn: $on, "
              "findings: \"Положительная динамика\") { id } }",
              lambda w, t: {"case": str(w.case_own.pk), "on": timezone.localdate().isoformat()}, CASE_WORK),
    Operation("receiveSignal", "mutation($inst: ID!) { receiveSignal(input: {source: \"school\", "
              "summary: \"Ребёнок пропускает занятия\", institutionId: $inst}) { id } }",
              lambda w, t: {"inst": str(w.zarechny.pk)},
              {**dict.fromkeys(ROLES, "ok"), "anonymous": U, "editor": F, "supervisor": F}),
    Operation("signals", "{ signals(first: 100) { totalCount nodes { id } } }", lambda w, t: {}, STAFF_READ,
              contains=lambda d, w, t: str(t.signal.pk) in _ids(d["signals"]["nodes"])),
    Operation("signal", "query($id: ID!) { signal(id: $id) { id } }", lambda w, t: {"id": str(t.signal.pk)},
              _single(partner_own=F, partner_other=F)),
    Operation("reviewsDue", "{ reviewsDue(first: 10) { totalCount } }", lambda w, t: {}, STAFF_GATE),
    Operation("termsEnding", "{ termsEnding(first: 10) { totalCount } }", lambda w, t: {}, STAFF_GATE),
    Operation("startSignalCheck", "mutation($id: ID!) { startSignalCheck(id: $id) { id } }",
              lambda w, t: {"id": str(t.signal.pk)}, CASE_WORK),
    Operation("dismissSignal", "mutation($id: ID!) { dismissSignal(id: $id, reason: \"Не подтвердилось\") { id } }",
              lambda w, t: {"id": str(t.signal.pk)}, CASE_WORK),
    Operation("createHousehold", "mutation($p: ID!) { createHousehold(precinctId: $p, address: \"ул. Ленина, 7\") "
              "{ id } }", lambda w, t: {"p": str(w.precinct_own.pk)},
              # Only in the actor's territory: an officer's precincts, a coordinator's institution's territory.
              SCOPED_WRITE),
    Operation("districts", "{ districts { code } }", lambda w, t: {}, PUBLIC),
    Operation("district", "{ district(code: \"zarechny-leninsky\") { code } }", lambda w, t: {}, PUBLIC),
    Operation("helpKinds", "{ helpKinds { value label } }", lambda w, t: {}, PUBLIC),
    Operation("organisationKinds", "{ organisationKinds { value label } }", lambda w, t: {}, PUBLIC),
    Operation("recordInspection", "mutation($id: ID!, $on: Date!) { recordInspection(id: $id, inspectedOn: $on, "
              "findings: \"Акт\", needCircumstances: [\"debts\"]) { id status } }",
              lambda w, t: {"id": str(t.signal.pk), "on": timezone.localdate().isoformat()}, CASE_WORK),
    Operation("confirmSignal", "mutation($id: ID!) { confirmSignal(id: $id) { id status } }",
              lambda w, t: {"id": str(t.extra["signal"].pk)}, CASE_WORK, prepare=_checked_signal),
    Operation("createPerson", "mutation($h: ID!) { createPerson(input: {householdId: $h, lastName: \"Ким\", "
              "firstName: \"Олег\"}) { id } }", lambda w, t: {"h": str(w.case_own.household_id)},
              # As for households: only into a household of the actor's scope and territory.
              SCOPED_WRITE),
    Operation("updatePerson", "mutation($id: ID!) { updatePerson(id: $id, input: {phone: \"+7 900 000-00-01\"}) "
              "{ id phone } }", lambda w, t: {"id": str(w.case_own.applicant_id)}, CASE_WORK),
    Operation("recordConsent", "mutation($p: ID!, $on: Date!) { recordConsent(personId: $p, purpose: "
              "\"publication\", givenOn: $on) { id } }",
              lambda w, t: {"p": str(w.case_own.applicant_id), "on": timezone.localdate().isoformat()}, SCOPED_WRITE),
    Operation("withdrawConsent", "mutation($id: ID!, $on: Date!) { withdrawConsent(id: $id, withdrawnOn: $on) "
              "{ id withdrawnOn } }",
              lambda w, t: {"id": str(t.extra["consent"].pk), "on": timezone.localdate().isoformat()}, SCOPED_WRITE,
              prepare=_consent),
    Operation("registerCase", "mutation($a: ID!, $h: ID!, $p: ID!, $i: ID!, $on: Date!) { registerCase(input: "
              "{applicantId: $a, householdId: $h, precinctId: $p, institutionId: $i, registeredOn: $on}) { id } }",
              lambda w, t: {"a": str(t.extra["person"].pk), "h": str(w.case_own.household_id),
                            "p": str(w.precinct_own.pk), "i": str(w.zarechny.pk),
                            "on": timezone.localdate().isoformat()}, SCOPED_WRITE, prepare=_applicant),
    Operation("approveProgramme", "mutation($case: ID!, $d: CollegialDecisionInput!) { approveProgramme(caseId: "
              "$case, decision: $d) { id status } }",
              lambda w, t: {"case": str(t.extra["case"].pk), "d": _decision()}, CASE_WORK, prepare=_draft_with_measure),
    Operation("extendCase", "mutation($id: ID!, $v: Int!, $end: Date!, $d: CollegialDecisionInput!, $on: Date!) {"
              " extendCase(id: $id, version: $v, endsOn: $end, decision: $d, wishOn: $on, wish: \"Просит продлить\")"
              " { id status } }",
              lambda w, t: {"id": str(t.extra["case"].pk), "v": t.extra["case"].version, "d": _decision(),
                            "end": (t.extra["case"].ends_on + dt.timedelta(days=30)).isoformat(),
                            "on": timezone.localdate().isoformat()},
              CASE_WORK, prepare=_near_end),
    Operation("recordMonitoringInspection", "mutation($case: ID!, $on: Date!) { recordMonitoringInspection(caseId: "
              "$case, inspectedOn: $on, findings: \"Нужда сохраняется\") { id } }",
              lambda w, t: {"case": str(t.extra["case"].pk), "on": timezone.localdate().isoformat()},
              CASE_WORK, prepare=_approved),
    Operation("closeCase", "mutation($id: ID!, $v: Int!, $on: Date!) { closeCase(id: $id, version: $v, input: "
              "{closedOn: $on, outcome: \"resolved\", results: \"Ситуация разрешена\", recommendations: "
              "\"Нет\"}) { id status } }",
              lambda w, t: {"id": str(t.extra["case"].pk), "v": t.extra["case"].version,
                            "on": timezone.localdate().isoformat()}, CASE_WORK,
              prepare=lambda w: {"case": _registered_case(w).case}),
    # Transfer of a case (передача дела): the sending case manager proposes it; only the receiving institution's
    # coordinator (or an admin) lists, accepts and declines it — the sender is told it may not, others "not found".
    Operation("proposeTransfer", "mutation($case: ID!, $to: ID!, $p: ID!) { proposeTransfer(caseId: $case, "
              "toInstitutionId: $to, toPrecinctId: $p, reason: \"Семья переехала\") { id status } }",
              lambda w, t: {"case": str(t.extra["case"].pk), "to": str(w.berezovsky.pk),
                            "p": str(w.precinct_other.pk)}, CASE_WORK,
              prepare=lambda w: {"case": _registered_case(w).case}),
    Operation("incomingTransfers", "{ incomingTransfers(first: 100) { totalCount nodes { id } } }",
              lambda w, t: {}, {**STAFF_READ, "officer_own": "hidden", "supervisor": "hidden"},
              contains=lambda d, w, t: str(t.extra["transfer"].pk) in _ids(d["incomingTransfers"]["nodes"]),
              prepare=_transfer_to_own),
    Operation("acceptTransfer", "mutation($id: ID!) { acceptTransfer(id: $id) { id status } }",
              lambda w, t: {"id": str(t.extra["transfer"].pk)}, TRANSFER_DECISION, prepare=_transfer_to_own),
    Operation("declineTransfer", "mutation($id: ID!) { declineTransfer(id: $id, reason: \"Не наш адрес\") "
              "{ id status } }",
              lambda w, t: {"id": str(t.extra["transfer"].pk)}, TRANSFER_DECISION, prepare=_transfer_to_own),
    Operation("precincts", "{ precincts { number } }", lambda w, t: {}, PUBLIC),
    Operation("organisation", "{ organisation(code: \"school-7\") { name } }", lambda w, t: {}, PUBLIC),
    Operation("streetSuggestions", "{ streetSuggestions(prefix: \"Лен\") { title } }", lambda w, t: {}, PUBLIC),
    Operation("viewer", "{ viewer { signedIn } }", lambda w, t: {}, PUBLIC),
    Operation("organisations", "{ organisations { code } }", lambda w, t: {}, PUBLIC),
    Operation("findOfficer", "{ findOfficer(address: \"Заречный, Ленина 5\") { status } }", lambda w, t: {},
              PUBLIC),
    # Reports: a coordinator its institution (and its district's passport), supervisors and admins everything,
    # a partner only its own performance.
    Operation("monthlyReport", '{ monthlyReport(period: "2026-01", institution: "kcson-zarechny") { scope } }',
              lambda w, t: {}, REPORT_READ),
    Operation("quarterlyMonitoring",
              '{ quarterlyMonitoring(period: "2026-Q1", institution: "kcson-zarechny") { scope } }',
              lambda w, t: {}, REPORT_READ),
    Operation("socialPassport", '{ socialPassport(period: "2026-01", district: "zarechny-leninsky") { scope } }',
              lambda w, t: {}, REPORT_READ),
    Operation("partnerPerformance", '{ partnerPerformance(period: "2026-01") { scope } }', lambda w, t: {},
              {**REPORT_READ, "partner_own": "ok", "partner_other": "ok", "coordinator_other": "ok"}),
]


def outcome(status: int, result: Any, operation: Operation, world: Any, target: Target) -> str:
    assert status == 200, (status, result)
    if result.errors:
        assert result.data is None or all(value is None for value in result.data.values())
        return result.code
    if operation.contains is None:
        return "ok"
    return "visible" if operation.contains(result.data, world, target) else "hidden"


def test_every_operation_names_every_role() -> None:
    for operation in OPERATIONS:
        assert set(operation.expected) == set(ROLES), operation.name


def test_every_query_and_mutation_of_the_schema_is_in_the_matrix() -> None:
    """A new field of graph/schema.graphql fails here until the matrix says who may use it."""
    from graphql import build_schema

    import graph

    printed = build_schema((Path(graph.__file__).parent / "schema.graphql").read_text(encoding="utf-8"))
    fields = set(printed.query_type.fields) | set(printed.mutation_type.fields)  # type: ignore[union-attr]
    names = [operation.name for operation in OPERATIONS]
    assert len(names) == len(set(names))
    assert fields - set(names) == set(), "operations missing from the authorisation matrix"
    assert set(names) - fields == set(), "operations of the matrix that the schema no longer has"


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_authorisation_matrix_over_http(live_world, gateway, operation: Operation) -> None:
    world = live_world
    who = viewers(world)
    got: dict[str, str] = {}
    for role in ROLES:
        measure = fresh_measure(world, overdue=operation.overdue)
        target = Target(measure=measure, signal=fresh_signal(world),
                        extra=operation.prepare(world) if operation.prepare else {})
        before = Measure.objects.filter(pk=measure.pk).values().get()
        signal_before = Signal.objects.filter(pk=target.signal.pk).values().get()
        cases_before = list(Case.objects.order_by("pk").values())
        consents_before = list(Consent.objects.order_by("pk").values())
        attempts_before = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count()
        status, result = gateway.post(who[role], operation.document, operation.variables(world, target))
        got[role] = outcome(status, result, operation, world, target)
        if operation.document.startswith("mutation") and got[role] not in ("ok", U):
            # Every refused write of a signed-in caller is in the audit trail, exactly once (whether the gateway's
            # role gate, the scope, a missing object or the object's state refused it).
            attempts = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT)
            assert attempts.count() == attempts_before + 1, (operation.name, role)
            assert attempts.order_by("id").last().details["refused"] == got[role], (operation.name, role)
        if got[role] not in ("ok", "visible", "hidden"):
            # A refusal changes nothing.
            assert Measure.objects.filter(pk=measure.pk).values().get() == before, (operation.name, role)
            assert Signal.objects.filter(pk=target.signal.pk).values().get() == signal_before, (operation.name, role)
            assert list(Case.objects.order_by("pk").values()) == cases_before, (operation.name, role)
            assert list(Consent.objects.order_by("pk").values()) == consents_before, (operation.name, role)
        Measure.objects.filter(pk=measure.pk).update(status="cancelled")  # out of the way of the next cell
    assert got == operation.expected


def test_rejected_token_is_401_with_a_clear_message(live_world, gateway) -> None:
    status, result = gateway.post(None, "{ districts { code } }", token="forged")
    assert status == 401 and result.code == "unauthenticated"
    assert "token" in result.errors[0]["message"].lower()
    import httpx

    malformed = httpx.post(gateway.url, json={"query": "{ districts { code } }"},
                           headers={"Authorization": "Basic abc"}, timeout=30)
    assert malformed.status_code == 401 and "Bearer" in malformed.json()["errors"][0]["message"]


def test_no_graphiql_page_without_debug(live_world, gateway) -> None:
    import httpx

    page = httpx.get(gateway.url, headers={"Accept": "text/html"}, timeout=30)
    # GraphQL over HTTP: a client accepting only HTML is told so (406), never served the GraphiQL page.
    assert page.status_code == 406 and "graphiql" not in page.text.lower()


# --- Chains of writes: each role runs the whole chain; the family must stay out of reach of other territories ----

CHAIN_REGISTER = ("mutation($a: ID!, $h: ID!, $p: ID!, $i: ID!, $on: Date!) { registerCase(input: {applicantId: $a, "
                  "householdId: $h, precinctId: $p, institutionId: $i, registeredOn: $on}) { id } }")
CHAIN_READS = "query($id: ID!) { person(id: $id) { id phone } persons(first: 100) { nodes { id } } }"
#: How far each role gets: "ok" (the whole chain, legitimately: its own territory), or the code of the first
#: refused step; afterwards whether it reads the family member that was there before the chain.
CHAIN_EXPECTED = {"anonymous": U, "editor": F, "partner_own": F, "partner_other": F, "officer_own": "ok",
                  "officer_other": F, "coordinator_own": "ok", "coordinator_other": F, "supervisor": F, "admin": "ok"}
CHAIN_READS_FAMILY = {"anonymous": False, "editor": False, "partner_own": False, "partner_other": False,
                      "officer_own": True, "officer_other": False, "coordinator_own": True,
                      "coordinator_other": False, "supervisor": True, "admin": True}


def _institution_of(viewer: Viewer, world: Any) -> int:
    return viewer.institution_id or world.zarechny.pk


def _run_chain(gateway: Any, viewer: Viewer, world: Any, household_id: int | None) -> str:
    """household (unless given) → person → consent → case registration, stopping at the first refusal."""
    today = timezone.localdate().isoformat()
    if household_id is None:
        _status, result = gateway.post(viewer, "mutation($p: ID!) { createHousehold(precinctId: $p, address: "
                                      "\"ул. Тихая, 5\") { id } }", {"p": str(world.precinct_own.pk)})
        if result.errors:
            return result.code
        household_id = int(result.data["createHousehold"]["id"])
    steps: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
        ("mutation($h: ID!) { createPerson(input: {householdId: $h, lastName: \"Чужая\", firstName: \"Анна\"}) "
         "{ id } }", lambda got: {"h": str(household_id)}),
        ("mutation($p: ID!, $on: Date!) { recordConsent(personId: $p, purpose: \"processing\", givenOn: $on) "
         "{ id } }", lambda got: {"p": got["createPerson"]["id"], "on": today}),
        (CHAIN_REGISTER, lambda got: {"a": got["createPerson"]["id"], "h": str(household_id),
                                      "p": str(world.precinct_own.pk), "i": str(_institution_of(viewer, world)),
                                      "on": today}),
    ]
    got: dict[str, Any] = {}
    for document, variables in steps:
        status, result = gateway.post(viewer, document, variables(got))
        assert status == 200, (status, result)
        if result.errors:
            return result.code
        got.update(result.data)
    return "ok"


@pytest.mark.parametrize("start", ["family_without_case", "new_household"])
def test_write_chains_do_not_widen_any_scope(live_world, gateway, settings, start: str) -> None:
    """The attack of issue 11: add a person to a family of another institution's precinct that has no case yet,
    record consent, register a case under one's own institution, and read the family. Every role runs the
    chain against a fresh family of Zarechny's precinct 1; only the roles of that territory get through, the
    others are refused at the first step (and the refusal is in the audit trail), and nobody reads more."""
    from portal.cases.models import Household, Person

    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    world = live_world
    who = viewers(world)
    got: dict[str, str] = {}
    reads: dict[str, bool] = {}
    for role in ROLES:
        household = services.create_household(viewer=world.petrova, precinct_id=world.precinct_own.pk,
                                              address="ул. Тихая, 3")
        member = services.create_person(viewer=world.petrova, household_id=household.pk, last_name="Тихонова",
                                        first_name="Алла", phone="+7 900 111-22-33")
        attempts = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count()
        persons_before = set(Person.objects.values_list("pk", flat=True))
        households_before = set(Household.objects.values_list("pk", flat=True))
        got[role] = _run_chain(gateway, who[role], world, household.pk if start == "family_without_case" else None)
        if got[role] not in ("ok", U):
            # Refused at the first step: nothing was created, and the refusal was audited.
            assert set(Person.objects.values_list("pk", flat=True)) == persons_before, role
            assert set(Household.objects.values_list("pk", flat=True)) == households_before, role
            assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count() == attempts + 1, role
        _status, result = gateway.post(who[role], CHAIN_READS, {"id": str(member.pk)})
        person = (result.data or {}).get("person")
        listed = {node["id"] for node in ((result.data or {}).get("persons") or {}).get("nodes", [])}
        reads[role] = person is not None or str(member.pk) in listed
    assert got == CHAIN_EXPECTED
    assert reads == CHAIN_READS_FAMILY
