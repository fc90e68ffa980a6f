from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.models import Case, Consent, Measure, Signal
from portal.cases.terms import add_months
from portal.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_signal_check_flow() -> None:
    institution = f.organisation(kind="social_service")
    viewer = f.coordinator(institution)
    signal = s.receive_signal(viewer=viewer, source="school", summary="Пропуски занятий")
    with pytest.raises(InvalidTransition):
        s.confirm_signal(viewer=viewer, signal_id=signal.pk)  # not visited yet
    s.start_signal_check(viewer=viewer, signal_id=signal.pk)
    s.record_inspection(viewer=viewer, signal_id=signal.pk, inspected_on=TODAY, findings="Акт составлен",
                        need_circumstances=["debts", "family_conflict"])
    assert s.confirm_signal(viewer=viewer, signal_id=signal.pk).status == Signal.Status.CONFIRMED
    with pytest.raises(InvalidTransition):
        s.dismiss_signal(viewer=viewer, signal_id=signal.pk, reason="ошибка")
    with pytest.raises(ValidationFailed):
        s.receive_signal(viewer=viewer, source="rumours", summary="x")
    other = f.coordinator(f.organisation(kind="social_service"))
    with pytest.raises(NotFound):
        s.start_signal_check(viewer=other, signal_id=signal.pk)


def test_registration_needs_consent() -> None:
    with pytest.raises(InvalidTransition) as refused:
        f.registered_case(consent=False)
    assert "consent" in str(refused.value) or "соглас" in str(refused.value)
    assert not Case.objects.exists()


def test_withdrawn_consent_does_not_count() -> None:
    world = f.registered_case()
    person = s.create_person(viewer=world.coordinator, household_id=world.household.pk, last_name="Смирнов",
                             first_name="Пётр")
    consent = s.record_consent(viewer=world.coordinator, person_id=person.pk, purpose=Consent.Purpose.PROCESSING,
                               given_on=TODAY - dt.timedelta(days=10))
    s.withdraw_consent(viewer=world.coordinator, consent_id=consent.pk, withdrawn_on=TODAY - dt.timedelta(days=5))
    # Processing has stopped: the person is out of every scope (portal.cases.retention).
    with pytest.raises((InvalidTransition, NotFound)):
        s.register_case(viewer=world.coordinator, applicant_id=person.pk, household_id=world.household.pk,
                        precinct_id=world.precinct.pk, institution_id=world.institution.pk, registered_on=TODAY)


