"""Rules of the case services found missing by the audit: scope of consents and of case registration, one text
check for every stored text (NUL, column length), shared data on reassignment, and refused changes of closed
measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.models import DEFAULT_SHARED_FIELDS, Consent, Measure
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _attempts(verb: str, object_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb=verb, object_id=str(object_id)))


# --- Consents: only for persons of the viewer's scope ----------------------------------------------------------

def test_consent_of_another_institutions_person_is_refused_and_audited() -> None:
    mine, other = f.registered_case(), f.registered_case()
    with pytest.raises(PermissionDenied):
        s.record_consent(viewer=other.coordinator, person_id=mine.applicant.pk, purpose=Consent.Purpose.PUBLICATION,
                         given_on=TODAY)
    assert not Consent.objects.filter(person=mine.applicant, purpose=Consent.Purpose.PUBLICATION).exists()
    [attempt] = _attempts("consent.record", mine.applicant.pk)
    assert attempt.details["refused"] == "forbidden" and attempt.actor_organisation == other.institution.code
    # A person that does not exist is refused the same way (no probing of ids).
    with pytest.raises(PermissionDenied) as missing:
        s.record_consent(viewer=other.coordinator, person_id=987654, purpose="processing", given_on=TODAY)
    assert str(missing.value) == attempt.details["message"]


def test_withdrawal_of_another_institutions_consent_is_refused_and_audited() -> None:
    mine, other = f.registered_case(), f.registered_case()
    consent = Consent.objects.get(person=mine.applicant)
    with pytest.raises(PermissionDenied):
        s.withdraw_consent(viewer=other.coordinator, consent_id=consent.pk, withdrawn_on=TODAY)
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None
    assert _attempts("consent.withdraw", consent.pk)[0].details["refused"] == "forbidden"
    officer = f.officer_viewer(other.institution, {other.precinct.pk})
    with pytest.raises(PermissionDenied):
        s.withdraw_consent(viewer=officer, consent_id=consent.pk, withdrawn_on=TODAY)
    # The own institution withdraws it.
    assert s.withdraw_consent(viewer=mine.coordinator, consent_id=consent.pk, withdrawn_on=TODAY).withdrawn_on


def test_persons_registered_before_any_case_are_in_the_registering_scope() -> None:
    district = f.district()
    institution = f.organisation(kind="social_service", district_obj=district)
    precinct = f.precinct(district_obj=district)
    coordinator = f.coordinator(institution)
    household = s.create_household(viewer=coordinator, precinct_id=precinct.pk, address="ул. Мира, 1")
    person = s.create_person(viewer=coordinator, household_id=household.pk, last_name="Орлова", first_name="Вера")
    # Who registered them is kept on the rows themselves, not looked up in the audit trail.
    assert (person.registered_by_institution_id, household.registered_by_institution_id) == (institution.pk,) * 2
    assert person.registered_by_subject == coordinator.subject
    assert selectors.persons_for(coordinator).filter(pk=person.pk).exists()
    stranger = f.coordinator(f.organisation(kind="social_service"))
    assert not selectors.persons_for(stranger).filter(pk=person.pk).exists()
    assert s.record_consent(viewer=coordinator, person_id=person.pk, purpose="processing", given_on=TODAY).pk
    officer = f.officer_viewer(institution, set())
    lonely = s.create_person(viewer=officer, household_id=None, last_name="Лебедев", first_name="Ян")
    assert s.record_consent(viewer=officer, person_id=lonely.pk, purpose="processing", given_on=TODAY).pk
    with pytest.raises(PermissionDenied):
        s.record_consent(viewer=stranger, person_id=lonely.pk, purpose="processing", given_on=TODAY)


# --- Case registration: applicant of the scope, of the household, in the precinct --------------------------------

def _register(world: f.CaseWorld, viewer: object = None, **overrides: object) -> object:
    arguments: dict[str, object] = {
        "viewer": viewer or world.coordinator, "applicant_id": world.applicant.pk, "household_id": world.household.pk,
        "precinct_id": world.precinct.pk, "institution_id": world.institution.pk, "registered_on": TODAY,
    }
    return s.register_case(**{**arguments, **overrides})  # type: ignore[arg-type]


def test_register_case_refuses_an_applicant_outside_the_scope() -> None:
    mine, other = f.registered_case(), f.registered_case()
    with pytest.raises(NotFound):
        _register(other, applicant_id=mine.applicant.pk, household_id=mine.household.pk)
    # In the other institution's precinct the territory refuses it before anything else is looked at.
    with pytest.raises(PermissionDenied):
        _register(other, applicant_id=mine.applicant.pk, household_id=mine.household.pk,
                  precinct_id=mine.precinct.pk)


def test_register_case_refuses_a_household_that_is_not_the_applicants_or_not_in_the_precinct() -> None:
    world = f.registered_case()
    elsewhere = s.create_household(viewer=world.coordinator, precinct_id=world.precinct.pk, address="ул. Мира, 2")
    with pytest.raises(ValidationFailed) as wrong_household:
        _register(world, household_id=elsewhere.pk)
    assert wrong_household.value.field == "applicant"
    with translation.override("en"):
        assert "not a member of this household" in str(wrong_household.value)
    with translation.override("ru"):
        assert str(wrong_household.value) == "Заявитель не входит в это домохозяйство."
    other_precinct = f.precinct(district_obj=world.district)
    with pytest.raises(ValidationFailed) as wrong_precinct:
        _register(world, precinct_id=other_precinct.pk)
    assert wrong_precinct.value.field == "precinct"


def test_register_case_refuses_a_signal_of_another_institution() -> None:
    world, other = f.registered_case(), f.registered_case()
    signal = s.receive_signal(viewer=other.coordinator, source="own_application", summary="Заявление")
    with pytest.raises(NotFound):
        _register(world, signal_id=signal.pk)


# --- One text check for every stored text ------------------------------------------------------------------------

def test_nul_characters_are_refused_naming_the_field() -> None:
    world = f.registered_case()
    with pytest.raises(ValidationFailed) as refused:
        s.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Беседа", kind="legal",
                         deadline=TODAY + dt.timedelta(days=3), organisation_id=f.organisation().pk,
                         place="каб.\x00 5")
    assert refused.value.field == "place"
    with translation.override("ru"):
        assert str(refused.value) == "Место проведения: текст содержит недопустимый символ NUL."
    with translation.override("en"):
        assert str(refused.value) == "Place: the text contains a NUL character, which is not allowed."
    with pytest.raises(ValidationFailed):
        s.receive_signal(viewer=world.coordinator, source="school", summary="x", address="ул.\x00")
    with pytest.raises(ValidationFailed):
        s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, relation="\x00")


@pytest.mark.parametrize(("label", "limit", "call"), [
    ("Ответственное лицо", 200, lambda w: s.assign_measure(
        viewer=w.coordinator, case_id=w.case.pk, task="Беседа", kind="legal", deadline=TODAY + dt.timedelta(days=3),
        organisation_id=w.institution.pk, responsible_person="я" * 201)),
    ("Кто сообщил", 200, lambda w: s.receive_signal(viewer=w.coordinator, source="school", summary="x",
                                                     reporter="я" * 201)),
    ("Телефон", 40, lambda w: s.create_person(viewer=w.coordinator, household_id=w.household.pk, last_name="Ли",
                                               first_name="Ан", phone="1" * 41)),
    ("Документ", 200, lambda w: s.record_consent(viewer=w.coordinator, person_id=w.applicant.pk,
                                                  purpose="publication", given_on=TODAY, document="д" * 201)),
    ("Текст", 2000, lambda w: s.comment_measure(viewer=w.coordinator, measure_id=w.extra.pk, text="к" * 2001)),
], ids=["responsible_person", "reporter", "phone", "document", "comment"])
def test_texts_longer_than_the_column_are_refused(label: str, limit: int, call: object) -> None:
    world, measure = f.approved_case_with_measure(partner_org=f.organisation())
    world.extra = measure  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as refused:
        call(world)  # type: ignore[operator]
    with translation.override("ru"):
        assert str(refused.value) == f"{label}: текст слишком длинный (не более {limit} символов)."


def test_programme_start_far_after_the_decision_is_refused() -> None:
    fresh = f.registered_case()
    s.assign_measure(viewer=fresh.coordinator, case_id=fresh.case.pk, task="Беседа", kind="legal",
                     deadline=TODAY + dt.timedelta(days=3), organisation_id=f.organisation().pk)
    with pytest.raises(ValidationFailed) as refused:
        s.approve_programme(viewer=fresh.coordinator, case_id=fresh.case.pk, decided_on=TODAY,
                            protocol_number="1", participants="Куратор", started_on=dt.date(9999, 12, 1))
    assert refused.value.field == "started_on"


# --- Reassignment and shared data ----------------------------------------------------------------------------------

def test_reassignment_resets_the_shared_data_and_is_audited() -> None:
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    world, measure = f.approved_case_with_measure(partner_org=school)
    measure = s.set_shared_fields(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                  fields=["first_name", "last_name", "phone", "address"])
    moved = s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                               organisation_id=police.pk, reason="Профиль организации")
    assert moved.shared_fields == DEFAULT_SHARED_FIELDS
    assert Measure.objects.get(pk=measure.pk).shared_fields == DEFAULT_SHARED_FIELDS
    event = AuditEvent.objects.filter(verb="measure.reassign", object_id=str(measure.pk)).get()
    assert event.changes["shared_fields"] == [["first_name", "last_name", "phone", "address"], DEFAULT_SHARED_FIELDS]
    assert event.details["reason"] == "Профиль организации"
    shared = selectors.shared_recipient_data(viewer=f.partner(police), measure=moved)
    assert set(shared) == {"first_name", "district"}


def test_shared_data_of_a_closed_measure_cannot_change() -> None:
    school = f.organisation(kind="school")
    world, measure = f.approved_case_with_measure(partner_org=school)
    done = s.fulfil_measure(viewer=f.partner(school), measure_id=measure.pk, version=measure.version,
                            result="Проведено")
    with pytest.raises(InvalidTransition):
        s.set_shared_fields(viewer=world.coordinator, measure_id=done.pk, version=done.version,
                            fields=["first_name", "phone"])
    assert Measure.objects.get(pk=done.pk).shared_fields == DEFAULT_SHARED_FIELDS
    assert _attempts("measure.share", done.pk)[0].details["refused"] == "invalid_transition"


def test_the_registering_scope_ends_when_another_institution_takes_the_household() -> None:
    """Both institutions serve the district; the second may not put people into the first one's household
    (that would open the family to it), but once a case of the second exists, the case decides."""
    district = f.district()
    first = f.organisation(kind="social_service", district_obj=district)
    second = f.organisation(kind="social_service", district_obj=district)
    precinct = f.precinct(district_obj=district)
    registrar, taker = f.coordinator(first), f.coordinator(second)
    household = s.create_household(viewer=registrar, precinct_id=precinct.pk, address="ул. Мира, 3")
    with pytest.raises(PermissionDenied):
        s.create_person(viewer=taker, household_id=household.pk, last_name="Зайцева", first_name="Ия")
    assert _attempts("person.create", household.pk)[0].actor_organisation == second.code
    person = s.create_person(viewer=registrar, household_id=household.pk, last_name="Зайцева", first_name="Ия")
    assert selectors.persons_for(registrar).filter(pk=person.pk).exists()  # a member of its household
    assert not selectors.persons_for(taker).filter(pk=person.pk).exists()
    s.record_consent(viewer=registrar, person_id=person.pk, purpose="processing", given_on=TODAY)
    with pytest.raises(PermissionDenied):  # registering for another institution is a transfer, not a registration
        s.register_case(viewer=registrar, applicant_id=person.pk, household_id=household.pk, precinct_id=precinct.pk,
                        institution_id=second.pk, registered_on=TODAY)
    s.register_case(viewer=f.viewer_with(Role.ADMIN), applicant_id=person.pk, household_id=household.pk,
                    precinct_id=precinct.pk, institution_id=second.pk, registered_on=TODAY)
    assert not selectors.persons_for(registrar).filter(pk=person.pk).exists()
    assert selectors.persons_for(taker).filter(pk=person.pk).exists()


def test_moving_a_person_needs_an_existing_household_of_an_allowed_precinct() -> None:
    world = f.registered_case()
    with pytest.raises(PermissionDenied):  # a missing household is refused like one outside the scope
        s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, household_id=987654)
    officer = f.officer_viewer(world.institution, {world.precinct.pk})
    elsewhere = s.create_household(viewer=world.coordinator, precinct_id=f.precinct(district_obj=world.district).pk,
                                   address="ул. Мира, 4")
    with pytest.raises(PermissionDenied):
        s.update_person(viewer=officer, person_id=world.applicant.pk, household_id=elsewhere.pk)
    assert s.update_person(viewer=world.coordinator, person_id=world.applicant.pk,
                           household_id=elsewhere.pk).household_id == elsewhere.pk
