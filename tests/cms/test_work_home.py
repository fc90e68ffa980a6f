"""Navigation: after sign-in each role lands on its own home, and every public page links to it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from portal.testing import factories as f
from tests.casework.test_case_workspace import _client

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_home_and_finds_it_from_every_public_page(site_tree) -> None:  # type: ignore[no-untyped-def]
    world = f.registered_case()
    school = f.organisation(kind="school", code="school-home")
    staff, _user = _client("coordinator", world.institution)
    partner, _ = _client("partner", school, admin_access=False)
    editor, _ = _client("editor")
    citizen = Client()
    citizen.force_login(User.objects.create_user("citizen", password="x"))
    assert staff.get("/home/")["Location"] == "/admin/casework/"
    assert partner.get("/home/")["Location"] == "/workspace/"
    assert editor.get("/home/")["Location"] == "/admin/"
    assert citizen.get("/home/?next=/consultations/")["Location"] == "/consultations/"
    assert citizen.get("/home/?next=https://evil.example/")["Location"] == "/"
    assert 'href="/admin/casework/">Рабочий стол</a>' in staff.get("/").content.decode()
    assert 'href="/workspace/">Мои мероприятия</a>' in partner.get("/").content.decode()
    assert "work-home-link" not in citizen.get("/").content.decode()
    assert "work-home-link" not in Client().get("/").content.decode()
