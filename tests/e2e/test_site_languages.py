"""English in the browser: translated pages, titles and menu under lang="en"; untranslated content
marked lang="ru" (screen readers switch voice); redirects from the apps' addresses to the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.site_seed import collect_static, seed_public_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def _static() -> None:
    collect_static()


@pytest.fixture
def site(_static: None, portal_server: Any) -> Any:
    seed_public_site()
    return portal_server


def _switch_to_english(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize(("path", "title"), [
    ("/", "Social support"),
    ("/officer/", "Find your district social officer"),
    ("/vopros-spetsialistu/", "Ask a specialist"),
    ("/nuzhdy-semei/", "What families need"),
    ("/reestr-blagotvoritelei/", "Registry of benefactors"),
    ("/reestr-partnerov/", "Registry of interaction partners"),
    ("/services/", "How to get social support"),
    ("/urgent/", "Urgent social services"),
    ("/booklet/", "Booklet “Social support”"),
])
def test_main_pages_in_english(site: Any, page: Any, path: str, title: str) -> None:
    _switch_to_english(page, f"{site.url}{path}")
    heading = page.locator("h1")
    assert heading.inner_text() == title
    # The heading is English: no lang="ru" on it or around it.
    assert heading.evaluate("e => e.closest('[lang]').getAttribute('lang')") == "en"
    assert page.title().startswith(title) or path == "/"
    menu = page.locator(".site-nav__wide .site-nav__list")
    texts = menu.locator("a").all_inner_texts()
    assert "Home" in texts and "Ask a specialist" in texts and "News" in texts
    assert menu.locator("[lang=ru]").count() == 0


def test_untranslated_news_falls_back_to_russian_marked_lang_ru(site: Any, page: Any) -> None:
    _switch_to_english(page, f"{site.url}/news/")
    item = page.get_by_role("link", name="Заработал портал социального сопровождения")
    assert item.evaluate("e => e.closest('[lang]').getAttribute('lang')") == "ru"
    item.click()
    page.wait_for_load_state()
    heading = page.locator("h1")
    assert heading.inner_text() == "Заработал портал социального сопровождения"
    assert heading.get_attribute("lang") == "ru"
    assert page.locator("html").get_attribute("lang") == "en"
    # The chrome stays English: breadcrumb "Home", footer titles.
    assert page.locator(".breadcrumbs a").first.inner_text() == "Home"
    assert page.locator("#footer-hotline").evaluate("e => e.closest('[lang]').getAttribute('lang')") == "en"


def test_back_to_russian(site: Any, page: Any) -> None:
    _switch_to_english(page, f"{site.url}/services/")
    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Как получить социальное сопровождение"
    assert page.locator("main [lang]").count() == 0


@pytest.mark.parametrize(("old", "new"), [
    ("/consultations/", "/vopros-spetsialistu/"),
    ("/registry/needs/", "/nuzhdy-semei/"),
    ("/registry/benefactors/", "/reestr-blagotvoritelei/"),
    ("/registry/partners/", "/reestr-partnerov/"),
])
def test_old_addresses_redirect_to_the_pages(site: Any, page: Any, old: str, new: str) -> None:
    redirects: list[int] = []
    page.on("response", lambda response: redirects.append(response.status)
            if response.url.endswith(old) else None)
    response = page.goto(f"{site.url}{old}")
    assert response is not None and response.status == 200
    assert page.url == f"{site.url}{new}"
    assert redirects and redirects[0] in (301, 302)


def test_home_and_menu_link_the_canonical_pages(site: Any, page: Any) -> None:
    page.goto(f"{site.url}/")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert "/vopros-spetsialistu/" in hrefs and "/reestr-blagotvoritelei/" in hrefs
    assert not [href for href in hrefs if href.startswith(("/consultations", "/registry/"))]
