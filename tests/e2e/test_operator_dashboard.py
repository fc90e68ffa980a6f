"""In headless Chromium (issue 14): the hotline operator's home shows the signals it registered, with their status,
and the «Зарегистрировать сигнал» button, which opens the intake form; no case panels. Screenshot at 375 px."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.accounts.selectors import viewer_for_user
from portal.cases.services import intake
from portal.testing import factories as f
from tests.e2e.test_intake_flow import BASE, SHOTS, _no_horizontal_scroll, _session
from tests.e2e.test_registries import _collected_static  # noqa: F401 (autouse: the admin's static files)

pytestmark = pytest.mark.e2e


def test_operator_home_lists_its_signals_and_offers_to_register_one(portal_server: Any, browser: Any) -> None:
    from django.contrib.auth.models import User

    SHOTS.mkdir(parents=True, exist_ok=True)
    institution = f.organisation(kind="social_service", code="kcson-op", name="КЦСОН г. Заречный")
    f.registered_case(institution=institution)
    context = _session(browser, portal_server.url, "operator", institution, name=("Наталья", "Фёдорова"))
    intake.register_signal(viewer=viewer_for_user(User.objects.get(username="operator.intake")), source="hotline",
                           summary="Звонок на горячую линию: дети одни дома")
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{portal_server.url}{BASE}/")
        panel = page.locator('[data-panel="my_signals"]')
        assert "Мои сигналы" in panel.locator("h2").inner_text()
        assert "Звонок на горячую линию: дети одни дома" in panel.inner_text()
        assert "(поступил)" in panel.inner_text()
        assert page.locator('[data-panel="overdue"], [data-panel="reviews"], #cw-dashboard-q').count() == 0
        assert _no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "operator-dashboard-375.png"), full_page=True)
        page.get_by_role("link", name="Зарегистрировать сигнал").click()
        page.wait_for_url(re.compile(r".*/signals/new/$"))
    finally:
        context.close()
