"""Public site in headless Chromium: the officer finder and phone-width layout (375 px)."""

from __future__ import annotations

from typing import Any

import pytest

from portal.territory.addresses import normalise_text

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 800}


def _seed() -> None:
    """Demo site tree plus a small territory of our own (committed: the server sees it)."""
    from cms.demo import load_demo
    from portal.territory.models import AddressRange, District, Officer, Precinct, Street

    load_demo(verbose=False)
    district = District.objects.create(code="e2e-leninsky", name="Ленинский район г. Заречный", kind="urban",
                                       population=61_000)
    ivanova = Officer.objects.create(full_name="Иванова Мария Петровна", phone="+7 (342) 200-11-01",
                                     email="ivanova@zarechny.example", office_address="ул. Ленина, д. 12, каб. 5",
                                     office_hours="пн, ср 9:00–13:00")
    petrov = Officer.objects.create(full_name="Петров Сергей Иванович", phone="+7 (342) 200-11-02")
    first = Precinct.objects.create(district=district, number=1, officer=ivanova)
    second = Precinct.objects.create(district=district, number=2, officer=petrov)
    for kind, name, ranges in [("ул", "Ленина", [(first, 1, 49), (second, 50, 9999)]),
                               ("ул", "Гагарина", [(first, 1, 9999)])]:
        street = Street.objects.create(district=district, settlement="Заречный", kind=kind, name=name,
                                       normalized=normalise_text(name), settlement_normalized="заречный")
        for precinct, house_from, house_to in ranges:
            AddressRange.objects.create(street=street, precinct=precinct, house_from=house_from, house_to=house_to)


@pytest.fixture(scope="module")
def collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it once, like a deployment
    (only files changed since the last run are copied, so edited scripts and styles are picked up)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def public_site(collected_static: None, portal_server: Any) -> Any:
    _seed()
    return portal_server


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls horizontally by {overflow}px at 375 px"


def test_find_officer_for_an_address_with_typo_and_abbreviations(public_site: Any, page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{public_site.url}/officer/")
    page.get_by_label("Ваш адрес").fill("г Заречный, ул Ленена д 5")
    page.get_by_role("button", name="Найти участкового").click()
    card = page.locator(".officer-card")
    card.wait_for()
    assert card.locator("h2").inner_text() == "Иванова Мария Петровна"
    text = card.inner_text()
    assert "+7 (342) 200-11-01" in text and "ivanova@zarechny.example" in text and "№ 1" in text
    assert "Ленинский район г. Заречный" in text
    _no_horizontal_scroll(page)


def test_street_suggestions_while_typing(public_site: Any, page: Any) -> None:
    page.goto(f"{public_site.url}/officer/")
    address = page.get_by_label("Ваш адрес")
    address.press_sequentially("Гага", delay=60)
    option = page.get_by_role("option", name="г. Заречный, улица Гагарина")
    option.wait_for(timeout=5000)
    assert address.get_attribute("aria-expanded") == "true"
    address.press("ArrowDown")
    address.press("Enter")
    assert address.input_value().startswith("г. Заречный, улица Гагарина")
    address.press_sequentially("7")
    address.press("Enter")
    page.locator(".officer-card").wait_for()
    assert "Иванова Мария Петровна" in page.locator(".officer-card").inner_text()


def test_split_street_asks_for_house_number_without_javascript(public_site: Any, browser: Any) -> None:
    context = browser.new_context(locale="ru-RU", java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{public_site.url}/officer/")
        page.get_by_label("Ваш адрес").fill("г. Заречный, ул. Ленина")
        page.get_by_role("button", name="Найти участкового").click()
        page.wait_for_load_state()
        assert "несколько участков" in page.locator("#finder-result").inner_text()
        assert page.locator(".officer-card").count() == 0
        page.get_by_label("Ваш адрес").fill("г. Заречный, ул. Ленина, 60")
        page.get_by_role("button", name="Найти участкового").click()
        page.locator(".officer-card").wait_for()
        assert "Петров Сергей Иванович" in page.locator(".officer-card").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/services/", "/urgent/", "/news/", "/news/novyi-portal/", "/booklet/",
                                  "/officer/?address=г.+Заречный,+ул.+Ленина"])
