"""After sign-in each role lands on its own home, and every public page links to it (headless Chromium, through
the development realm's login page): a partner on «Мои мероприятия», a coordinator on the case workspace's
dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.site_seed import seed_public_site
from tests.e2e.test_registries import _collected_static  # noqa: F401 (autouse: static files for the pages)
from tests.e2e.test_sign_in import _realm_login, site  # noqa: F401 (the realm-backed portal fixture)

pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("username", "home", "label"), [
    ("partner.school", "/workspace/", "Мои мероприятия"),
    ("coordinator.petrova", "/admin/casework/", "Рабочий стол"),
])
def test_role_lands_on_its_home_and_finds_it_in_the_header(site: Any, browser: Any, username: str, home: str,  # noqa: F811
                                                           label: str) -> None:
    seed_public_site()
    context = browser.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(f"{site.url}/")
        page.locator("a.auth-link", has_text="Войти").click()
        _realm_login(page, username)
        page.wait_for_url(f"{site.url}{home}")
        page.goto(f"{site.url}/")
        link = page.locator("a.work-home-link")
        assert link.inner_text().strip() == label
        link.click()
        page.wait_for_url(f"{site.url}{home}")
    finally:
        context.close()
