"""Fixtures of the consultation tests: a district, topics, specialists and a moderator of both topics."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client

from portal.accounts.models import StaffProfile
from portal.consultations.models import Specialist, Topic
from portal.core.viewer import Role, Viewer
from portal.territory.models import District


@dataclass
class ConsultWorld:
    district: District
    other_district: District
    benefits: Topic
    housing: Topic
    local_specialist: Specialist
    regional_specialist: Specialist


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def world(db: None) -> ConsultWorld:
    district = District.objects.create(code="c-leninsky", name="Ленинский район", kind="urban")
    other = District.objects.create(code="c-berezovsky", name="Берёзовский округ", kind="rural")
    benefits = Topic.objects.create(name="Пособия и выплаты", slug="benefits", sort_order=1)
    housing = Topic.objects.create(name="Жильё и ЖКУ", slug="housing", sort_order=2)
    local = Specialist.objects.create(full_name="Петрова Татьяна", position="специалист КЦСОН",
                                      email="petrova@example.org")
    local.topics.add(benefits)
    local.districts.add(district)
    regional = Specialist.objects.create(full_name="Орлов Игорь", position="юрист", email="orlov@example.org")
    return ConsultWorld(district, other, benefits, housing, local, regional)


def staff_viewer(username: str, role: Role = Role.EDITOR, *, moderates: Iterable[Topic] = (),
                 display_name: str = "") -> Viewer:
    """A staff user with one realm role, moderator of `moderates`, as the services see them."""
    user = User.objects.create_user(username, password="x")
    for topic in moderates:
        topic.moderators.add(user)
    return Viewer(subject=f"sub-{username}", username=username, display_name=display_name or username,
                  roles=frozenset({role}), user_id=user.pk)


@pytest.fixture
def moderator(world: ConsultWorld) -> Viewer:
    """An editor who moderates both topics of the world."""
    return staff_viewer("editor-1", moderates=[world.benefits, world.housing], display_name="Лебедева Юлия")


@pytest.fixture
def staff_client(db: None) -> Callable[..., Client]:
    """A Django test client signed in as a staff user with one realm role (as the admin screens see it),
    moderator of the topics in `moderates`."""
    def make(username: str = "editor", role: str = "editor", moderates: Iterable[Topic] = ()) -> Client:
        user = User.objects.create_user(username, password="x")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        user.groups.add(group)
        StaffProfile.objects.create(user=user, subject=f"sub-{username}")
        for topic in moderates:
            topic.moderators.add(user)
        client = Client()
        client.force_login(user)
        return client
    return make
