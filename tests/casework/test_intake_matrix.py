"""Authorisation matrix of the intake screens (issue 14): every screen × every role — operator, officer,
coordinator, supervisor, partner, and a coordinator of another institution. 200 where the role works or reads,
"not found" everywhere else (never a hint that the object exists)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.accounts.selectors import viewer_for_user
from portal.cases.services import intake
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

SCREENS = ("signal_new", "my_signals", "signal", "signal_act", "household_new", "household", "application_new",
           "application", "programme")
ALLOWED: dict[str, set[str]] = {
    "operator": {"signal_new", "my_signals", "signal"},
    "officer": set(SCREENS),
    "coordinator": set(SCREENS),
    "supervisor": {"signal", "household", "application", "programme"},
    "partner": set(),
    "other_coordinator": {"signal_new", "my_signals", "household_new"},
}


def _client(role: str, organisation: Any, *, admin_access: bool = True) -> tuple[Client, User]:
    user = User.objects.create_user(f"{role}-{User.objects.count()}", password="x")
    group, _ = Group.objects.get_or_create(name=role)
    if admin_access:
        group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{user.username}")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    return client, user


def test_every_intake_screen_for_every_role() -> None:
    district = f.district(name="Ленинский район")
    institution = f.organisation(kind="social_service", code="kcson-m", district_obj=district)
    other = f.organisation(kind="social_service", code="kcson-o", district_obj=f.district(name="Другой"))
    officer = f.officer(institution=institution)
    precinct = f.precinct(district_obj=district, number=1, officer=officer)
    f.address_range(street_obj=f.street(district_obj=district, name="Ленина"), precinct_obj=precinct)
    school = f.organisation(kind="school", district_obj=district)
    clients: dict[str, Client] = {}
    users: dict[str, User] = {}
    for role, organisation, access in (("operator", institution, True), ("officer", institution, True),
                                       ("coordinator", institution, True), ("supervisor", None, True),
                                       ("partner", school, False)):
        clients[role], users[role] = _client(role, organisation, admin_access=access)
    clients["other_coordinator"], users["other_coordinator"] = _client("coordinator", other)
    officer.user, officer.username = users["officer"], users["officer"].username
    officer.save()

    operator = viewer_for_user(users["operator"])
    coordinator = viewer_for_user(users["coordinator"])
    signal = intake.register_signal(viewer=operator, source="school", summary="Пропуски занятий",
                                    address="г. Заречный, ул. Ленина, д. 5, кв. 1")
    household = intake.register_household(viewer=coordinator, address="г. Заречный, ул. Ленина, д. 7, кв. 2")
    person = intake.register_person(viewer=coordinator, household_id=household.pk, last_name="Смирнова",
                                    first_name="Ольга", birth_date=dt.date(1990, 5, 1))
    application = intake.record_application(viewer=coordinator, person_id=person.pk, received_on=TODAY,
                                            applicant_kind="self", services_requested=["domestic"],
                                            help_requested=[], processing_consent=True)
    case = intake.register_case_from_application(viewer=coordinator, application_id=application.pk,
                                                 registered_on=TODAY)
    urls = {"signal_new": "signals/new/", "my_signals": "signals/mine/", "signal": f"signals/{signal.pk}/",
            "signal_act": f"signals/{signal.pk}/act/", "household_new": "households/new/",
            "household": f"households/{household.pk}/", "application_new": f"households/{household.pk}/application/",
            "application": f"applications/{application.pk}/", "programme": f"cases/{case.pk}/programme/"}
    seen: dict[str, dict[str, int]] = {}
    for role, client in clients.items():
        seen[role] = {screen: client.get(f"/admin/casework/{urls[screen]}").status_code for screen in SCREENS}
    expected = {role: {screen: 200 if screen in ALLOWED[role] else 404 for screen in SCREENS} for role in clients}
    # A partner is not admin staff at all: Wagtail sends it to sign in, or the workspace answers "not found".
    seen["partner"] = {screen: 404 if code in (302, 403, 404) else code for screen, code in seen["partner"].items()}
    assert seen == expected
