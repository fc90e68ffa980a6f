"""Issue 14: an operator's dashboard (рабочий стол оператора) shows its own signals with their status and the
button to register a signal — never cases, nor another operator's signals."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import StaffProfile
from portal.accounts.selectors import viewer_for_user
from portal.cases.models import Signal
from portal.cases.services import intake
from portal.partners.models import Organisation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


def _operator(institution: Organisation) -> tuple[Client, User]:
    user = User.objects.create_user(f"operator-{User.objects.count()}", password="x", first_name="Тест",
                                    last_name="Оператор")
    group, _ = Group.objects.get_or_create(name="operator")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=institution, subject=f"sub-{user.username}")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    return client, user


def test_operator_dashboard_shows_its_signals_and_the_register_button_not_cases() -> None:
    world = f.registered_case()
    client, user = _operator(world.institution)
    other_client, other = _operator(world.institution)
    mine = intake.register_signal(viewer=viewer_for_user(user), source="hotline",
                                  summary="Звонок на горячую линию: дети одни дома")
    intake.register_signal(viewer=viewer_for_user(other), source="police", summary="Сообщение участкового полиции")

    page = client.get("/admin/casework/")
    assert page.status_code == 200
    html = page.content.decode()
    panel = re.search(r'<section class="cw-panel" data-panel="my_signals".*?</section>', html, re.S)
    assert panel is not None, html[html.find("<main"):][:3000]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel.group(0)))
    assert text.strip().startswith("Мои сигналы 1")
    assert "Звонок на горячую линию: дети одни дома" in text
    with translation.override("ru"):
        assert str(Signal.Status(mine.status).label) in text
    assert "Сообщение участкового полиции" not in html
    button = re.search(rf'<a class="button[^"]*" href="{reverse("casework:signal_new")}">([^<]+)</a>', html)
    assert button is not None and button.group(1).strip() == "Зарегистрировать сигнал"
    # No case panels, no case search, no case of the institution.
    for panel_key in ("overdue", "reviews", "terms", "lapsed"):
        assert f'data-panel="{panel_key}"' not in html
    assert world.case.code not in html and 'id="cw-dashboard-q"' not in html
    # The other operator sees only its own signal.
    theirs = other_client.get("/admin/casework/").content.decode()
    assert "Сообщение участкового полиции" in theirs and "дети одни дома" not in theirs
