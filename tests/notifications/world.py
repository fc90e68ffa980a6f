"""A small region with known deadlines for the notification tests: an institution with its coordinator (an
account), a regional supervisor, a school with an address, a contact who receives assignments, a head contact
and a partner account, a case with measures, a question, a benefactor; and the personal data of the family,
which no message may contain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.cases import services as case_services
from portal.cases.models import Case, Measure
from portal.core.viewer import Role, Viewer
from portal.partners.models import Contact, Organisation
from portal.testing import factories as f

DAY0 = dt.date(2026, 3, 2)  # a Monday; 9 March 2026 is a day off (8 March falls on a Sunday)


def account(username: str, role: Role, *, email: str, organisation: Organisation | None = None) -> User:
    user = User.objects.create_user(username, email=email, password="pw-for-tests-only")
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{username}")
    return user


def staff_viewer(user: User, role: Role, organisation: Organisation) -> Viewer:
    partner = role == Role.PARTNER
    return Viewer(subject=f"sub-{user.username}", username=user.username, display_name=user.username,
                  roles=frozenset({role}), user_id=user.pk,
                  organisation_id=organisation.pk if partner else None,
                  organisation_code=organisation.code if partner else None,
                  institution_id=None if partner else organisation.pk,
                  institution_code=None if partner else organisation.code)


@dataclass
class World:
    institution: Organisation
    coordinator: User
    coordinator_viewer: Viewer
    supervisor: User
    school: Organisation
    partner: User
    partner_viewer: Viewer
    case: Case
    measures: dict[str, Measure] = field(default_factory=dict)
    personal_data: list[str] = field(default_factory=list)


def build(*, registered_on: dt.date = DAY0 - dt.timedelta(days=40)) -> World:
    institution = f.organisation(kind="social_service", code="kcson-test", name="КЦСОН Заречного района")
    institution.email = "kcson@example.org"
    institution.save()
    coordinator = account("coord", Role.COORDINATOR, email="coord@example.org", organisation=institution)
    supervisor = account("super", Role.SUPERVISOR, email="supervisor@example.org")
    school = f.organisation(kind="school", code="school-7", name="Школа № 7")
    school.email = "school7@example.org"
    school.save()
    Contact.objects.create(organisation=school, full_name="Кузнецова Анна Павловна", email="kuznetsova@example.org",
                           receives_assignments=True)
    Contact.objects.create(organisation=school, full_name="Морозов Олег Игоревич", email="head7@example.org",
                           is_head=True)
    Contact.objects.create(organisation=school, full_name="Не получает", email="other@example.org")
    partner = account("partner7", Role.PARTNER, email="partner7@example.org", organisation=school)
    world = f.registered_case(institution=institution, registered_on=registered_on)
    viewer = staff_viewer(coordinator, Role.COORDINATOR, institution)
    Case.objects.filter(pk=world.case.pk).update(coordinator=coordinator)
    result = World(institution=institution, coordinator=coordinator, coordinator_viewer=viewer,
                   supervisor=supervisor, school=school, partner=partner,
                   partner_viewer=staff_viewer(partner, Role.PARTNER, school), case=world.case)
    applicant = world.applicant
    # Stems too: a task may name the family in another case («навестить Смирнову Ольгу»).
    result.personal_data = [applicant.last_name[:-1], applicant.first_name[:-1], applicant.last_name,
                            applicant.first_name, applicant.middle_name, applicant.phone,
                            "+79120000000", "912 000-00-00", applicant.birth_date.strftime("%d.%m.%Y"),
                            world.household.address, "ул. Ленина, д. 5", "Кузнецова", "Морозов"]
    return result


def assign(world: World, name: str, *, deadline: dt.date, task: str = "Консультация педагога-психолога",
           organisation: Organisation | None = None) -> Measure:
    measure = case_services.assign_measure(
        viewer=world.coordinator_viewer, case_id=world.case.pk, task=task, kind="pedagogical", deadline=deadline,
        organisation_id=(organisation or world.school).pk)
    world.measures[name] = measure
    return measure


def approve(world: World) -> None:
    world.case = case_services.approve_programme(
        viewer=world.coordinator_viewer, case_id=world.case.pk, decided_on=world.case.registered_on,
        protocol_number="12/2026", participants="Куратор, участковый, школа")


def now_on(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
