"""Issue 11, finding 1: a coordinator or officer works within its institution's territory. Every write that names a
precinct, household or person stays there; the refusals are audited attempts. (Chains of such writes through
the gateway: tests/graph/test_gateway_authorisation_matrix.py and test_gateway_isolation_property.py.)"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.access import in_institution_territory, may_work_in_precinct
from portal.core.errors import PermissionDenied
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def two_territories() -> dict[str, Any]:
    """Two institutions, each with its district, a precinct served by its officer, and a family without a case."""
    north_district, south_district = f.district(), f.district()
    north = f.organisation(kind="social_service", district_obj=north_district)
    south = f.organisation(kind="social_service", district_obj=south_district)
    north_precinct = f.precinct(district_obj=north_district, officer=f.officer(institution=north))
    south_precinct = f.precinct(district_obj=south_district, officer=f.officer(institution=south))
    north_coordinator, south_coordinator = f.coordinator(north), f.coordinator(south)
    family = s.create_household(viewer=north_coordinator, precinct_id=north_precinct.pk, address="ул. Северная, 1")
    member = s.create_person(viewer=north_coordinator, household_id=family.pk, last_name="Северова",
                             first_name="Нина", phone="+7 900 000-11-22")
    return {"north": north, "south": south, "north_precinct": north_precinct, "south_precinct": south_precinct,
            "north_coordinator": north_coordinator, "south_coordinator": south_coordinator, "family": family,
            "member": member}


def _last_attempt(verb: str) -> AuditEvent:
    row = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb=verb).order_by("id").last()
    assert row is not None, verb
    return row


def test_the_territory_of_an_institution(two_territories: dict[str, Any]) -> None:
    w = two_territories
    north = w["north"]
    north_precinct, south_precinct = w["north_precinct"], w["south_precinct"]
    assert in_institution_territory(north.pk, north_precinct.pk)  # its district (and its officer)
    assert not in_institution_territory(north.pk, south_precinct.pk)
    served = f.precinct(district_obj=south_precinct.district, officer=f.officer(institution=north))
    assert in_institution_territory(north.pk, served.pk)  # served by its officer in another district
    assert may_work_in_precinct(w["north_coordinator"], north_precinct.pk)
    assert not may_work_in_precinct(w["south_coordinator"], north_precinct.pk)
    officer = f.officer_viewer(north, {north_precinct.pk})
    assert not may_work_in_precinct(officer, served.pk)  # an officer: its own precincts only


def test_the_attack_of_issue_11_is_refused_at_its_first_step(two_territories: dict[str, Any]) -> None:
    """South's coordinator adds a person to North's family without a case (then it would record consent and
    register a case under its own institution, opening the whole family)."""
    w = two_territories
    south_coordinator, family, member = w["south_coordinator"], w["family"], w["member"]
    with pytest.raises(PermissionDenied):
        s.create_person(viewer=south_coordinator, household_id=family.pk, last_name="Южный", first_name="Ян")
    row = _last_attempt("person.create")
    assert (row.object_type, row.object_id, row.actor_organisation) == (
        "cases.household", str(family.pk), w["south"].code)
    assert family.members.count() == 1
    with pytest.raises(PermissionDenied):
        s.record_consent(viewer=south_coordinator, person_id=member.pk, purpose="processing", given_on=TODAY)
    with pytest.raises(PermissionDenied):
        s.register_case(viewer=south_coordinator, applicant_id=member.pk, household_id=family.pk,
                        precinct_id=w["north_precinct"].pk, institution_id=w["south"].pk, registered_on=TODAY)
    assert _last_attempt("case.register").actor_organisation == w["south"].code
    assert not selectors.persons_for(south_coordinator).filter(pk=member.pk).exists()
    assert not selectors.households_for(south_coordinator).filter(pk=family.pk).exists()


def test_households_are_registered_only_in_the_own_territory(two_territories: dict[str, Any]) -> None:
    w = two_territories
    with pytest.raises(PermissionDenied) as refused:
        s.create_household(viewer=w["south_coordinator"], precinct_id=w["north_precinct"].pk, address="ул. 1")
    assert _last_attempt("household.create").object_id == str(w["north_precinct"].pk)
    with translation.override("ru"):
        assert str(refused.value).startswith("Этот участок вне вашей территории")
    assert s.create_household(viewer=w["south_coordinator"], precinct_id=w["south_precinct"].pk,
                              address="ул. Южная, 2").pk


def test_cases_are_registered_for_an_institution_serving_the_precinct(two_territories: dict[str, Any]) -> None:
    w = two_territories
    north_coordinator, member, family = w["north_coordinator"], w["member"], w["family"]
    s.record_consent(viewer=north_coordinator, person_id=member.pk, purpose="processing", given_on=TODAY)
    # North's officer may not register the family under South (that would be a transfer between institutions).
    officer = f.officer_viewer(w["north"], {w["north_precinct"].pk})
    with pytest.raises(PermissionDenied):
        s.register_case(viewer=officer, applicant_id=member.pk, household_id=family.pk,
                        precinct_id=w["north_precinct"].pk, institution_id=w["south"].pk, registered_on=TODAY)
    case = s.register_case(viewer=officer, applicant_id=member.pk, household_id=family.pk,
                           precinct_id=w["north_precinct"].pk, institution_id=w["north"].pk, registered_on=TODAY)
    assert case.institution_id == w["north"].pk


def test_signals_go_to_an_institution_serving_their_address(two_territories: dict[str, Any],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    w = two_territories
    from portal.territory import selectors as territory_selectors

    found = SimpleNamespace(status=territory_selectors.FinderStatus.FOUND,
                            precinct=SimpleNamespace(id=w["north_precinct"].pk))
    monkeypatch.setattr(territory_selectors, "find_officer", lambda address: found)
    partner = f.partner(f.organisation(kind="school"))
    with pytest.raises(PermissionDenied):
        s.receive_signal(viewer=partner, source="school", summary="Пропуски", address="ул. Северная, 1",
                         institution_id=w["south"].pk)
    assert _last_attempt("signal.receive").actor_organisation == partner.organisation_code
    with pytest.raises(PermissionDenied):
        s.receive_signal(viewer=w["south_coordinator"], source="hotline", summary="Звонок",
                         address="ул. Северная, 1")
    signal = s.receive_signal(viewer=partner, source="school", summary="Пропуски", address="ул. Северная, 1",
                              institution_id=w["north"].pk)
    assert signal.precinct_id == w["north_precinct"].pk
