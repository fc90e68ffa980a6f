"""Fixtures of the registry tests: cases with (and without) the family's publication consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.cases import services as case_services
from portal.cases.models import Consent
from portal.core.viewer import Role, Viewer
from portal.testing import factories


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def editor() -> Viewer:
    return Viewer(subject="editor-1", username="editor", display_name="Лебедева Юлия",
                  roles=frozenset({Role.EDITOR}))


@pytest.fixture
def place(db: None) -> Any:
    """One district, precinct and institution shared by several cases."""
    district = factories.district(code="reg-leninsky", name="Ленинский район")
    precinct = factories.precinct(district_obj=district)
    institution = factories.organisation(kind="social_service", code="kcson-reg", name="КЦСОН", district_obj=district)
    institution.email = "kcson@example.org"
    institution.save()
    return {"district": district, "precinct": precinct, "institution": institution}


@pytest.fixture
def make_case(place: Any) -> Callable[..., factories.CaseWorld]:
    def build(*, categories: list[str] | None = None, publication: bool = True) -> factories.CaseWorld:
        world = factories.registered_case(institution=place["institution"], precinct_obj=place["precinct"])
        if categories is not None:
            world.case.categories = categories
            world.case.save(update_fields=["categories"])
        if publication:
            case_services.record_consent(viewer=world.coordinator, person_id=world.applicant.pk,
                                         purpose=Consent.Purpose.PUBLICATION,
                                         given_on=timezone.localdate() - dt.timedelta(days=1))
        return world
    return build


@pytest.fixture
def staff_client(db: None) -> Callable[..., Client]:
    """A Django test client signed in as a staff user with one realm role (and its organisation)."""
    def make(username: str, role: str, organisation: Any = None) -> Client:
        user = User.objects.create_user(username, password="x")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        user.groups.add(group)
        StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{username}")
        client = Client()
        client.force_login(user)
        return client
    return make