def test_pages_fit_a_375px_phone(public_site: Any, page: Any, path: str) -> None:
    page.set_viewport_size(PHONE)
    response = page.goto(f"{public_site.url}{path}")
    assert response is not None and response.status == 200
    # The portal stylesheet is served and applied (header colour comes from it).
    background = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert background == "rgb(11, 79, 138)", "portal.css was not applied: are static files served?"
    _no_horizontal_scroll(page)
    assert page.locator("h1").count() == 1


def test_language_switch_and_visible_focus(public_site: Any, page: Any) -> None:
    page.goto(f"{public_site.url}/officer/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    address = page.get_by_label("Your address")
    address.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"


def test_booklet_print_button_only_with_javascript(public_site: Any, browser: Any) -> None:
    """Without JavaScript the button would do nothing, so it stays hidden; the script reveals it."""
    for scripts, visible in ((False, False), (True, True)):
        context = browser.new_context(locale="ru-RU", java_script_enabled=scripts, viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(f"{public_site.url}/booklet/")
            page.locator("h1").wait_for()
            button = page.get_by_role("button", name="Распечатать буклет")
            if visible:
                button.wait_for(state="visible")
            assert button.is_visible() is visible
            assert page.locator("[data-print-control]").count() == 1
        finally:
            context.close()


def _nav_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('.site-nav').getBoundingClientRect().height"))


@pytest.mark.parametrize("scripts", [True, False])
def test_menu_is_collapsed_at_375px_and_opens_without_javascript(public_site: Any, browser: Any,
                                                                 scripts: bool) -> None:
    from tests.e2e.site_seed import seed_public_site

    seed_public_site()  # ten menu items: the CMS pages, consultations and the three registries
    context = browser.new_context(locale="ru-RU", java_script_enabled=scripts, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{public_site.url}/vopros-spetsialistu/")
        toggle = page.locator(".site-nav__toggle")
        assert toggle.is_visible() and toggle.inner_text().strip() == "Меню"
        links = page.locator(".site-nav").get_by_role("link")
        assert links.count() == 0, "menu links are visible although the menu is collapsed"
        assert _nav_height(page) < 60
        # The form starts within the first screen.
        assert page.locator("#id_author_name").bounding_box()["y"] < PHONE["height"]
        page.screenshot(path=f"/tmp/e2e-menu-closed-{'js' if scripts else 'nojs'}.png")
        toggle.click()
        menu = page.locator(".site-nav__compact .site-nav__list")
        menu.wait_for(state="visible")
        names = page.locator(".site-nav").get_by_role("link").all_inner_texts()
        assert len(names) >= 10 and "Вопрос специалисту" in names and "Реестр благотворителей" in names
        assert page.locator(".site-nav").get_by_role("link", name="Вопрос специалисту").get_attribute(
            "aria-current") == "page"
        page.screenshot(path=f"/tmp/e2e-menu-open-{'js' if scripts else 'nojs'}.png")
        page.get_by_role("link", name="Новости").click()
        page.wait_for_url(f"{public_site.url}/news/")
        _no_horizontal_scroll(page)
    finally:
        context.close()


def test_menu_is_a_plain_list_on_wide_screens(public_site: Any, page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{public_site.url}/")
    assert not page.locator(".site-nav__toggle").is_visible()
    assert page.locator(".site-nav").get_by_role("link", name="Новости").is_visible()
    # Only one copy of the menu is exposed (the collapsed copy is display:none on wide screens).
    assert page.locator(".site-nav").get_by_role("link", name="Новости").count() == 1
