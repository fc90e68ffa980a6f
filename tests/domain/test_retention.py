"""Retention and consent (152-FZ, issue 19 item 6), with frozen time: personal data is anonymised when the
retention period after the last closed case is over, or once a withdrawn processing consent leaves no open case;
a withdrawal stops processing at once; the audit trail keeps its events, pseudonymised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db.models import Q

from portal.audit.models import AuditEvent
from portal.cases import retention, selectors
from portal.cases import services as s
from portal.cases.jobs import anonymise_due_persons
from portal.cases.models import Case, Consent, Household, Person
from portal.core.errors import NotFound, PermissionDenied
from portal.core.viewer import Role
from portal.testing import factories as f

pytestmark = pytest.mark.django_db

RETENTION_DAYS = 365
START = dt.date(2026, 3, 2)
CLOSED = dt.date(2026, 6, 1)
ZONE = ZoneInfo(settings.TIME_ZONE)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZONE)


@pytest.fixture(autouse=True)
def short_retention(settings: Any) -> None:
    settings.PERSONAL_DATA_RETENTION_DAYS = RETENTION_DAYS


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(_noon(START), tick=False) as traveller:
        yield traveller


def _closed_case(frozen: time_machine.Traveller) -> f.CaseWorld:
    world = f.registered_case(registered_on=START)
    s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, phone="+7 912 111-11-11")
    frozen.move_to(_noon(CLOSED))
    world.case = s.close_case(viewer=world.coordinator, case_id=world.case.pk, version=world.case.version,
                              closed_on=CLOSED, outcome=Case.Outcome.RESOLVED, results="Долги погашены",
                              recommendations="Наблюдение не требуется")
    return world


def _run_job() -> dict[str, int]:
    return anonymise_due_persons.call()


def _personal_values_in_trail(*values: str) -> list[AuditEvent]:
    match = Q(pk__in=[])
    for value in values:
        match |= Q(object_repr__contains=value) | Q(changes__icontains=value)
    return list(AuditEvent.objects.filter(match))


def test_kept_until_the_retention_period_is_over_then_anonymised(frozen: time_machine.Traveller) -> None:
    world = _closed_case(frozen)
    person_id, household_id = world.applicant.pk, world.household.pk

    frozen.move_to(_noon(CLOSED + dt.timedelta(days=RETENTION_DAYS)))  # the last day of the period
    assert _run_job()["retention_period_over"] == 0
    assert Person.objects.get(pk=person_id).last_name == "Смирнова"

    frozen.move_to(_noon(CLOSED + dt.timedelta(days=RETENTION_DAYS + 1)))
    assert _run_job() == {"retention_period_over": 1, "processing_consent_withdrawn": 0, "skipped": 0}
    person = Person.objects.get(pk=person_id)
    pseudonym = retention.pseudonym("person", person_id)
    assert (person.last_name, person.first_name, person.middle_name, person.birth_date, person.phone) == \
        (pseudonym, "", "", None, "")
    assert person.anonymised_on == CLOSED + dt.timedelta(days=RETENTION_DAYS + 1)
    assert person.sex == world.applicant.sex and person.household_id == household_id  # statistics stay
    household = Household.objects.get(pk=household_id)
    assert household.address == retention.pseudonym("household", household_id) and household.precinct_id
    case = Case.objects.get(pk=world.case.pk)
    assert (case.results, case.recommendations, case.outcome) == ("", "", Case.Outcome.RESOLVED)
    assert not Consent.objects.filter(person_id=person_id, withdrawn_on__isnull=True).exists()

    # The trail keeps every event; none holds the name, the phone, the address or the texts any more.
    events = AuditEvent.objects.for_object("cases.person", person_id)
    verbs = list(events.order_by("at", "id").values_list("verb", flat=True))
    assert verbs[:2] == ["person.create", "person.update"] and "person.anonymise" in verbs
    assert {event.object_repr for event in events} == {pseudonym}
    update = events.get(verb="person.update")
    assert update.changes["phone"] == ["***", "***"]  # the field that changed stays known, not its values
    assert _personal_values_in_trail("Смирнова", "Ольга", "912", "Ленина", "Долги погашены") == []
    anonymised = events.get(verb="person.anonymise")
    assert anonymised.actor_subject == "system:retention"
    assert anonymised.details == {"reason": "retention_period_over",
                                  "fields": ["last_name", "first_name", "middle_name", "birth_date", "phone"]}
    assert AuditEvent.objects.filter(verb="household.anonymise", object_id=str(household_id)).exists()

    frozen.move_to(_noon(CLOSED + dt.timedelta(days=RETENTION_DAYS + 2)))
    assert _run_job()["retention_period_over"] == 0  # done once


def test_a_person_in_an_open_case_is_kept(frozen: time_machine.Traveller) -> None:
    """The applicant of a closed case who is a member of a household with another, open case stays."""
    world = _closed_case(frozen)
    frozen.move_to(_noon(CLOSED + dt.timedelta(days=10)))
    neighbour = s.create_person(viewer=world.coordinator, household_id=world.household.pk, last_name="Смирнов",
                                first_name="Пётр")
    s.record_consent(viewer=world.coordinator, person_id=neighbour.pk, purpose=Consent.Purpose.PROCESSING,
                     given_on=CLOSED + dt.timedelta(days=10))
    s.register_case(viewer=world.coordinator, applicant_id=neighbour.pk, household_id=world.household.pk,
                    precinct_id=world.precinct.pk, institution_id=world.institution.pk,
                    registered_on=CLOSED + dt.timedelta(days=10))
    frozen.move_to(_noon(CLOSED + dt.timedelta(days=RETENTION_DAYS + 30)))
    assert _run_job()["retention_period_over"] == 0
    assert Person.objects.get(pk=world.applicant.pk).last_name == "Смирнова"
    assert Household.objects.get(pk=world.household.pk).address.startswith("г. Заречный")


def test_withdrawal_stops_processing_and_leads_to_anonymisation(frozen: time_machine.Traveller) -> None:
    world = f.registered_case(registered_on=START)
    coordinator, person_id = world.coordinator, world.applicant.pk
    consent = Consent.objects.get(person_id=person_id, purpose=Consent.Purpose.PROCESSING)
    frozen.move_to(_noon(START + dt.timedelta(days=20)))
    s.withdraw_consent(viewer=coordinator, consent_id=consent.pk, withdrawn_on=START + dt.timedelta(days=20))

    # Processing stops: no read, no change; both refusals audited.
    assert not selectors.persons_for(coordinator).filter(pk=person_id).exists()
    with pytest.raises(PermissionDenied):
        selectors.get_person(viewer=coordinator, person_id=person_id)
    with pytest.raises(NotFound):  # the service's scope no longer includes the person
        s.update_person(viewer=coordinator, person_id=person_id, phone="+7 000")
    person = Person.objects.get(pk=person_id)
    person.phone = "+7 000"
    with pytest.raises(PermissionDenied):  # nor does any other path (the guard under every save)
        person.save()
    assert Person.objects.get(pk=person_id).phone == "+7 912 000-00-00"
    attempts = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, object_id=str(person_id))
    assert set(attempts.values_list("verb", flat=True)) == {"person.read", "person.update"}
    stranger = f.coordinator(f.organisation(kind="social_service"))
    with pytest.raises(NotFound):  # outside the scope: no such person, as before
        selectors.get_person(viewer=stranger, person_id=person_id)

    # The case is still open: the person is kept until it is closed, then anonymised without waiting.
    assert _run_job()["processing_consent_withdrawn"] == 0
    case = Case.objects.get(pk=world.case.pk)
    s.close_case(viewer=coordinator, case_id=case.pk, version=case.version, closed_on=START + dt.timedelta(days=20),
                 outcome=Case.Outcome.REFUSED, results="Отказ от сопровождения", recommendations="—")
    frozen.move_to(_noon(START + dt.timedelta(days=21)))
    assert _run_job() == {"retention_period_over": 0, "processing_consent_withdrawn": 1, "skipped": 0}
    person = Person.objects.get(pk=person_id)
    assert person.last_name == retention.pseudonym("person", person_id) and person.phone == ""
    assert AuditEvent.objects.get(verb="person.anonymise").details["reason"] == "processing_consent_withdrawn"
    assert _personal_values_in_trail("Смирнова", "Ольга") == []


def test_a_withdrawal_dated_ahead_stops_nothing_yet(frozen: time_machine.Traveller) -> None:
    world = f.registered_case(registered_on=START)
    consent = Consent.objects.get(person_id=world.applicant.pk, purpose=Consent.Purpose.PROCESSING)
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=START + dt.timedelta(days=5))
    assert selectors.get_person(viewer=world.coordinator, person_id=world.applicant.pk).pk == world.applicant.pk
    s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, phone="+7 912 222-22-22")
    frozen.move_to(_noon(START + dt.timedelta(days=5)))
    with pytest.raises(NotFound):
        s.update_person(viewer=world.coordinator, person_id=world.applicant.pk, phone="+7 912 333-33-33")
    assert Person.objects.get(pk=world.applicant.pk).phone == "+7 912 222-22-22"


def test_an_anonymised_person_cannot_be_given_a_name_again(frozen: time_machine.Traveller) -> None:
    world = _closed_case(frozen)
    frozen.move_to(_noon(CLOSED + dt.timedelta(days=RETENTION_DAYS + 1)))
    _run_job()
    with pytest.raises(NotFound):
        s.update_person(viewer=f.viewer_with(Role.ADMIN), person_id=world.applicant.pk, last_name="Смирнова")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb="person.update").exists()
    person = Person.objects.get(pk=world.applicant.pk)
    person.first_name = "Ольга"
    with pytest.raises(PermissionDenied):
        person.save()
    consent = Consent.objects.filter(person=person).first()
    assert consent is not None
    consent.scope = "снова"
    with pytest.raises(PermissionDenied):
        consent.save()
