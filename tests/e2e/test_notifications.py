"""In headless Chromium: a partner signs in, a coordinator assigns its organisation a measure, the partner sees
the unread count in the header and the notification in its list (case code, task, deadline, a link; no personal
data), marks it read, opts out of in-app notices of new measures, and the next assignment adds none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.cases import services as case_services
from portal.notifications.models import Channel, Notification, OptOut
from tests.e2e.test_partner_workspace import live_world, realm_site, signed_in_page  # noqa: F401  (fixtures)

pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e


def page_user() -> int:
    from django.contrib.auth import get_user_model

    return int(get_user_model().objects.get(username="partner.school").pk)


def _assign(world: Any, task: str) -> None:
    case_services.assign_measure(viewer=world.petrova, case_id=world.case_own.pk, task=task, kind="pedagogical",
                                 deadline=timezone.localdate() + dt.timedelta(days=14),
                                 organisation_id=world.school.pk)


def test_partner_sees_unread_notifications_and_opts_out(live_world: Any, realm_site: Any,  # noqa: F811
                                                        browser: Any, tmp_path: Path) -> None:
    world = live_world
    url = realm_site.url
    page = signed_in_page(browser, realm_site, "partner.school")  # the sign-in leaves the partner's account
    page.goto(f"{url}/notifications/")
    assert page.locator("h1").inner_text() == "Уведомления"
    assert page.locator("[data-unread-count]").count() == 0
    assert "Уведомлений пока нет." in page.locator("main").inner_text()

    _assign(world, "Занятия с педагогом-психологом")  # committed: told at once, in-app to the school's staff
    assert list(Notification.objects.filter(channel=Channel.IN_APP).values_list("kind", "recipient")) == [
        ("measure_assigned", f"user:{page_user()}")]
    page.goto(f"{url}/notifications/")
    badge = page.locator("header [data-unread-count]")
    assert badge.inner_text() == "1"
    page.screenshot(path=str(tmp_path / "header.png"))
    page.locator("header a.notifications-link").click()
    page.wait_for_url(f"{url}/notifications/")
    item = page.locator("li.notification--unread")
    assert item.count() == 1
    text = item.inner_text()
    assert world.case_own.code in text and "Занятия с педагогом-психологом" in text
    assert "/workspace/measures/" in text
    applicant = world.case_own.applicant
    assert applicant.last_name not in text and applicant.first_name not in text
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)

    page.get_by_role("button", name="Отметить как прочитанное").click()
    page.wait_for_url(f"{url}/notifications/")
    assert page.locator("li.notification--unread").count() == 0
    assert page.locator("[data-unread-count]").count() == 0

    # Opt out of in-app notices of new measures (e-mail stays on).
    page.get_by_role("link", name="Настройки уведомлений").click()
    box = page.locator('input[name=receive][value="measure_assigned:in_app"]')
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_selector("text=Ваш выбор сохранён.")
    assert not page.locator('input[name=receive][value="measure_assigned:in_app"]').is_checked()
    assert page.locator('input[name=receive][value="measure_assigned:email"]').is_checked()
    page.screenshot(path=str(tmp_path / "settings.png"), full_page=True)
    assert list(OptOut.objects.values_list("kind", "channel")) == [("measure_assigned", "in_app")]

    _assign(world, "Консультация логопеда")
    page.goto(f"{url}/notifications/")
    assert page.locator("header [data-unread-count]").count() == 0
    assert Notification.objects.filter(channel=Channel.IN_APP, kind="measure_assigned").count() == 1
