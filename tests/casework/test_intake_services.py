"""Intake services (issue 14, items 1–5): signal with repeats and anonymity, check with an inspection act,
households and persons after a duplicate check, application with consent and its journal number, the case
registered from the application, the programme approved by a collegial decision — allowed and refused per role
(operator, officer, coordinator, supervisor, partner)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import selectors, services
from portal.cases.models import Application, Case, CollegialDecision, Consent, Signal
from portal.cases.services import intake
from portal.cases.services.intake import PossibleDuplicate, PossibleRepeat
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory.models import Officer, Precinct
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ADDRESS = "г. Заречный, ул. Ленина, д. 5, кв. 12"


@dataclass
class Town:
    institution: Organisation
    other_institution: Organisation
    precinct: Precinct
    officer: Officer
    other_officer: Officer
    operator: Viewer
    officer_viewer: Viewer
    coordinator: Viewer
    other_coordinator: Viewer
    supervisor: Viewer
    partner: Viewer


@pytest.fixture
def town() -> Town:
    district = f.district(name="Ленинский район", kind="urban")
    rural = f.district(name="Берёзовский округ", kind="rural")
    institution = f.organisation(kind="social_service", code="kcson-z", district_obj=district)
    other_institution = f.organisation(kind="social_service", code="kcson-b", district_obj=rural)
    officer = f.officer(username="officer.ivanova", institution=institution)
    other_officer = f.officer(username="officer.sokolov", institution=other_institution,
                              full_name="Соколов А. П.")
    precinct = f.precinct(district_obj=district, number=1, officer=officer)
    village = f.precinct(district_obj=rural, number=1, officer=other_officer)
    lenina = f.street(district_obj=district, name="Ленина")
    f.address_range(street_obj=lenina, precinct_obj=precinct)
    f.address_range(street_obj=f.street(district_obj=rural, settlement="Берёзовка", name="Мира"),
                    precinct_obj=village)
    school = f.organisation(kind="school", district_obj=district)
    operator = Viewer(subject="op-1", username="operator", display_name="Оператор", roles=frozenset({Role.OPERATOR}),
                      institution_id=institution.pk, institution_code=institution.code)
    officer_viewer = Viewer(subject="officer-1", username="officer.ivanova", display_name="Иванова",
                            roles=frozenset({Role.OFFICER}), institution_id=institution.pk,
                            institution_code=institution.code, precinct_ids=frozenset({precinct.pk}))
    return Town(institution=institution, other_institution=other_institution, precinct=precinct, officer=officer,
                other_officer=other_officer, operator=operator, officer_viewer=officer_viewer,
                coordinator=f.coordinator(institution), other_coordinator=f.coordinator(other_institution),
                supervisor=f.viewer_with(Role.SUPERVISOR), partner=f.partner(school))


def _signal(viewer: Viewer, **overrides: Any) -> Signal:
    values: dict[str, Any] = {"source": "school", "summary": "Ребёнок третью неделю не ходит в школу",
                              "address": ADDRESS, "reporter": "Классный руководитель Петрова И. С."}
    values.update(overrides)
    return intake.register_signal(viewer=viewer, **values)


def _act(viewer: Viewer, signal: Signal, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "inspected_on": TODAY, "family_categories": ["large_family", "low_income"],
        "members": "Смирнова Ольга Ивановна, 1990 г. р., мать; трое детей 2012, 2015, 2019 г. р.",
        "housing": "Двухкомнатная квартира, требуется ремонт", "psychological_climate": "Напряжённый",
        "income_per_person": Decimal("9500"), "subsistence_minimum": Decimal("16400"),
        "need_indicators": ["below_subsistence", "housing_repair"], "recommended_level": "intensive",
        "support_form": "at_home", "help_kinds": ["material", "pedagogical"],
        "conclusion": "Семья нуждается в социальном сопровождении",
    }
    values.update(overrides)
    return intake.record_inspection_act(viewer=viewer, signal_id=signal.pk, **values)


# --- Signal intake ---------------------------------------------------------------------------------------------

def test_operator_registers_a_signal_resolved_to_its_precinct_and_sees_only_its_own(town: Town) -> None:
    signal = _signal(town.operator, urgency="urgent", need_circumstances=["family_conflict"])
    assert signal.precinct_id == town.precinct.pk and signal.institution_id == town.institution.pk
    assert signal.registered_by_subject == "op-1" and signal.status == Signal.Status.RECEIVED
    assert signal.address_key.startswith("street:")
    assert AuditEvent.objects.filter(verb="signal.register", object_id=str(signal.pk)).exists()
    other_operator = Viewer(subject="op-2", username="operator2", roles=frozenset({Role.OPERATOR}),
                            institution_id=town.institution.pk)
    foreign = _signal(other_operator, address="г. Заречный, ул. Ленина, д. 7", not_a_repeat=True)
    assert list(selectors.signals_for(town.operator)) == [signal]
    assert set(selectors.signals_for(town.coordinator)) == {signal, foreign}
    assert not selectors.cases_for(town.operator).exists() and not selectors.persons_for(town.operator).exists()
    # An operator checks nothing.
    with pytest.raises(PermissionDenied):
        intake.assign_signal_check(viewer=town.operator, signal_id=signal.pk, officer_id=town.officer.pk)
    with pytest.raises(NotFound):
        _act(town.operator, foreign)


def test_anonymous_report_stores_no_reporter(town: Town) -> None:
    signal = _signal(town.operator, anonymous=True, reporter="Соседка из кв. 14")
    assert signal.reporter_anonymous and signal.reporter == ""


def test_unresolved_address_goes_to_the_institution_queue(town: Town) -> None:
    signal = _signal(town.operator, address="где-то за рекой, у старой мельницы")
    assert signal.precinct_id is None and signal.precinct_unresolved
    assert signal.institution_id == town.institution.pk
    assert signal in selectors.signals_for(town.coordinator)
    assert signal not in selectors.signals_for(town.officer_viewer)  # no precinct: the coordinator assigns it
    intake.assign_signal_check(viewer=town.coordinator, signal_id=signal.pk, officer_id=town.officer.pk)
    assert signal in selectors.signals_for(town.officer_viewer)


def test_address_of_another_territory_goes_to_the_institution_serving_it(town: Town) -> None:
    signal = _signal(town.operator, address="с. Берёзовка, ул. Мира, д. 3")
    assert signal.institution_id == town.other_institution.pk
    assert signal in selectors.signals_for(town.other_coordinator)
    assert signal in selectors.signals_for(town.operator)  # registered by it


def test_repeat_within_30_days_is_attached_instead_of_duplicated(town: Town) -> None:
    first = _signal(town.operator)
    with pytest.raises(PossibleRepeat) as warned:
        _signal(town.coordinator, source="neighbours", summary="Ночью снова крики", address="Заречный, Ленина 5 кв 12")
    assert warned.value.candidates == [first]
    repeat = _signal(town.coordinator, source="neighbours", summary="Ночью снова крики",
                     address="Заречный, Ленина 5 кв 12", urgency="immediate", repeat_of_id=first.pk)
    first.refresh_from_db()
    assert repeat.repeat_of_id == first.pk and first.urgency == Signal.Urgency.IMMEDIATE  # escalated
    assert AuditEvent.objects.filter(verb="signal.escalate", object_id=str(first.pk)).exists()
    # Another flat of the house is another family; "not a repeat" registers a new signal.
    assert _signal(town.operator, address="г. Заречный, ул. Ленина, д. 5, кв. 3").repeat_of_id is None
    assert _signal(town.operator, not_a_repeat=True).repeat_of_id is None


def test_old_or_closed_signals_are_not_repeats(town: Town) -> None:
    old = _signal(town.operator, received_at=timezone.now() - dt.timedelta(days=31))
    assert old.pk
    fresh = _signal(town.operator)  # the old one is outside the 30 days
    services.dismiss_signal(viewer=town.coordinator, signal_id=fresh.pk, reason="Ошибочный адрес")
    assert _signal(town.operator).pk  # the dismissed one is closed
    with pytest.raises(InvalidTransition):
        _signal(town.operator, repeat_of_id=old.pk)


def test_who_may_register_signals(town: Town) -> None:
    with pytest.raises(PermissionDenied):
        _signal(town.supervisor)
    assert AuditEvent.objects.filter(verb="signal.register", action=AuditEvent.Action.ATTEMPT).exists()
    from_partner = _signal(town.partner)
    assert from_partner.reporter_organisation_id == town.partner.organisation_id
    assert from_partner in selectors.signals_for(town.partner)
    assert _signal(town.officer_viewer, not_a_repeat=True).institution_id == town.institution.pk


@pytest.mark.parametrize(("overrides", "field"), [
    ({"source": "rumours"}, "source"), ({"summary": "  "}, "summary"), ({"urgency": "soon"}, "urgency"),
    ({"need_circumstances": ["bad"]}, "need_circumstances"),
    ({"received_at": timezone.now() + dt.timedelta(days=1)}, "received_at"),
])
def test_signal_bad_input_names_the_field(town: Town, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _signal(town.operator, **overrides)
    assert refused.value.field == field


# --- Check and inspection act ------------------------------------------------------------------------------------

def test_check_with_an_act_then_confirm(town: Town) -> None:
    signal = _signal(town.operator)
    with pytest.raises(ValidationFailed):  # an officer of another institution
        intake.assign_signal_check(viewer=town.coordinator, signal_id=signal.pk, officer_id=town.other_officer.pk)
    with pytest.raises(NotFound):
        intake.assign_signal_check(viewer=town.other_coordinator, signal_id=signal.pk, officer_id=town.officer.pk)
    intake.assign_signal_check(viewer=town.officer_viewer, signal_id=signal.pk, officer_id=town.officer.pk)
    with pytest.raises(InvalidTransition):
        services.confirm_signal(viewer=town.officer_viewer, signal_id=signal.pk)  # no act yet
    act = _act(town.officer_viewer, signal)
    assert act.below_subsistence and act.inspector == "Иванова"
    signal.refresh_from_db()
    assert signal.status == Signal.Status.CHECKING and signal.need_circumstances == ["below_subsistence",
                                                                                      "housing_repair"]
    act = _act(town.officer_viewer, signal, recommended_level="basic")  # corrected while checking
    assert act.recommended_level == "basic"
    services.confirm_signal(viewer=town.officer_viewer, signal_id=signal.pk)
    with pytest.raises(InvalidTransition):
        _act(town.officer_viewer, signal)


def test_supervisor_reads_but_does_not_check(town: Town) -> None:
    signal = _signal(town.operator)
    assert signal in selectors.signals_for(town.supervisor)
    with pytest.raises(PermissionDenied):
        _act(town.supervisor, signal)
    with pytest.raises(PermissionDenied):
        intake.assign_signal_check(viewer=town.supervisor, signal_id=signal.pk, officer_id=town.officer.pk)
    with pytest.raises(NotFound):
        _act(town.partner, signal)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"inspected_on": TODAY + dt.timedelta(days=1)}, "inspected_on"),
    ({"inspected_on": TODAY - dt.timedelta(days=10)}, "inspected_on"),
    ({"income_per_person": Decimal("-1")}, "income_per_person"),
    ({"subsistence_minimum": Decimal("0")}, "subsistence_minimum"),
    ({"need_indicators": []}, "need_indicators"), ({"members": " "}, "members"),
    ({"recommended_level": "max"}, "recommended_level"), ({"support_form": "online"}, "support_form"),
    ({"help_kinds": ["magic"]}, "help_kinds"),
])
def test_act_bad_input_names_the_field(town: Town, overrides: dict[str, Any], field: str) -> None:
    signal = _signal(town.operator)
    with pytest.raises(ValidationFailed) as refused:
        _act(town.coordinator, signal, **overrides)
    assert refused.value.field == field


# --- Household, persons, application, registration, programme --------------------------------------------------

def _family(viewer: Viewer) -> tuple[Any, Any]:
    household = intake.register_household(viewer=viewer, address=ADDRESS, categories=["large_family"])
    person = intake.register_person(viewer=viewer, household_id=household.pk, last_name="Смирнова",
                                    first_name="Ольга", middle_name="Ивановна", birth_date=dt.date(1990, 5, 1))
    return household, person


def test_household_and_person_duplicates_are_detected_before_creating(town: Town) -> None:
    household, person = _family(town.coordinator)
    assert household.precinct_id == town.precinct.pk
    with pytest.raises(PossibleDuplicate) as same_address:
        intake.register_household(viewer=town.officer_viewer, address="Заречный, Ленина 5, кв 12")
    assert same_address.value.candidates == [household] and same_address.value.hidden == 0
    with pytest.raises(PossibleDuplicate) as same_person:
        intake.register_person(viewer=town.coordinator, household_id=household.pk, last_name="смирнова",
                               first_name="Ольга", birth_date=dt.date(1990, 5, 1))
    assert same_person.value.candidates == [person]
    twin = intake.register_person(viewer=town.coordinator, household_id=household.pk, last_name="Смирнова",
                                  first_name="Ольга", birth_date=dt.date(1990, 5, 1), not_duplicate=True)
    assert twin.pk != person.pk
    # Another institution's staff learn only that a match exists outside their scope.
    other_household = intake.register_household(viewer=town.other_coordinator, address="с. Берёзовка, ул. Мира, 3")
    with pytest.raises(PossibleDuplicate) as elsewhere:
        intake.register_person(viewer=town.other_coordinator, household_id=other_household.pk,
                               last_name="Смирнова", first_name="Ольга", birth_date=dt.date(1990, 5, 1))
    assert elsewhere.value.candidates == [] and elsewhere.value.hidden == 2
    for viewer in (town.operator, town.supervisor, town.partner):
        with pytest.raises(PermissionDenied):
            intake.register_household(viewer=viewer, address="г. Заречный, ул. Ленина, д. 9")


def test_household_address_must_resolve(town: Town) -> None:
    with pytest.raises(ValidationFailed) as refused:
        intake.register_household(viewer=town.coordinator, address="где-то за рекой")
    assert refused.value.field == "address"


def _application(viewer: Viewer, person: Any, **overrides: Any) -> Application:
    values: dict[str, Any] = {"received_on": TODAY, "applicant_kind": "self", "services_requested": ["domestic"],
                              "help_requested": ["material"], "processing_consent": True}
    values.update(overrides)
    return intake.record_application(viewer=viewer, person_id=person.pk, **values)


def test_application_numbers_consents_and_refusals(town: Town) -> None:
    _household, person = _family(town.coordinator)
    first = _application(town.coordinator, person, publication_consent=True)
    second = _application(town.coordinator, person, applicant_kind="organisation", applicant_name="СОШ № 7")
    assert first.journal_number == f"З-{TODAY.year}-000001" and second.journal_number == f"З-{TODAY.year}-000002"
    purposes = sorted(Consent.objects.filter(person=person).values_list("purpose", flat=True))
    assert purposes == ["processing", "processing", "publication"]
    assert Consent.objects.filter(document__contains=first.journal_number).count() == 2
    other_household = intake.register_household(viewer=town.other_coordinator, address="с. Берёзовка, ул. Мира, 3")
    other_person = intake.register_person(viewer=town.other_coordinator, household_id=other_household.pk,
                                          last_name="Орлов", first_name="Пётр")
    assert _application(town.other_coordinator, other_person).journal_number == f"З-{TODAY.year}-000001"
    last_year = _application(town.coordinator, person, received_on=dt.date(TODAY.year - 1, 12, 30))
    assert last_year.journal_number == f"З-{TODAY.year - 1}-000001"
    with pytest.raises(ValidationFailed) as no_consent:
        _application(town.coordinator, person, processing_consent=False)
    assert no_consent.value.field == "processing_consent"
    with pytest.raises(ValidationFailed) as no_name:
        _application(town.coordinator, person, applicant_kind="legal_representative")
    assert no_name.value.field == "applicant_name"
    with pytest.raises(ValidationFailed):
        _application(town.coordinator, person, services_requested=[], help_requested=[])
    with pytest.raises(NotFound):
        _application(town.other_coordinator, person)
    for viewer in (town.operator, town.supervisor, town.partner):
        with pytest.raises(PermissionDenied):
            _application(viewer, person)
    assert Application.objects.filter(person=person).count() == 3


def test_application_for_an_unconfirmed_signal_is_refused(town: Town) -> None:
    signal = _signal(town.operator)
    _household, person = _family(town.coordinator)
    with pytest.raises(InvalidTransition):
        _application(town.coordinator, person, signal_id=signal.pk)


def test_from_signal_to_an_approved_programme(town: Town) -> None:
    signal = _signal(town.operator)
    _act(town.officer_viewer, signal)
    services.confirm_signal(viewer=town.officer_viewer, signal_id=signal.pk)
    household, person = _family(town.coordinator)
    child = intake.register_person(viewer=town.coordinator, household_id=household.pk, last_name="Смирнов",
                                   first_name="Илья", birth_date=dt.date(2012, 3, 4), relation="сын")
    application = _application(town.coordinator, person, signal_id=signal.pk)  # needs from the act
    for outsider in (town.operator, town.other_coordinator, town.partner):
        with pytest.raises(NotFound):
            intake.register_case_from_application(viewer=outsider, application_id=application.pk,
                                                  registered_on=TODAY)
    case = intake.register_case_from_application(viewer=town.coordinator, application_id=application.pk,
                                                 registered_on=TODAY, level="intensive",
                                                 categories=["large_family"], reasons=signal.summary)
    application.refresh_from_db()
    assert application.case_id == case.pk and case.signal_id == signal.pk
    assert case.need_circumstances == ["below_subsistence", "housing_repair"] and case.level == "intensive"
    with pytest.raises(InvalidTransition):
        intake.register_case_from_application(viewer=town.coordinator, application_id=application.pk,
                                              registered_on=TODAY)
    school = f.organisation(kind="school", help_kinds=["pedagogical"])
    ngo = f.organisation(kind="ngo", help_kinds=["material"])
    closed = f.organisation(kind="ngo", active=False)
    tutoring = services.assign_measure(viewer=town.coordinator, case_id=case.pk, task="Занятия с педагогом",
                                       kind="pedagogical", deadline=TODAY + dt.timedelta(days=40),
                                       organisation_id=school.pk, recipient_id=child.pk, place="СОШ № 7",
                                       responsible_person="Педагог-психолог Громова Е. А.")
    aid = services.assign_measure(viewer=town.coordinator, case_id=case.pk, task="Продуктовый набор",
                                  kind="material", deadline=TODAY + dt.timedelta(days=14), organisation_id=ngo.pk,
                                  shared_fields=["first_name", "last_name", "phone", "address"])
    assert tutoring.shared_fields == ["first_name", "district"]
    assert aid.shared_fields == ["first_name", "last_name", "phone", "address"]
    with pytest.raises(ValidationFailed):
        services.assign_measure(viewer=town.coordinator, case_id=case.pk, task="Помощь", kind="material",
                                deadline=TODAY + dt.timedelta(days=5), organisation_id=closed.pk)
    approved = services.approve_programme(viewer=town.coordinator, case_id=case.pk, decided_on=TODAY,
                                          protocol_number="МВРГ-14/2026", participants="Куратор, школа, фонд",
                                          body=CollegialDecision.Body.INTERAGENCY_GROUP)
    assert approved.status == Case.Status.PROGRAMME_APPROVED
    decision = CollegialDecision.objects.get(case=case)
    assert decision.body == "interagency_group" and decision.protocol_number == "МВРГ-14/2026"
