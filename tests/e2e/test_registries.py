"""End to end: a benefactor signs up and appears after moderation; the needs list shows no personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Consent
from portal.community import services
from portal.community.models import Benefactor
from portal.core.viewer import Viewer
from portal.territory.models import District
from portal.testing import factories


@pytest.fixture(autouse=True, scope="module")
def _collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it when our files are missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.STATIC_ROOT / "portal-core" / "public.css").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.e2e
def test_benefactor_appears_after_moderation(portal_server: Any, page: Any) -> None:
    District.objects.create(code="e2e-b", name="Берёзовский округ", kind="rural")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{portal_server.url}/registry/benefactors/")
    assert no_horizontal_scroll(page)
    page.get_by_label("Физическое лицо").check()
    page.get_by_label("Имя или название организации").fill("Елена Смирнова")
    page.get_by_label("Электронная почта").fill("smirnova@example.org")
    page.locator("input[name=help_kinds][value=pedagogical]").check()
    page.locator("#id_district").select_option(label="Берёзовский округ")
    page.locator("#id_consent_processing").check()
    page.locator("#id_consent_publication").check()
    page.get_by_role("button", name="Отправить заявку").click()
    page.get_by_text("Спасибо! Ваша заявка получена.").wait_for()
    assert "Елена Смирнова" not in page.locator("#benefactors").inner_text()

    benefactor = Benefactor.objects.get()
    assert benefactor.status == Benefactor.Status.PENDING
    services.approve_benefactor(viewer=Viewer.system("e2e"), benefactor_id=benefactor.pk)
    page.goto(f"{portal_server.url}/registry/benefactors/")
    listed = page.locator("#benefactors").inner_text()
    assert "Елена Смирнова" in listed and "Берёзовский округ" in listed
    assert "smirnova@example.org" not in page.content()
    assert no_horizontal_scroll(page)


@pytest.mark.e2e
def test_needs_list_shows_no_personal_data(portal_server: Any, page: Any) -> None:
    district = factories.district(code="e2e-n", name="Октябрьский район")
    precinct = factories.precinct(district_obj=district)
    institution = factories.organisation(kind="social_service", code="kcson-e2e", district_obj=district)
    worlds = []
    for _ in range(3):
        world = factories.registered_case(institution=institution, precinct_obj=precinct)
        case_services.record_consent(viewer=world.coordinator, person_id=world.applicant.pk,
                                     purpose=Consent.Purpose.PUBLICATION,
                                     given_on=timezone.localdate() - dt.timedelta(days=1))
        services.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind="material",
                              urgency="urgent", summary="Нужна зимняя одежда для детей")
        worlds.append(world)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{portal_server.url}/registry/needs/")
    cards = page.locator("#needs .need")
    assert cards.count() == 3
    text = page.locator("main").inner_text()
    assert "Нужна зимняя одежда для детей" in text and "Октябрьский район" in text
    html = page.content()
    for world in worlds:
        for secret in (world.applicant.last_name, world.applicant.first_name, world.applicant.middle_name,
                       "+7 912 000-00-00", "ул. Ленина, д. 5", world.case.code, "01.05.1990", "1990"):
            assert secret not in html
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="Могу помочь").first.click()
    page.get_by_role("heading", name="Могу помочь").wait_for()
    assert no_horizontal_scroll(page)


def _covered(world: Any, need: Any, offer: Any) -> None:
    """The coordinator accepts the offer and the measure is fulfilled: help found for the need."""
    from portal.cases.models import Measure

    accepted = services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Передать вещи",
                                     deadline=timezone.localdate() + dt.timedelta(days=10))
    case = case_services.approve_programme(viewer=world.coordinator, case_id=world.case.pk,
                                           decided_on=world.case.registered_on, protocol_number="7",
                                           participants="Куратор")
    assert case.pk == need.case_id
    measure = Measure.objects.get(pk=accepted.measure.pk)
    case_services.fulfil_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                 result="Передано")


SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


@pytest.mark.e2e
def test_needs_cards_say_what_is_needed_and_a_found_need_refuses_at_once(portal_server: Any, page: Any) -> None:
    """Issue 20: each card says in plain words what is needed, with the district, urgency and how long ago it
    was published; help found reads «Помощь найдена»; its offer page refuses before anything is filled in."""
    district = factories.district(code="e2e-c", name="Берёзовский округ")
    precinct = factories.precinct(district_obj=district)
    institution = factories.organisation(kind="social_service", code="kcson-e2e-c", district_obj=district)
    wanted = ["Нужны зимние сапоги и тёплая куртка для школьника", "Нужна детская кроватка",
              "Нужен письменный стол для занятий"]
    found = ["Нужны продуктовые наборы на месяц", "Нужен холодильник", "Нужна стиральная машина"]
    published = []
    for index, summary in enumerate(wanted + found):
        world = factories.registered_case(institution=institution, precinct_obj=precinct)
        case_services.record_consent(viewer=world.coordinator, person_id=world.applicant.pk,
                                     purpose=Consent.Purpose.PUBLICATION,
                                     given_on=timezone.localdate() - dt.timedelta(days=1))
        need = services.publish_need(viewer=world.coordinator, case_id=world.case.pk,
                                     help_kind="material", urgency="urgent" if index < 3 else "soon", summary=summary)
        published.append((world, need))
    offers = [services.offer_help(need_id=need.pk, name="Иван Петров", email="ivan@example.org", phone="",
                                  message="", consent=True) for _world, need in published[3:]]
    for (world, need), offer in zip(published[3:], offers, strict=True):
        _covered(world, need, offer)

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{portal_server.url}/registry/needs/")
    cards = page.locator("#needs .need")
    assert cards.count() == 6
    for summary in wanted + found:
        card = cards.filter(has=page.get_by_role("heading", name=summary))
        assert card.count() == 1, summary
        text = card.inner_text()
        assert "Берёзовский округ" in text and "Срочность" in text and "меньше недели назад" in text, text
        assert "Материальная / натуральная" in text  # the kind of help, no longer the only thing said
    open_card = cards.filter(has=page.get_by_role("heading", name=wanted[0]))
    assert "Нужна помощь" in open_card.inner_text() and "Срочно" in open_card.inner_text()
    assert open_card.get_by_role("link", name="Могу помочь").count() == 1
    found_card = cards.filter(has=page.get_by_role("heading", name=found[0]))
    assert "Помощь найдена" in found_card.inner_text() and "закрыта" not in page.content()
    assert found_card.get_by_role("link", name="Могу помочь").count() == 0
    assert no_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "needs-cards.png"), full_page=True)

    # A link kept from before (or typed) to the offer page of a need whose help was found: refused at once.
    covered_need = published[3][1]
    page.goto(f"{portal_server.url}/registry/needs/{covered_need.pk}/help/")
    notice = page.locator("#offer-refused")
    notice.wait_for()
    assert "Помощь по этой нужде уже найдена" in notice.inner_text()
    assert page.locator("input[name=consent]").count() == 0 and page.get_by_label("Электронная почта").count() == 0
    assert found[0] in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "offer-refused.png"), full_page=True)
    page.get_by_role("link", name="Посмотреть нужды, которые ещё ждут помощи").click()
    page.wait_for_load_state()
    assert page.locator("#needs .need").count() == 3
    assert found[0] not in page.locator("#needs").inner_text()