def test_full_lifecycle_with_terms_review_extension_and_closing() -> None:
    school = f.organisation(kind="school")
    start = TODAY - dt.timedelta(days=170)  # the term ends within 30 days: time for the monitoring inspection
    world = f.registered_case(registered_on=start)
    coordinator = world.coordinator
    assert world.case.status == Case.Status.REGISTERED
    with pytest.raises(InvalidTransition):  # no measures yet
        s.approve_programme(viewer=coordinator, case_id=world.case.pk, decided_on=start, protocol_number="1",
                            participants="МВРГ")
    measure = s.assign_measure(viewer=coordinator, case_id=world.case.pk, task="Консультация", kind="pedagogical",
                               deadline=start + dt.timedelta(days=60), organisation_id=school.pk)
    with pytest.raises(ValidationFailed):
        s.approve_programme(viewer=coordinator, case_id=world.case.pk, decided_on=start, protocol_number="1",
                            participants="МВРГ", term_months=7)
    with pytest.raises(ValidationFailed):
        s.approve_programme(viewer=coordinator, case_id=world.case.pk, decided_on=start, protocol_number=" ",
                            participants="МВРГ")
    case = s.approve_programme(viewer=coordinator, case_id=world.case.pk, decided_on=start, protocol_number="7/26",
                               participants="Куратор; участковый; школа")
    assert case.status == Case.Status.PROGRAMME_APPROVED
    assert case.ends_on == add_months(start, 6)
    assert case.review_due_on == add_months(start, 3)
    assert list(selectors.reviews_due(viewer=coordinator)) == [case]  # 170 days > 3 months

    partner = f.partner(school)
    measure = s.accept_measure(viewer=partner, measure_id=measure.pk, version=measure.version)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    measure = s.fulfil_measure(viewer=partner, measure_id=measure.pk, version=measure.version,
                               result="Проведено 3 занятия", done_on=start + dt.timedelta(days=30))
    assert measure.status == Measure.Status.FULFILLED

    s.record_review(viewer=coordinator, case_id=case.pk, reviewed_on=add_months(start, 3), findings="Динамика +")
    case = Case.objects.get(pk=case.pk)
    assert case.review_due_on == add_months(add_months(start, 3), 3) or case.review_due_on is None

    s.record_monitoring_inspection(viewer=coordinator, case_id=case.pk, inspected_on=TODAY, findings="Нужда есть")
    case = Case.objects.get(pk=case.pk)
    wish = {"wish_on": TODAY, "wish": "Просит продлить"}
    with pytest.raises(InvalidTransition):  # beyond 12 months in total
        s.extend_case(viewer=coordinator, case_id=case.pk, version=case.version, ends_on=add_months(start, 13),
                      decided_on=TODAY, protocol_number="9", participants="МВРГ", **wish)
    with pytest.raises(ValidationFailed):  # a collegial decision needs its participants
        s.extend_case(viewer=coordinator, case_id=case.pk, version=case.version, ends_on=add_months(start, 12),
                      decided_on=TODAY, protocol_number="9", participants="", **wish)
    with pytest.raises(Conflict):
        s.extend_case(viewer=coordinator, case_id=case.pk, version=case.version - 1, ends_on=add_months(start, 12),
                      decided_on=TODAY, protocol_number="9", participants="МВРГ", **wish)
    case = s.extend_case(viewer=coordinator, case_id=case.pk, version=case.version, ends_on=add_months(start, 12),
                         decided_on=TODAY, protocol_number="9/26", participants="МВРГ", **wish)
    assert case.status == Case.Status.EXTENDED and case.decisions.count() == 2

    with pytest.raises(ValidationFailed):
        s.close_case(viewer=coordinator, case_id=case.pk, version=case.version, closed_on=TODAY, outcome="resolved",
                     results="", recommendations="Наблюдение")
    case = s.close_case(viewer=coordinator, case_id=case.pk, version=case.version, closed_on=TODAY,
                        outcome="resolved", results="Доход выше ПМ", recommendations="Патронаж")
    assert case.status == Case.Status.CLOSED
    with pytest.raises(InvalidTransition):
        s.assign_measure(viewer=coordinator, case_id=case.pk, task="x", kind="social", deadline=TODAY,
                         organisation_id=school.pk)
    verbs = set(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list("verb",
                                                                                                      flat=True))
    assert {"case.register", "programme.approve", "case.review", "case.extend", "case.close"} <= verbs


def test_closing_refused_while_measures_are_open() -> None:
    school = f.organisation(kind="school")
    world, _measure = f.approved_case_with_measure(partner_org=school)
    case = Case.objects.get(pk=world.case.pk)
    with pytest.raises(InvalidTransition) as refused:
        s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version, closed_on=TODAY,
                     outcome="improved", results="r", recommendations="r")
    assert "1" in str(refused.value)


def test_partner_rules_and_conflicts_are_audited() -> None:
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    world, measure = f.approved_case_with_measure(partner_org=school)
    staff_a, staff_b, other = f.partner(school, "А"), f.partner(school, "Б"), f.partner(police)

    with pytest.raises(NotFound):  # another organisation cannot even see it
        s.accept_measure(viewer=other, measure_id=measure.pk, version=measure.version)
    accepted = s.accept_measure(viewer=staff_a, measure_id=measure.pk, version=measure.version)
    with pytest.raises(Conflict) as conflict:  # staff B still holds the old version
        s.fulfil_measure(viewer=staff_b, measure_id=measure.pk, version=measure.version, result="Готово")
    assert conflict.value.current.status == Measure.Status.ACCEPTED
    with pytest.raises(ValidationFailed):
        s.report_measure_not_fulfilled(viewer=staff_b, measure_id=measure.pk, version=accepted.version,
                                       reason_code="other", reason=" ")
    with pytest.raises(ValidationFailed):
        s.fulfil_measure(viewer=staff_b, measure_id=measure.pk, version=accepted.version, result="x",
                         done_on=TODAY + dt.timedelta(days=1))
    done = s.fulfil_measure(viewer=staff_b, measure_id=measure.pk, version=accepted.version, result="Готово")
    with pytest.raises(InvalidTransition):
        s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=done.version, reason="x")
    with pytest.raises(NotFound):  # partners do not even see cases
        s.assign_measure(viewer=staff_a, case_id=world.case.pk, task="x", kind="social", deadline=TODAY,
                         organisation_id=school.pk)
    events = list(AuditEvent.objects.filter(object_type="cases.measure", object_id=str(measure.pk)).order_by("id"))
    actions = [(e.action, e.verb) for e in events]
    assert ("attempt", "measure.fulfil") in actions  # the lost race is on record
    assert ("transition", "measure.fulfil") in actions
    fulfil = next(e for e in events if e.action == "transition" and e.verb == "measure.fulfil")
    assert fulfil.changes["status"] == ["accepted", "fulfilled"]
    assert fulfil.actor_organisation == school.code


