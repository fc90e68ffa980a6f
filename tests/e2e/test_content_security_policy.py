"""Issue 11, finding 12 in headless Chromium: under the Content-Security-Policy (no 'unsafe-inline') the public
site, the development realm's login page and the Wagtail admin run without a single violation, and the
admin's inline widget scripts (date pickers) do run, with the request's nonce."""

from __future__ import annotations

from typing import Any

import pytest

from identity import web
from identity.testing import realm_file_for
from portal.testing import factories
from tests.e2e.site_seed import seed_public_site

pytestmark = pytest.mark.e2e

RECORD = """window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"""


@pytest.fixture
def site(portal_server: Any, settings: Any, tmp_path: Any) -> Any:
    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""
    settings.DEVREALM_ISSUER = f"{portal_server.url}/realms/portal"
    settings.KEYCLOAK_REALM_FILE = realm_file_for(tmp_path, portal_server.url)
    web.reset_clients()
    factories.demo_organisations()
    seed_public_site()  # the page tree as the demo ships it (a transactional test before may have flushed it)
    yield portal_server
    web.reset_clients()


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_no_policy_violations_on_public_pages_realm_and_admin(site: Any, page: Any) -> None:
    page.context.add_init_script(RECORD)
    seen: dict[str, list[str]] = {}
    for path in ("/", "/accounts/logged-out/", "/admin/login/?local=1"):
        page.goto(site.url + path, wait_until="networkidle")
        seen[path] = _violations(page)
    page.goto(f"{site.url}/admin/", wait_until="networkidle")
    page.wait_for_selector("input[name=password]")
    assert "/realms/portal/" in page.url
    assert page.locator("link[rel=stylesheet][href$='login.css']").count() == 1  # the realm's style is a file
    seen["realm login"] = _violations(page)
    page.fill("input[name=username]", "editor.site")
    page.fill("input[name=password]", "demo")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{site.url}/admin/")
    page.wait_for_load_state("networkidle")
    seen["/admin/"] = _violations(page)
    for path in ("/admin/pages/", "/admin/reports/site-history/", "/admin/images/", "/admin/documents/"):
        page.goto(site.url + path, wait_until="networkidle")
        seen[path] = _violations(page)
    # the report's date filters are initialised by inline scripts, which carry the nonce (and ran: no violation)
    page.goto(f"{site.url}/admin/reports/site-history/", wait_until="networkidle")
    assert page.locator("script[nonce]:not([src])").count() >= 1
    assert {path: found for path, found in seen.items() if found} == {}
