"""Public forms in Chromium: red outline on fields in error, an error summary that takes focus and links
to each field, the server's messages (no browser tooltip), and the question number after asking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.site_seed import collect_static, seed_public_site

pytestmark = pytest.mark.e2e

RED = "rgb(179, 38, 30)"  # --c-accent
PHONE = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def _static() -> None:
    collect_static()


@pytest.fixture
def site(_static: None, portal_server: Any) -> Any:
    seed_public_site()
    return portal_server


def _submit_empty(page: Any, url: str, button: str) -> None:
    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    page.locator("[data-error-summary]").wait_for()


@pytest.mark.parametrize("scripts", [True, False])
def test_question_form_errors(site: Any, browser: Any, scripts: bool) -> None:
    context = browser.new_context(locale="ru-RU", java_script_enabled=scripts, viewport=PHONE)
    try:
        page = context.new_page()
        _submit_empty(page, f"{site.url}/vopros-spetsialistu/", "Отправить вопрос")
        summary = page.locator("[data-error-summary]")
        # Focus is on the summary (autofocus without JavaScript, portal.js with it), not on the body.
        page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
        assert summary.is_visible() and summary.bounding_box()["y"] < PHONE["height"]
        links = summary.locator("a")
        assert links.count() == 5
        assert links.first.inner_text() == "Укажите имя или псевдоним."
        assert [link.get_attribute("href") for link in links.all()] == [
            "#id_author_name", "#id_topic", "#id_district", "#id_text", "#id_consent"]
        # Text inputs, selects and the textarea in error have the red border (no specificity clash).
        for selector in ("#id_author_name", "#id_topic", "#id_text"):
            field = page.locator(selector)
            assert field.get_attribute("aria-invalid") == "true"
            assert field.evaluate("e => getComputedStyle(e).borderTopColor") == RED, selector
        assert page.locator("#id_email").evaluate("e => getComputedStyle(e).borderTopColor") != RED
        # Following a link of the summary puts the cursor into the field.
        links.first.click()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'id_author_name'")
        page.screenshot(path="/tmp/e2e-question-errors-%s.png" % ("js" if scripts else "nojs"))
    finally:
        context.close()


def test_no_browser_tooltip_on_portal_forms(site: Any, page: Any) -> None:
    """Every form of the public pages either has novalidate or no constraint the browser would check first."""
    for path in ("/vopros-spetsialistu/", "/reestr-blagotvoritelei/", "/officer/", "/nuzhdy-semei/",
                 "/reestr-partnerov/"):
        page.goto(f"{site.url}{path}")
        unchecked = page.evaluate("""() => [...document.querySelectorAll('main form')]
            .filter(f => !f.noValidate && f.querySelector('[required],[pattern],[type=email],[maxlength]'))
            .map(f => f.getAttribute('action') || f.className)""")
        assert unchecked == [], f"{path}: forms the browser validates before the server: {unchecked}"
    # Submitting the empty question form reaches the server (no tooltip stops it).
    page.goto(f"{site.url}/vopros-spetsialistu/")
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить вопрос").click()
    assert page.locator("[data-error-summary]").count() == 1
    # The officer finder answers an empty address itself.
    page.goto(f"{site.url}/officer/")
    with page.expect_navigation():
        page.get_by_role("button", name="Найти участкового").click()
    assert "address=" in page.url


def test_benefactor_form_errors(site: Any, page: Any) -> None:
    _submit_empty(page, f"{site.url}/reestr-blagotvoritelei/", "Отправить заявку")
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    links = page.locator("[data-error-summary] a")
    targets = [link.get_attribute("href") for link in links.all()]
    assert "#id_kind_0" in targets and "#id_name" in targets
    for target in targets:
        assert page.locator(target).count() == 1, f"{target} is not on the page"
    assert page.locator("#id_name").evaluate("e => getComputedStyle(e).borderTopColor") == RED
    links.nth(targets.index("#id_kind_0")).click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_kind_0'")


def test_question_number_on_the_confirmation(site: Any, page: Any) -> None:
    from portal.consultations.models import Question

    page.set_viewport_size(PHONE)
    page.goto(f"{site.url}/vopros-spetsialistu/")
    page.get_by_label("Имя или псевдоним").fill("Ирина")
    page.get_by_label("Тема").first.select_option(label="Жильё и ЖКУ")
    page.get_by_label("Район").first.select_option(label="Октябрьский район")
    page.get_by_label("Ваш вопрос").fill("Можно ли получить субсидию на оплату коммунальных услуг пенсионеру?")
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить вопрос").click()
    notice = page.locator("#sent")
    notice.wait_for()
    question = Question.objects.get()
    assert f"Номер вашего вопроса: № {question.pk}" in notice.inner_text()
    page.screenshot(path="/tmp/e2e-question-number.png")