def test_reassign_and_cancel_need_reasons_and_versions() -> None:
    school, ngo = f.organisation(kind="school"), f.organisation(kind="ngo")
    world, measure = f.approved_case_with_measure(partner_org=school)
    with pytest.raises(ValidationFailed):
        s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                           organisation_id=ngo.pk, reason="")
    moved = s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                               organisation_id=ngo.pk, reason="Школа не работает летом")
    assert moved.organisation_id == ngo.pk and moved.version == measure.version + 1
    with pytest.raises(NotFound):  # the school lost sight of it
        selectors.get_measure(viewer=f.partner(school), measure_id=measure.pk)
    cancelled = s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=moved.version,
                                 reason="Семья переехала")
    assert cancelled.status == Measure.Status.CANCELLED


def test_deadline_must_fit_the_term() -> None:
    school = f.organisation(kind="school")
    world, _ = f.approved_case_with_measure(partner_org=school)
    case = Case.objects.get(pk=world.case.pk)
    assert case.ends_on is not None
    with pytest.raises(ValidationFailed):
        s.assign_measure(viewer=world.coordinator, case_id=case.pk, task="Поздно", kind="social",
                         deadline=case.ends_on + dt.timedelta(days=1), organisation_id=school.pk)
    with pytest.raises(ValidationFailed):
        s.assign_measure(viewer=world.coordinator, case_id=case.pk, task="x", kind="unknown", deadline=TODAY,
                         organisation_id=school.pk)
    inactive = f.organisation(kind="ngo", active=False)
    with pytest.raises(ValidationFailed):
        s.assign_measure(viewer=world.coordinator, case_id=case.pk, task="x", kind="social", deadline=TODAY,
                         organisation_id=inactive.pk)


def test_supervisor_reads_but_cannot_change() -> None:
    school = f.organisation(kind="school")
    world, measure = f.approved_case_with_measure(partner_org=school)
    supervisor = f.viewer_with(Role.SUPERVISOR)
    assert selectors.get_case(viewer=supervisor, case_id=world.case.pk) == world.case
    with pytest.raises(PermissionDenied):
        s.cancel_measure(viewer=supervisor, measure_id=measure.pk, version=measure.version, reason="x")


def test_person_changes_are_audited_and_scoped() -> None:
    world = f.registered_case()
    person = s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, phone="+7 900 111-22-33")
    assert person.phone == "+7 900 111-22-33"
    event = AuditEvent.objects.filter(verb="person.update", object_id=str(person.pk)).get()
    assert event.changes == {"phone": ["+7 912 000-00-00", "+7 900 111-22-33"]}
    stranger = f.coordinator(f.organisation(kind="social_service"))
    with pytest.raises(NotFound):
        s.update_person(viewer=stranger, person_id=person.pk, phone="1")
    officer = f.officer_viewer(world.institution, {world.precinct.pk})
    assert list(selectors.persons_for(officer)) == [person]
    with pytest.raises(ValidationFailed):
        s.update_person(viewer=world.coordinator, person_id=person.pk, first_name="  ")
    with pytest.raises(ValidationFailed):
        s.update_person(viewer=world.coordinator, person_id=person.pk, salary=1)
