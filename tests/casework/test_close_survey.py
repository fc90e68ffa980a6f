"""Issue 17 item 2: closing a case with «Заявитель согласен пройти анкетирование» ticked issues the effectiveness
survey's one-time link and shows it on the card for the officer to hand over; without the tick, no link."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.cases.models import Case
from portal.partners.models import Organisation
from portal.reports.models import SurveyInvitation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _coordinator(institution: Organisation) -> Client:
    user = User.objects.create_user(f"coordinator-{User.objects.count()}", password="x")
    group, _ = Group.objects.get_or_create(name="coordinator")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=institution, subject=f"sub-{user.username}")
    client = Client()
    client.force_login(user)
    return client


def _close(client: Client, case: Case, **extra: str) -> object:
    return client.post(f"/admin/casework/do/case/{case.pk}/close/", {
        "closed_on": TODAY.isoformat(), "outcome": "resolved", "results": "Итоги сопровождения",
        "recommendations": "Продолжать", "version": case.version, **extra}, follow=True)


def test_the_close_form_offers_the_survey_and_issues_the_link_when_ticked() -> None:
    world = f.registered_case()
    client = _coordinator(world.institution)
    form = client.get(f"/admin/casework/do/case/{world.case.pk}/close/").content.decode()
    assert "Заявитель согласен пройти анкетирование" in form

    answer = _close(client, world.case, survey_agreed="on")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert answer.redirect_chain[-1][0] == f"/admin/casework/cases/{world.case.pk}/"  # type: ignore[attr-defined]
    assert Case.objects.get(pk=world.case.pk).status == Case.Status.CLOSED
    invitation = SurveyInvitation.objects.get(case=world.case)
    assert invitation.used_at is None and (invitation.expires_at - timezone.now()).days in (59, 60)
    page = answer.content.decode()  # type: ignore[attr-defined]
    shown = re.search(r"Ссылка на анкету для заявителя[^<]*", page)
    assert shown is not None, page[:3000]
    assert f"http://testserver/survey/{invitation.token}/" in shown.group(0) or invitation.token in shown.group(0)
    assert timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y") in shown.group(0)
    # The link opens the survey without signing in.
    assert Client().get(f"/survey/{invitation.token}/").status_code == 200


def test_no_link_without_the_tick() -> None:
    world = f.registered_case()
    client = _coordinator(world.institution)
    answer = _close(client, world.case)
    assert Case.objects.get(pk=world.case.pk).status == Case.Status.CLOSED
    assert not SurveyInvitation.objects.filter(case=world.case).exists()
    assert "Ссылка на анкету" not in answer.content.decode()  # type: ignore[attr-defined]
