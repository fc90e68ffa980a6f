"""Small, explicit builders of domain objects for tests (no magic; services where rules matter)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Case, Consent, Household, Measure, Person
from portal.core.viewer import Role, Viewer
from portal.partners.models import Agreement, Organisation
from portal.territory.addresses import normalise_text
from portal.territory.models import AddressRange, District, Officer, Precinct, Street

_sequence = itertools.count(1)


def district(*, code: str | None = None, name: str = "Ленинский район", kind: str = "urban",
             population: int = 50_000) -> District:
    return District.objects.create(code=code or f"d{next(_sequence)}", name=name, kind=kind, population=population,
                                   centre="г. Заречный")


def organisation(*, kind: str = "school", code: str | None = None, name: str | None = None,
                 district_obj: District | None = None, active: bool = True,
                 help_kinds: list[str] | None = None, agreement_until: dt.date | None = dt.date(2099, 12, 31),
                 agreement: bool = True) -> Organisation:
    """An organisation; a partner (not a social-service institution) gets an agreement on interaction in force
    until `agreement_until` unless `agreement` is False."""
    number = next(_sequence)
    created = Organisation.objects.create(
        code=code or f"{kind}-{number}", name=name or f"Организация {kind} № {number}", kind=kind,
        district=district_obj, active=active, help_kinds=help_kinds or ["social"])
    if agreement and not created.is_institution:
        Agreement.objects.create(organisation=created, number=f"{number}-СС", signed_on=dt.date(2020, 1, 1),
                                 expires_on=agreement_until)
    return created


def precinct(*, district_obj: District, number: int | None = None, officer: Officer | None = None,
             population: int = 9000) -> Precinct:
    return Precinct.objects.create(district=district_obj, number=number or next(_sequence), officer=officer,
                                   population=population)


def officer(*, username: str = "", institution: Organisation | None = None,
            full_name: str = "Иванова М. С.") -> Officer:
    return Officer.objects.create(full_name=full_name, username=username, institution=institution,
                                  phone="+7 (342) 200-11-01", email="officer@example.org",
                                  office_address="ул. Ленина, 12", office_hours="пн–пт 9–17")


def street(*, district_obj: District, name: str, settlement: str = "Заречный", kind: str = "ул") -> Street:
    return Street.objects.create(district=district_obj, settlement=settlement, kind=kind, name=name,
                                 normalized=normalise_text(name), settlement_normalized=normalise_text(settlement))


def address_range(*, street_obj: Street, precinct_obj: Precinct, house_from: int = 1, house_to: int = 9999,
                  parity: str = "all") -> AddressRange:
    return AddressRange.objects.create(street=street_obj, precinct=precinct_obj, house_from=house_from,
                                       house_to=house_to, parity=parity)


def coordinator(institution: Organisation, name: str = "Петрова Т.") -> Viewer:
    return Viewer(subject=f"coord-{institution.code}", username=f"coord.{institution.code}", display_name=name,
                  roles=frozenset({Role.COORDINATOR}), institution_id=institution.pk,
                  institution_code=institution.code)


def officer_viewer(institution: Organisation, precinct_ids: set[int]) -> Viewer:
    return Viewer(subject=f"officer-{institution.code}", username="officer", display_name="Участковый",
                  roles=frozenset({Role.OFFICER}), institution_id=institution.pk, institution_code=institution.code,
                  precinct_ids=frozenset(precinct_ids))


def partner(org: Organisation, name: str = "Сотрудник партнёра") -> Viewer:
    return Viewer(subject=f"partner-{org.code}-{name}", username=f"partner.{org.code}", display_name=name,
                  roles=frozenset({Role.PARTNER}), organisation_id=org.pk, organisation_code=org.code)


def viewer_with(*roles: Role, **fields: Any) -> Viewer:
    return Viewer(subject=f"test-{next(_sequence)}", username="test", display_name="Test",
                  roles=frozenset(roles), **fields)


@dataclass
class CaseWorld:
    district: District
    precinct: Precinct
    institution: Organisation
    coordinator: Viewer
    household: Household
    applicant: Person
    case: Case


def registered_case(*, institution: Organisation | None = None, precinct_obj: Precinct | None = None,
                    registered_on: dt.date | None = None, consent: bool = True) -> CaseWorld:
    """A household with an applicant who consented, and a registered case (programme in draft)."""
    # The precinct lies in the institution's territory (its district, or served by its officer).
    place = precinct_obj
    if institution is None:
        place = place or precinct(district_obj=district())
        institution = organisation(kind="social_service", code=f"kcson-{next(_sequence)}",
                                   district_obj=place.district)
    elif place is None:
        place = precinct(district_obj=district(), officer=officer(institution=institution))
    viewer = coordinator(institution)
    day = registered_on or timezone.localdate() - dt.timedelta(days=30)
    household = case_services.create_household(viewer=viewer, precinct_id=place.pk,
                                               address="г. Заречный, ул. Ленина, д. 5, кв. 1")
    applicant = case_services.create_person(viewer=viewer, household_id=household.pk, last_name="Смирнова",
                                            first_name="Ольга", middle_name="Ивановна", phone="+7 912 000-00-00",
                                            birth_date=dt.date(1990, 5, 1))
    if consent:
        case_services.record_consent(viewer=viewer, person_id=applicant.pk, purpose=Consent.Purpose.PROCESSING,
                                     given_on=day)
    case = case_services.register_case(viewer=viewer, applicant_id=applicant.pk, household_id=household.pk,
                                       precinct_id=place.pk, institution_id=institution.pk, registered_on=day,
                                       categories=["low_income"], need_circumstances=["debts"])
    return CaseWorld(district=place.district, precinct=place, institution=institution, coordinator=viewer,
                     household=household, applicant=applicant, case=case)


def approved_case_with_measure(*, partner_org: Organisation, world: CaseWorld | None = None,
                               deadline: dt.date | None = None) -> tuple[CaseWorld, Measure]:
    world = world or registered_case()
    measure = case_services.assign_measure(
        viewer=world.coordinator, case_id=world.case.pk, task="Консультация педагога-психолога", kind="pedagogical",
        deadline=deadline or timezone.localdate() + dt.timedelta(days=30), organisation_id=partner_org.pk)
    if world.case.status == Case.Status.REGISTERED:
        world.case = case_services.approve_programme(
            viewer=world.coordinator, case_id=world.case.pk, decided_on=world.case.registered_on,
            protocol_number="12/2026", participants="Куратор, участковый, школа")
    return world, measure


def demo_organisations() -> list[Organisation]:
    """The demo region's institutions and partners (as in the realm file), each partner with an agreement on
    interaction in force; idempotent."""
    from portal.demo.region import INSTITUTIONS, PARTNERS  # the demo region is test data here, not a dependency

    organisations = []
    for spec in [*INSTITUTIONS, *PARTNERS]:
        created, new = Organisation.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "kind": spec["kind"], "active": True})
        if new and not created.is_institution:
            Agreement.objects.create(organisation=created, number=f"{created.pk}-СС", signed_on=dt.date(2020, 1, 1),
                                     expires_on=dt.date(2099, 12, 31))
        organisations.append(created)
    return organisations
