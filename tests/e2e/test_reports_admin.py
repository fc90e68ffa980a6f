"""End to end in headless Chromium: a coordinator opens «Отчёты», sees the monthly report's deadline and status,
opens October 2026 (a fixture with known figures), sees the table and the charts drawn by the portal's own
Chart.js under the CSP, downloads the XLSX and submits the report; a supervisor opens the regional passport.
Screenshots in E2E_SCREENSHOTS."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from portal.core.viewer import Role
from tests.e2e.test_case_workspace import _session
from tests.reports.fixtures import build_october

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))


@pytest.fixture(autouse=True, scope="module")
def _collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT: collect it when the reports' files are missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.STATIC_ROOT / "reports" / "vendor" / "chart.umd.min.js").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def test_coordinator_reads_downloads_and_submits_the_monthly_report(portal_server: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    world = build_october()
    url = portal_server.url
    context = _session(browser, url, Role.COORDINATOR.value, world.a, name=("Анна", "Петрова"))
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(f"{url}/admin/reports/")
        assert page.locator("h1").first.inner_text().strip() == "Отчёты"
        october = page.locator('[data-report="monthly"] tr[data-period="2026-10"]')
        assert "до 10.11.2026" in october.inner_text()
        assert "не сдан" in october.inner_text()
        october.get_by_role("link", name="Открыть").click()
        page.wait_for_url("**/admin/reports/monthly/?period=2026-10")
        table = page.locator('table[data-table="institutions"]')
        assert "Наименование учреждения" in table.locator("thead").inner_text()
        first = table.locator("tbody tr").first.locator("td")
        assert [first.nth(i).inner_text() for i in range(5)] == ["1", "КЦСОН «А»", "2", "2", "1"]
        page.wait_for_selector('canvas[data-chart="trend"][data-drawn="3"]')
        page.wait_for_selector('canvas[data-chart="measures_by_kind"][data-drawn="1"]')
        page.screenshot(path=str(SHOTS / "reports-monthly.png"), full_page=True)

        with page.expect_download() as download_info:
            page.locator('a[data-format="xlsx"]').click()
        download = download_info.value
        assert download.suggested_filename == "monthly-2026-10-kcson-a.xlsx"
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))["institutions"]
        assert [cell.value for cell in sheet[6]][1:5] == ["КЦСОН «А»", 2, 2, 1]

        page.get_by_role("button", name="Сдать отчёт").click()
        page.get_by_text("Отчёт за 2026-10 сдан.").wait_for()
        assert page.locator('[data-status="submitted"]').count() == 1
        assert "Сдан" in page.locator(".reports-status").inner_text()
        page.goto(f"{url}/admin/reports/monthly/?period=2026-13")
        assert "ГГГГ-ММ" in page.locator("#period-error").inner_text()
        assert page.locator('input[name="period"]').input_value() == "2026-13"
    finally:
        context.close()
    assert refused == []


def test_supervisor_sees_the_regional_passport_chart(portal_server: Any, browser: Any) -> None:
    world = build_october()
    context = _session(browser, portal_server.url, Role.SUPERVISOR.value, None)
    try:
        page = context.new_page()
        page.goto(f"{portal_server.url}/admin/reports/passport/?period=2026-10")
        assert "Заречный район" in page.locator('table[data-table="territory"]').inner_text()
        page.wait_for_selector('canvas[data-chart="officer_load"][data-drawn="1"]')
        page.screenshot(path=str(SHOTS / "reports-passport.png"), full_page=True)
        page.goto(f"{portal_server.url}/admin/reports/partners/?period=2026-10")
        assert "Школа № 1" in page.locator('table[data-table="organisations"]').inner_text()
        page.wait_for_selector('canvas[data-chart="measures_by_partner"][data-drawn="4"]')
        page.screenshot(path=str(SHOTS / "reports-partners.png"), full_page=True)
    finally:
        context.close()
    assert world.a.code == "kcson-a"


def test_family_answers_the_survey_through_the_one_time_link(portal_server: Any, browser: Any) -> None:
    """The coordinator issues the link in «Отчёты → Анкетирование»; the family opens it without signing in,
    forgets the score (told next to the field, its words kept), answers, and the link no longer works."""
    import datetime as dt

    from tests.reports.fixtures import close

    world = build_october()
    world.m4.refresh_from_db()
    from portal.cases import services as case_services

    case_services.cancel_measure(viewer=world.coord_a, measure_id=world.m4.pk, version=world.m4.version,
                                 reason="Не требуется")
    close(world.coord_a, world.case2, dt.date(2026, 10, 31))
    url = portal_server.url
    context = _session(browser, url, Role.COORDINATOR.value, world.a, name=("Анна", "Петрова"))
    try:
        page = context.new_page()
        page.goto(f"{url}/admin/reports/survey/")
        row = page.locator(f'tr[data-case="{world.case2.code}"]')
        row.get_by_label("согласен(на) на связь").check()
        row.get_by_role("button", name="Выдать ссылку").click()
        message = page.locator("li.success", has_text="Одноразовая ссылка").inner_text()
        link = message[message.index("http"):].strip()
        page.screenshot(path=str(SHOTS / "reports-survey-admin.png"), full_page=True)
    finally:
        context.close()
    family = browser.new_context(locale="ru-RU")
    try:
        page = family.new_page()
        page.goto(link)
        page.get_by_label("Своими словами (необязательно)").fill("Помогли закрыть долг")
        page.get_by_role("button", name="Отправить").click()
        assert "Выберите оценку от 1 до 5." in page.locator("#satisfaction-error").inner_text()
        assert page.get_by_label("Своими словами (необязательно)").input_value() == "Помогли закрыть долг"
        page.get_by_label("5", exact=True).check()
        page.get_by_label("долговые обязательства").check()
        page.screenshot(path=str(SHOTS / "reports-survey-public.png"), full_page=True)
        page.get_by_role("button", name="Отправить").click()
        page.get_by_text("Спасибо! Ваши ответы записаны.").wait_for()
        page.goto(link)
        assert "недействительна" in page.locator("[role=alert]").inner_text()
    finally:
        family.close()


def test_partner_reads_its_own_performance_in_the_workspace(portal_server: Any, browser: Any) -> None:
    world = build_october()
    context = _session(browser, portal_server.url, Role.PARTNER.value, world.school, admin_access=False)
    try:
        page = context.new_page()
        page.goto(f"{portal_server.url}/workspace/")
        page.get_by_role("link", name="Мои показатели").click()
        page.get_by_label("Месяц (ГГГГ-ММ) или квартал (ГГГГ-QN)").fill("2026-10")
        page.get_by_role("button", name="Показать").click()
        figures = page.locator("[data-testid=performance]")
        figures.get_by_text("Поручено мероприятий").wait_for()
        assert "Школа № 1" in figures.inner_text() and "ЦРБ" not in figures.inner_text()
        page.screenshot(path=str(SHOTS / "workspace-performance.png"), full_page=True)
    finally:
        context.close()
