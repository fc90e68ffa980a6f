"""No page of the portal, public or admin, makes the browser contact another origin (avatar services,
CDNs, fonts …): every request Chromium makes is recorded. Also: the favicon is served, and GraphiQL
starts from the portal's own copy of its scripts."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.site_seed import collect_static, seed_public_site

pytestmark = pytest.mark.e2e

PUBLIC = ["/", "/services/", "/services/families/", "/urgent/", "/news/", "/news/novyi-portal/", "/booklet/",
          "/officer/", "/officer/?address=нет+такого+адреса", "/vopros-spetsialistu/", "/nuzhdy-semei/",
          "/reestr-blagotvoritelei/", "/reestr-partnerov/", "/registry/", "/accounts/login/", "/no-such-page/"]


@pytest.fixture(scope="module")
def _static() -> None:
    collect_static()


@pytest.fixture
def site(_static: None, portal_server: Any) -> Any:
    seed_public_site()
    return portal_server


class Recorder:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.missing: list[str] = []

    def request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(request.url)

    def response(self, response: Any) -> None:
        if response.status == 404 and response.request.resource_type != "document":
            self.missing.append(response.url)


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _recorded(page: Any, origin: str) -> Recorder:
    recorder = Recorder(origin)
    page.on("request", recorder.request)
    page.on("response", recorder.response)
    return recorder


def test_public_pages_stay_on_the_portal(site: Any, page: Any) -> None:
    recorder = _recorded(page, site.url)
    for path in PUBLIC:
        _visit(page, f"{site.url}{path}")
    _visit(page, f"{site.url}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    for path in ("/", "/vopros-spetsialistu/", "/news/novyi-portal/"):
        _visit(page, f"{site.url}{path}")
    assert recorder.foreign == []
    assert recorder.missing == [], "sub-resources not found (favicon?)"


def test_favicon_is_linked_and_served(site: Any, page: Any) -> None:
    _visit(page, f"{site.url}/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href == "/favicon.ico"
    response = page.request.get(f"{site.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "image/x-icon"


def _admin_context(browser: Any, server_url: str) -> Any:
    """A browser context signed in as a superuser with an e-mail (which an avatar service would use)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    user = User.objects.create_superuser("admin.e2e", email="admin.e2e@example.org", password="x",
                                         first_name="Анна", last_name="Админова")
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server_url}])
    return context


def test_admin_pages_stay_on_the_portal(site: Any, browser: Any) -> None:
    from cms.models import HomePage, ServiceInfoPage

    home = HomePage.objects.get(locale__language_code="ru")
    services = ServiceInfoPage.objects.get(slug="services", locale__language_code="ru")
    paths = ["/admin/", f"/admin/pages/{home.pk}/", f"/admin/pages/{services.pk}/edit/", "/admin/users/",
             "/admin/account/", "/admin/images/", "/admin/documents/", "/admin/locales/", "/admin/snippets/",
             f"/admin/pages/{services.pk}/history/", "/admin/reports/site-history/"]
    context = _admin_context(browser, site.url)
    try:
        page = context.new_page()
        recorder = _recorded(page, site.url)
        for path in paths:
            response = page.goto(f"{site.url}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
        # Every screen of the admin menu (the sidebar's items, read from its props).
        page.goto(f"{site.url}/admin/")
        props = page.locator("#wagtail-sidebar-props").text_content() or ""
        menu = sorted({url for url in re.findall(r'"url":\s*"(/admin/[^"]*)"', props)
                       if "logout" not in url} - set(paths))
        assert len(menu) >= 5, menu
        for path in menu:
            response = page.goto(f"{site.url}{path}")
            assert response is not None and response.status < 500, path
            page.wait_for_load_state("networkidle")
        avatar = page.locator(".avatar img, img.avatar").first
        if avatar.count():
            assert urlsplit(avatar.get_attribute("src") or "").netloc in ("", urlsplit(site.url).netloc)
        page.screenshot(path="/tmp/e2e-admin.png")
        assert recorder.foreign == []
    finally:
        context.close()


def test_graphiql_starts_without_internet(site: Any, page: Any) -> None:
    """The GraphiQL page (DEBUG only, so served here through a route) loads only the portal's assets and
    shows the editor instead of "Loading…" — every other origin is blocked to prove it."""
    from graph.graphiql import graphiql_html

    html = graphiql_html(title="Headless CMS — GraphiQL", endpoint="/cms/graphql")
    recorder = _recorded(page, site.url)
    page.route(lambda url: not url.startswith(site.url), lambda route: route.abort())
    page.route(f"{site.url}/__graphiql__", lambda route: route.fulfill(status=200, body=html,
                                                                      content_type="text/html; charset=utf-8"))
    page.goto(f"{site.url}/__graphiql__")
    page.locator(".graphiql-editors").wait_for(timeout=20_000)
    assert "Loading…" not in page.locator("#graphiql").inner_text()
    # It works against the portal's endpoint: a query runs and answers.
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.type("{ __typename }")
    page.keyboard.press("Control+Enter")
    try:
        page.wait_for_function("document.querySelector('.graphiql-response').innerText.includes('__typename')",
                               timeout=20_000)
    finally:
        page.screenshot(path="/tmp/e2e-graphiql.png")
    assert '"Query"' in page.locator(".graphiql-response").inner_text()
    page.wait_for_load_state("networkidle")
    page.screenshot(path="/tmp/e2e-graphiql.png")
    assert recorder.foreign == []
