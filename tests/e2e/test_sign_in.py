"""Single sign-on in headless Chromium: portal → development realm login page → back signed in → sign out."""

from __future__ import annotations

from typing import Any

import pytest

from identity import web
from identity.testing import realm_file_for
from portal.testing import factories

# Needs identity-core's token verification and development realm.
pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(portal_server: Any, settings: Any, tmp_path: Any) -> Any:
    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""  # server-side calls go to the request's own base URL
    settings.DEVREALM_ISSUER = f"{portal_server.url}/realms/portal"
    settings.KEYCLOAK_REALM_FILE = realm_file_for(tmp_path, portal_server.url)
    web.reset_clients()
    factories.demo_organisations()
    yield portal_server
    web.reset_clients()


def _realm_login(page: Any, username: str, password: str = "demo") -> None:
    page.wait_for_selector("input[name=password]")
    assert "/realms/portal/" in page.url
    assert page.locator("html").get_attribute("lang") in ("ru", "ru-RU")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()


def test_partner_signs_in_and_out(site: Any, page: Any) -> None:
    page.goto(f"{site.url}/accounts/profile/")
    _realm_login(page, "partner.school")
    page.wait_for_url(f"{site.url}/accounts/profile/")
    assert "Смирнова" in page.locator("[data-testid=display-name]").inner_text()
    assert "организация-партнёр" in page.locator("[data-testid=roles]").inner_text()
    page.locator("main form[action='/accounts/logout/'] button[type=submit]").click()
    page.wait_for_url(f"{site.url}/accounts/logged-out/")
    assert "Вы вышли" in page.content()
    # Signed out of the portal …
    page.goto(f"{site.url}/accounts/profile/")
    # … and of the realm: the password is asked again.
    page.wait_for_selector("input[name=password]")
    assert "/realms/portal/" in page.url


def test_editor_reaches_the_wagtail_admin(site: Any, page: Any) -> None:
    page.goto(f"{site.url}/admin/")
    _realm_login(page, "editor.site")
    page.wait_for_url(f"{site.url}/admin/")
    assert page.locator("body").inner_text()  # the admin dashboard rendered
    assert "/admin/login" not in page.url and "/accounts/login" not in page.url


def _demo_users() -> list[tuple[str, str, list[str]]]:
    """(username, display name, realm roles) of every demo user in the realm file."""
    import json

    from django.conf import settings as django_settings

    realm = json.loads(django_settings.KEYCLOAK_REALM_FILE.read_text(encoding="utf-8"))
    return [(u["username"], f"{u.get('firstName', '')} {u.get('lastName', '')}".strip(),
             [r for r in u.get("realmRoles", []) if r != "default-roles-portal"]) for u in realm["users"]
            if not u.get("serviceAccountClientId")]  # service accounts have no password


def test_every_demo_user_signs_in_through_the_realm(site: Any, browser: Any) -> None:
    """`portal demo` prints these logins; each one works in a browser and gets its roles."""
    from django.utils import translation

    from identity.views import role_labels
    from portal.core.viewer import Role

    users = _demo_users()
    assert {role for _, _, roles in users for role in roles} >= {r.value for r in Role}
    for username, display_name, roles in users:
        context = browser.new_context(locale="ru-RU")
        try:
            page = context.new_page()
            page.goto(f"{site.url}/accounts/profile/")
            _realm_login(page, username)
            page.wait_for_url(f"{site.url}/accounts/profile/")
            assert display_name in page.locator("[data-testid=display-name]").inner_text(), username
            shown = page.locator("[data-testid=roles]").inner_text()
            with translation.override("ru"):
                expected = role_labels({Role(r) for r in roles})
            assert expected and all(label in shown for label in expected), (username, shown, expected)
        finally:
            context.close()
