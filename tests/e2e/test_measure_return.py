"""End to end in headless Chromium (issue 16, item 1): the police (a partner, signed in through the development
realm) returns a measure it cannot take — «другое» without a comment is refused next to the comment, nothing
chosen is lost — with the code «не наш профиль»; the coordinator sees it returned with the reason on the case
card and reassigns it to the school, which sees it in its list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.cases.models import Measure
from tests.e2e.test_case_workspace import _collected_static, _session  # noqa: F401 (autouse: admin static files)
from tests.e2e.test_partner_workspace import live_world, realm_site, signed_in_page  # noqa: F401 (fixtures)

pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))


def test_partner_returns_a_measure_and_the_coordinator_reassigns_it(
        live_world, realm_site, browser) -> None:  # noqa: F811 (the imported fixtures)
    SHOTS.mkdir(parents=True, exist_ok=True)
    world = live_world
    url = realm_site.url
    target = world.m_police

    police = signed_in_page(browser, realm_site, "partner.police")
    police.locator(f'tr[data-measure-id="{target.pk}"] a').click()
    form = police.locator("form.return-form")
    form.locator("select[name=reason_code]").select_option("other")
    form.get_by_role("button", name="Вернуть").click()
    error = police.locator("form.return-form .field-error")
    error.wait_for()
    assert error.inner_text() == "Поясните причину «другое»."
    assert police.locator("form.return-form select[name=reason_code]").input_value() == "other"  # nothing lost
    assert police.locator("form.not-fulfilled-form .field-error").count() == 0
    police.screenshot(path=str(SHOTS / "workspace-return-refused.png"), full_page=True)
    police.locator("form.return-form select[name=reason_code]").select_option(label="не наш профиль")
    police.locator("form.return-form textarea[name=reason]").fill("Нужен психолог, не участковый")
    police.locator("form.return-form").get_by_role("button", name="Вернуть").click()
    police.wait_for_selector("text=Мероприятие возвращено координатору.")
    assert "возвращено" in police.locator("dd.measure-status").inner_text().lower()
    assert "не наш профиль: Нужен психолог" in police.locator("dd.measure-reason").inner_text()
    assert police.locator("form.fulfil-form").count() == 0  # no longer the police's to report on
    police.screenshot(path=str(SHOTS / "workspace-returned.png"), full_page=True)

    context = _session(browser, url, "coordinator", world.zarechny, name=("Татьяна", "Петрова"))
    try:
        page = context.new_page()
        page.goto(f"{url}/admin/casework/cases/{world.case_own.pk}/")
        row = page.locator(f'tr[data-measure-id="{target.pk}"]')
        assert "Возвращено" in row.inner_text() and "не наш профиль" in row.inner_text()
        page.screenshot(path=str(SHOTS / "casework-card-returned.png"), full_page=True)
        row.get_by_role("link", name="Передать другой организации").click()
        page.get_by_label("Новая ответственная организация").select_option(label="СОШ № 7")
        page.get_by_label("Причина").fill("Работа педагога-психолога школы")
        page.locator("main form [type=submit]").first.click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case_own.pk}/")
        assert "Назначено" in page.locator(f'tr[data-measure-id="{target.pk}"]').inner_text()
    finally:
        context.close()
    stored = Measure.objects.get(pk=target.pk)
    assert (stored.status, stored.organisation_id) == (Measure.Status.ASSIGNED, world.school.pk)
    school = signed_in_page(browser, realm_site, "partner.school")
    assert school.locator(f'tr[data-measure-id="{target.pk}"]').count() == 1
