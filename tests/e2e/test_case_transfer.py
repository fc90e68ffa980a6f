"""End to end in headless Chromium (issue 16, item 5), everyone signed in through the development realm with the
demo logins: Zarechny's coordinator proposes to transfer a case to Berezovsky from the case card — a precinct
outside the receiver's territory is refused next to the field, nothing typed is lost — with the school's measure
following the case and the police's cancelled; Berezovsky's coordinator finds it on the dashboard and accepts it,
and the card then shows the case as Berezovsky's with the measures as stated. Berezovsky's own proposal is
declined by Zarechny's coordinator with a reason, which its card shows. Screenshots of each screen."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from portal.cases import services
from portal.cases.models import Case, CaseTransfer, Measure
from tests.e2e.test_case_workspace import _collected_static  # noqa: F401 (autouse: admin static files)
from tests.e2e.test_partner_workspace import live_world, realm_site  # noqa: F401 (fixtures)
from tests.e2e.test_sign_in import _realm_login

pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))


def staff_page(browser: Any, site: Any, username: str) -> Any:
    """A fresh browser context of a demo staff user signed in through the realm, on the case workspace."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{site.url}/admin/casework/")
    _realm_login(page, username)
    page.wait_for_url(f"{site.url}/admin/casework/")
    return page


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_transfer_proposed_accepted_and_declined_in_the_browser(
        live_world, realm_site, browser) -> None:  # noqa: F811 (the imported fixtures)
    SHOTS.mkdir(parents=True, exist_ok=True)
    world = live_world
    url = realm_site.url
    case = world.case_own
    follows, cancelled = world.m_school, world.m_police

    # Zarechny's coordinator proposes the transfer from the case card.
    petrova = staff_page(browser, realm_site, "coordinator.petrova")
    petrova.goto(f"{url}/admin/casework/cases/{case.pk}/")
    petrova.locator('[data-action="transfer"] a').click()
    assert petrova.locator("h1").first.inner_text().startswith("Передать дело другому учреждению")
    petrova.get_by_label("Принимающее учреждение").select_option(label="КЦСОН Берёзовского округа")
    petrova.get_by_label("Новый участок").select_option(str(world.precinct_own.pk))  # not the receiver's
    petrova.get_by_label("Причина").fill("Семья переехала в с. Берёзовка")
    petrova.locator(f'input[name="measure_{cancelled.pk}"][value="cancel"]').check()
    assert petrova.locator(f'input[name="measure_{follows.pk}"][value="follow"]').is_checked()  # the default
    petrova.locator("main form [type=submit]").first.click()
    error = petrova.get_by_text("Выберите участок на территории принимающего учреждения.")
    error.wait_for()
    assert petrova.get_by_label("Причина").input_value() == "Семья переехала в с. Берёзовка"  # nothing lost
    assert petrova.locator(f'input[name="measure_{cancelled.pk}"][value="cancel"]').is_checked()
    _shot(petrova, "transfer-propose-refused.png")
    petrova.get_by_label("Новый участок").select_option(str(world.precinct_other.pk))
    petrova.locator("main form [type=submit]").first.click()
    petrova.wait_for_url(f"**/admin/casework/cases/{case.pk}/")
    pending = petrova.locator("ul.cw-transfers li[data-status=proposed]")
    assert "Предложена" in pending.inner_text() and "КЦСОН Берёзовского округа" in pending.inner_text()
    fates = pending.locator("ul.cw-transfer-measures")
    assert f"{follows.task} — следует за делом" in fates.inner_text()
    assert f"{cancelled.task} — отменяется" in fates.inner_text()
    refusal = petrova.locator('[data-action="transfer"] .cw-refusal-reason')
    assert refusal.inner_text() == "Передача этого дела уже ожидает решения принимающего учреждения."
    notice = petrova.locator(".cw-transfer-pending").inner_text()
    assert "предложена передача дела в КЦСОН Берёзовского округа" in notice and "ожидает решения" in notice
    assert Case.objects.get(pk=case.pk).institution_id == world.zarechny.pk  # still Zarechny's
    petrova.set_viewport_size({"width": 1280, "height": 2600})  # the admin scrolls inside its layout
    _shot(petrova, "transfer-card-proposed.png")
    petrova.set_viewport_size({"width": 1280, "height": 1000})

    # Berezovsky proposes one of its cases to Zarechny (declined below).
    other = services.propose_transfer(
        viewer=world.orlov, case_id=world.case_other.pk, to_institution_id=world.zarechny.pk,
        to_precinct_id=world.precinct_own.pk, reason="Семья переехала в г. Заречный",
        measure_plan={world.m_clinic.pk: "follow", world.m_school_other.pk: "follow"})

    # Berezovsky's coordinator sees the proposal on the dashboard and accepts it.
    orlov = staff_page(browser, realm_site, "coordinator.orlov")
    panel = orlov.locator('[data-panel="transfers"]')
    assert "Дела, переданные нам: примите или отклоните" in panel.inner_text()
    assert case.code in panel.inner_text() and "КЦСОН г. Заречный" in panel.inner_text()
    _shot(orlov, "transfer-dashboard-incoming.png")
    panel.get_by_role("link", name="Принять переданное дело").click()
    assert orlov.locator("h1").first.inner_text().startswith("Принять переданное дело")
    summary = orlov.locator(".cw-transfer-summary")
    assert case.code in summary.inner_text() and "Семья переехала в с. Берёзовка" in summary.inner_text()
    _shot(orlov, "transfer-accept.png")
    orlov.locator("main form [type=submit]").first.click()
    orlov.wait_for_url(f"**/admin/casework/cases/{case.pk}/")
    assert "КЦСОН Берёзовского округа" in orlov.locator(".cw-facts").inner_text()
    assert "Назначено" in orlov.locator(f'tr[data-measure-id="{follows.pk}"]').inner_text()
    gone = orlov.locator(f'tr[data-measure-id="{cancelled.pk}"]').inner_text()
    assert "Отменено" in gone and "Отменено при передаче дела в КЦСОН Берёзовского округа" in gone
    assert "Принята" in orlov.locator("ul.cw-transfers li[data-status=accepted]").inner_text()
    versions = orlov.locator("ol.cw-versions").inner_text()
    assert "мероприятия отменены при передаче дела" in versions
    assert f"~ {cancelled.task}: статус назначено → отменено" in versions and "assigned" not in versions
    told = orlov.locator("ol.cw-timeline").inner_text()
    assert "Предложена передача дела в другое учреждение" in told and "Дело перешло в принимающее учреждение" in told
    orlov.set_viewport_size({"width": 1280, "height": 2600})
    _shot(orlov, "transfer-card-accepted.png")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.institution_id, stored.precinct_id) == (world.berezovsky.pk, world.precinct_other.pk)
    assert Measure.objects.get(pk=cancelled.pk).status == Measure.Status.CANCELLED
    assert Measure.objects.get(pk=follows.pk).status == Measure.Status.ASSIGNED
    # The sender no longer opens the case.
    assert petrova.goto(f"{url}/admin/casework/cases/{case.pk}/").status == 404

    # Zarechny's coordinator declines Berezovsky's proposal, with the reason.
    petrova.goto(f"{url}/admin/casework/")
    panel = petrova.locator('[data-panel="transfers"]')
    assert world.case_other.code in panel.inner_text()
    panel.get_by_role("link", name="Отклонить передачу").click()
    petrova.locator("main form [type=submit]").first.click()  # no reason: refused next to the field
    petrova.locator(".error-message, .w-field__errors, [class*=error]").first.wait_for()
    petrova.get_by_label("Причина").fill("Адрес вне территории нашего учреждения")
    _shot(petrova, "transfer-decline.png")
    petrova.locator("main form [type=submit]").first.click()
    petrova.wait_for_url(f"{url}/admin/casework/")
    assert petrova.locator('[data-panel="transfers"]').count() == 0
    assert CaseTransfer.objects.get(pk=other.pk).status == CaseTransfer.Status.DECLINED

    orlov.goto(f"{url}/admin/casework/cases/{world.case_other.pk}/")
    declined = orlov.locator("ul.cw-transfers li[data-status=declined]")
    assert "Отклонена" in declined.inner_text()
    assert declined.locator(".cw-decline-reason").inner_text() == "Адрес вне территории нашего учреждения"
    assert "КЦСОН Берёзовского округа" in orlov.locator(".cw-facts").inner_text()  # the case stayed
    assert orlov.locator('[data-action="transfer"] a').count() == 1  # may be proposed again
    orlov.set_viewport_size({"width": 1280, "height": 2600})
    _shot(orlov, "transfer-card-declined.png")
