"""The staff index in use: registering a case re-queues its persons, and `find_staff` (the function behind the
staff GraphQL search) checks every hit against the database scope and falls back to the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Case, Consent, Household, Person
from portal.cases.staff_search import find_staff
from portal.core.errors import PermissionDenied
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.testing import factories
from search import api
from search.backends.embedded import EmbeddedBackend
from search.models import OutboxEntry
from search.sync import sync

pytestmark = pytest.mark.django_db


@dataclass
class Family:
    institution: Organisation
    coordinator: Viewer
    household: Household
    applicant: Person
    son: Person


def family(code: str, last_name: str = "Смирнова") -> Family:
    district = factories.district(code=f"d-{code}", name=f"Район {code}")
    institution = factories.organisation(kind="social_service", code=code, name=f"КЦСОН {code}", district_obj=district)
    precinct = factories.precinct(district_obj=district)  # in the institution's territory
    coordinator = factories.coordinator(institution)
    household = case_services.create_household(viewer=coordinator, precinct_id=precinct.pk,
                                               address="г. Заречный, ул. Ленина, д. 5, кв. 1")
    applicant = case_services.create_person(viewer=coordinator, household_id=household.pk, last_name=last_name,
                                            first_name="Ольга", birth_date=dt.date(1990, 5, 1))
    son = case_services.create_person(viewer=coordinator, household_id=household.pk, last_name=last_name[:-1],
                                      first_name="Илья", relation="сын", birth_date=dt.date(2015, 2, 3))
    case_services.record_consent(viewer=coordinator, person_id=applicant.pk, purpose=Consent.Purpose.PROCESSING,
                                 given_on=timezone.localdate() - dt.timedelta(days=40))
    return Family(institution, coordinator, household, applicant, son)


def register(f: Family) -> Case:
    return case_services.register_case(viewer=f.coordinator, applicant_id=f.applicant.pk,
                                       household_id=f.household.pk, precinct_id=f.household.precinct_id,
                                       institution_id=f.institution.pk,
                                       registered_on=timezone.localdate() - dt.timedelta(days=30))


def staff_ids(viewer: Viewer, text: str) -> set[str]:
    return {hit["id"] for hit in api.search_scoped("staff", text, viewer=viewer).hits}


def test_registering_a_case_requeues_the_familys_persons(embedded: EmbeddedBackend) -> None:
    f = family("kcson-st1")
    sync()  # the persons are indexed before any case: no institution may see them yet
    assert staff_ids(f.coordinator, "Смирнов") == set()
    case = register(f)
    queued = set(OutboxEntry.objects.filter(kind="person").values_list("object_id", flat=True))
    assert queued == {str(f.applicant.pk), str(f.son.pk)}  # written with the case, in its transaction
    sync()
    assert staff_ids(f.coordinator, "Смирнов") == {f"case-{case.pk}", f"person-{f.applicant.pk}",
                                                   f"person-{f.son.pk}"}
    other = factories.coordinator(factories.organisation(kind="social_service", code="kcson-st2"))
    assert staff_ids(other, "Смирнов") == set()


def test_renaming_the_applicant_updates_the_case_document(embedded: EmbeddedBackend) -> None:
    f = family("kcson-st5")
    case = register(f)
    sync()
    assert f"case-{case.pk}" in staff_ids(f.coordinator, "Смирнова")
    case_services.update_person(viewer=f.coordinator, person_id=f.applicant.pk, last_name="Лебедева")
    assert OutboxEntry.objects.filter(kind="case", object_id=str(case.pk)).exists()
    sync()
    assert f"case-{case.pk}" in staff_ids(f.coordinator, "Лебедева")
    assert f"case-{case.pk}" not in staff_ids(f.coordinator, "Смирнова")


def test_failed_registration_queues_nothing(embedded: EmbeddedBackend) -> None:
    f = family("kcson-st3")
    OutboxEntry.objects.all().delete()
    stranger = factories.coordinator(factories.organisation(kind="social_service", code="kcson-st4"))
    with pytest.raises(PermissionDenied):  # another institution's case: refused, nothing written
        case_services.register_case(viewer=stranger, applicant_id=f.applicant.pk, household_id=f.household.pk,
                                    precinct_id=f.household.precinct_id, institution_id=f.institution.pk,
                                    registered_on=timezone.localdate())
    assert not OutboxEntry.objects.exists()


def test_find_staff_is_scoped_and_rechecked_against_the_database(embedded: EmbeddedBackend) -> None:
    mine, theirs = family("kcson-st5"), family("kcson-st6", last_name="Смирнова")
    my_case, their_case = register(mine), register(theirs)
    sync()
    found = find_staff(viewer=mine.coordinator, text="Смирнов")
    assert {(hit.type, hit.object_id) for hit in found} == {
        ("case", my_case.pk), ("person", mine.applicant.pk), ("person", mine.son.pk)}
    assert next(hit for hit in found if hit.type == "case").title.startswith(my_case.code)
    # A stale index entry (the other institution's case, still filed under mine) is not shown.
    stale = {"id": f"case-{their_case.pk}", "type": "case", "object_id": their_case.pk,
             "title": "Смирнова Ольга (устаревшая запись)", "text": "", "precinct_id": [],
             "institution_id": [str(mine.institution.pk)]}
    embedded.upsert("staff", [stale])
    assert ("case", their_case.pk) not in {(h.type, h.object_id) for h in find_staff(
        viewer=mine.coordinator, text="Смирнова")}
    supervisor = factories.viewer_with(Role.SUPERVISOR)
    assert {h.object_id for h in find_staff(viewer=supervisor, text="Смирнова Ольга") if h.type == "case"} == {
        my_case.pk, their_case.pk}
    assert find_staff(viewer=factories.partner(mine.institution), text="Смирнова") == []
    assert find_staff(viewer=mine.coordinator, text="   ") == []


def test_find_staff_falls_back_to_the_database(embedded: EmbeddedBackend) -> None:
    mine, theirs = family("kcson-st7"), family("kcson-st8")
    my_case = register(mine)
    register(theirs)
    embedded.fail = True  # engine down (and nothing was ever synced)
    with pytest.raises(api.SearchUnavailable):
        api.search_scoped("staff", "Смирнова", viewer=mine.coordinator)
    found = {(hit.type, hit.object_id) for hit in find_staff(viewer=mine.coordinator, text="смирнова ольга")}
    assert found == {("case", my_case.pk), ("person", mine.applicant.pk)}
    by_code = find_staff(viewer=mine.coordinator, text=my_case.code)
    assert [(hit.type, hit.object_id) for hit in by_code] == [("case", my_case.pk)]
    assert len(find_staff(viewer=mine.coordinator, text="Смирнов", first=1)) == 1


def test_a_coordinator_who_is_also_an_officer_finds_what_the_selectors_show(embedded: EmbeddedBackend) -> None:
    """Issue 12: search and the selectors apply one scope rule. A coordinator of one institution who also serves
    a precinct of another's territory finds the cases and persons of both, in the index and in the database."""
    from portal.cases.selectors import cases_for, persons_for

    mine, theirs = family("kcson-st9"), family("kcson-st10")
    my_case, their_case = register(mine), register(theirs)
    sync()
    both = replace(mine.coordinator, roles=frozenset({Role.COORDINATOR, Role.OFFICER}),
                   precinct_ids=frozenset({theirs.household.precinct_id}))
    expected = {f"case-{my_case.pk}", f"case-{their_case.pk}", *(f"person-{p.pk}" for p in (
        mine.applicant, mine.son, theirs.applicant, theirs.son))}
    assert staff_ids(both, "Смирнов") == expected
    in_database = {f"case-{pk}" for pk in cases_for(both).values_list("pk", flat=True)}
    in_database |= {f"person-{pk}" for pk in persons_for(both).values_list("pk", flat=True)}
    assert in_database == expected
    assert {f"{hit.type}-{hit.object_id}" for hit in find_staff(viewer=both, text="Смирнов")} == expected
    # The coordinator alone still sees only its institution's family.
    assert staff_ids(mine.coordinator, "Смирнов") == {f"case-{my_case.pk}", f"person-{mine.applicant.pk}",
                                                      f"person-{mine.son.pk}"}
