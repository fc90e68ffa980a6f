"""End to end: a benefactor signs up and appears after moderation; the needs list shows no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from portal.core.viewer import Viewer
from portal.cases import services as case_services
from portal.cases.models import Consent
from portal.community import services
from portal.community.models import Benefactor
from portal.territory.models import District
from portal.testing import factories


@pytest.fixture(autouse=True, scope="module")
def _collected_static() -> None:
    """Without DEBUG the app serves STATIC_ROOT (as in production): collect it when our files are missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.STATIC_ROOT / "consultations" / "public.css").exists():
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
    institution = factories.organisation(kind="social_service", code="kcson-e2e")
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
