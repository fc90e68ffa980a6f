"""«Мои показатели» in the partner workspace: a partner sees its own figures only; a bad period is told."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from portal.accounts.models import StaffProfile
from tests.reports.fixtures import build_october

pytestmark = pytest.mark.django_db


def _signed_in(role: str, organisation: object) -> Client:
    user = User.objects.create_user(f"{role}.perf", password="x")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user, organisation=organisation)
    client = Client()
    client.force_login(user)
    return client


def test_partner_sees_its_own_performance() -> None:
    world = build_october()
    client = _signed_in("partner", world.school)
    assert 'href="/workspace/performance/"' in client.get("/workspace/").content.decode()
    page = client.get("/workspace/performance/", {"period": "2026-10"})
    text = page.content.decode()
    assert page.status_code == 200 and "Школа № 1" in text and "ЦРБ" not in text
    assert "Поручено мероприятий</dt><dd>3</dd>" in text and "Просрочено на дату</dt><dd>1</dd>" in text
    assert "33,3" in text
    bad = client.get("/workspace/performance/", {"period": "2026-13"})
    assert bad.status_code == 400 and 'id="period-error"' in bad.content.decode()
    assert 'value="2026-13"' in bad.content.decode()
