"""End to end in headless Chromium: a coordinator opens their dashboard, finds a case by the applicant's surname,
opens the case card, runs the interim review, extends the term with a collegial decision and closes the case with
results; the card's timeline shows each step with who and when. The programme prints as a PDF; a partner asking
for the case's address is told "not found". Screenshots at desktop width and at 375 px."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.cases import services
from portal.cases.models import Case
from portal.testing import factories as f
from tests.e2e.test_registries import _collected_static  # noqa: F401 (autouse: the admin's static files)

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))


def _session(browser: Any, server_url: str, role: str, organisation: Any, *, admin_access: bool = True,
             name: tuple[str, str] = ("", "")) -> Any:
    """A browser context with the session of a staff user (made by the test client: same database and secret)."""
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission, User
    from django.test import Client

    from portal.accounts.models import StaffProfile

    user = User.objects.create_user(f"{role}.cw", password="x", first_name=name[0], last_name=name[1])
    group, _created = Group.objects.get_or_create(name=role)
    if admin_access:
        group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{role}-cw")
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU", timezone_id="Asia/Yekaterinburg")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server_url}])
    return context


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_coordinator_runs_review_extension_and_closing_from_the_case_card(portal_server: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    school = f.organisation(kind="school", code="school-e2e-cw", name="МБОУ СОШ № 7")
    world, measure = f.approved_case_with_measure(
        partner_org=school, world=f.registered_case(registered_on=today - dt.timedelta(days=170)))
    partner = f.partner(school)
    services.accept_measure(viewer=partner, measure_id=measure.pk, version=measure.version)
    measure.refresh_from_db()
    services.fulfil_measure(viewer=partner, measure_id=measure.pk, version=measure.version,
                            result="Проведены 4 занятия")
    other = f.registered_case(institution=world.institution, precinct_obj=world.precinct)
    services.update_person(viewer=other.coordinator, person_id=other.applicant.pk, last_name="Кузнецова")
    url = portal_server.url

    context = _session(browser, url, "coordinator", world.institution, name=("Анна", "Петрова"))
    try:
        page = context.new_page()
        page.goto(f"{url}/admin/casework/")
        assert page.locator("h1").first.inner_text().strip() == "Рабочий стол"
        assert page.locator('[data-panel="signals"]').count() == 1
        page.screenshot(path=str(SHOTS / "casework-dashboard.png"), full_page=True)

        # Find the case by the applicant's surname.
        page.get_by_label("Найти дело: фамилия, адрес или номер дела").fill("Смирнова")
        page.get_by_role("button", name="Найти").click()
        page.wait_for_url("**/admin/casework/cases/?q=*")
        rows = page.locator("tr.cw-case-row")
        assert rows.count() == 1 and world.case.code in rows.first.inner_text()
        assert "нет доступа" not in page.content().lower()
        assert "Показаны 1–1 из 1 дела" in page.locator("[data-testid=caption]").inner_text()
        page.screenshot(path=str(SHOTS / "casework-cases.png"), full_page=True)
        rows.first.locator("a").first.click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case.pk}/")
        assert world.case.code in page.locator("h1").first.inner_text()
        assert "Исполнено" in page.locator(f'tr[data-measure-id="{measure.pk}"]').inner_text()
        page.screenshot(path=str(SHOTS / "casework-card.png"), full_page=True)

        # Interim review.
        page.locator('[data-action="review"] a').click()
        assert page.locator("h1").first.inner_text().startswith("Внести промежуточную оценку")
        page.get_by_label("Выводы").fill("Долги по ЖКУ погашаются по графику")
        page.get_by_role("button", name="Внести промежуточную оценку").click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case.pk}/")
        assert "Долги по ЖКУ погашаются" in page.locator("#cw-reviews ~ ul, section[aria-labelledby=cw-reviews]")\
            .first.inner_text()

        # The monitoring inspection of the term's last 30 days that extending and closing rest on (§6.4).
        page.locator('[data-action="monitoring"] a').click()
        page.get_by_label("Выводы").fill("Семья справляется, но долг по ЖКУ ещё не погашен; просят продолжить")
        page.get_by_role("button", name="Внести мониторинговое инспектирование").click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case.pk}/")
        assert "просят продолжить" in page.locator("section[aria-labelledby=cw-monitoring]").inner_text()

        # Extension with a collegial decision and the citizen's wish; a too-late end is refused next to the field.
        case = Case.objects.get(pk=world.case.pk)
        page.locator('[data-action="extend"] a').click()
        page.get_by_label("Новая дата окончания срока").fill((case.started_on + dt.timedelta(days=500)).isoformat())
        page.get_by_label("Номер протокола").fill("К-17/2026")
        page.get_by_label("Участники").fill("Петрова А., Иванова М. С., представитель школы")
        page.get_by_label("Дата пожелания гражданина о продлении").fill(today.isoformat())
        page.get_by_label("Пожелание гражданина").fill("Просит продлить до погашения долга")
        page.get_by_role("button", name="Продлить срок сопровождения").click()
        refusal = page.locator("[role=alert]")
        refusal.wait_for()
        assert "12 месяцев" in refusal.inner_text()
        assert page.get_by_label("Номер протокола").input_value() == "К-17/2026"  # nothing typed is lost
        page.get_by_label("Новая дата окончания срока").fill((case.ends_on + dt.timedelta(days=60)).isoformat())
        page.get_by_role("button", name="Продлить срок сопровождения").click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case.pk}/")
        assert "Продлено" in page.locator(".cw-status").inner_text()

        # Closing with results.
        page.locator('[data-action="close"] a').click()
        page.get_by_label("Итог").select_option("resolved")
        page.get_by_label("Результаты").fill("Задолженность погашена, ребёнок посещает школу")
        page.get_by_label("Рекомендации").fill("Обращаться в КЦСОН при новых трудностях")
        page.get_by_role("button", name="Завершить сопровождение").click()
        page.wait_for_url(f"**/admin/casework/cases/{world.case.pk}/")
        assert "Закрыто" in page.locator(".cw-status").inner_text()
        assert Case.objects.get(pk=world.case.pk).status == Case.Status.CLOSED

        # The timeline tells each step with who and when.
        steps = page.locator("ol.cw-timeline li")
        told = [steps.nth(i).inner_text() for i in range(steps.count())]
        for what in ("Проведена промежуточная оценка", "Внесено мониторинговое социальное инспектирование",
                     "Отказано: срок продлён", "Срок продлён коллегиальным решением",
                     "Сопровождение завершено"):
            [step] = [text for text in told if what in text]
            assert "Петрова Анна" in step or "Анна Петрова" in step, step
            assert today.strftime("%d.%m.%Y") in step, step
        order = [next(i for i, text in enumerate(told) if what in text) for what in (
            "Дело поставлено на учёт", "Программа утверждена", "Проведена промежуточная оценка",
            "Срок продлён коллегиальным решением", "Сопровождение завершено")]
        assert order == sorted(order)
        page.set_viewport_size({"width": 1280, "height": 2600})  # the admin scrolls inside its layout: a tall shot
        page.screenshot(path=str(SHOTS / "casework-card-closed.png"), full_page=True)

        # The programme prints as a PDF with its pages.
        href = page.locator('[data-document="programme"]').get_attribute("href")
        document = page.request.get(f"{url}{href}")
        assert document.status == 200 and document.headers["content-type"] == "application/pdf"
        pypdf = pytest.importorskip("pypdf")
        pages = pypdf.PdfReader(io.BytesIO(document.body())).pages
        text = "\n".join(p.extract_text() for p in pages)
        assert len(pages) >= 1 and "6. Рекомендации гражданину" in text and "К-17/2026" in text

        # At 375 px the card and the lists stay readable without scrolling sideways.
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{url}/admin/casework/cases/{world.case.pk}/")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "casework-card-375.png"), full_page=True)
        page.goto(f"{url}/admin/casework/cases/")
        assert _no_horizontal_scroll(page)
        assert page.locator("tr.cw-case-row a").first.is_visible()
        page.screenshot(path=str(SHOTS / "casework-cases-375.png"), full_page=True)
        page.goto(f"{url}/admin/casework/")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "casework-dashboard-375.png"), full_page=True)
        page.goto(f"{url}/admin/casework/do/case/{other.case.pk}/measure/")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "casework-add-measure-375.png"), full_page=True)
    finally:
        context.close()

    # A partner asking for the case's address is told "not found".
    partner_context = _session(browser, url, "partner", school, admin_access=False)
    try:
        page = partner_context.new_page()
        answer = page.goto(f"{url}/admin/casework/cases/{world.case.pk}/")
        assert answer is not None and answer.status == 404
        assert "Смирнова" not in page.content()
        pdf = page.request.get(f"{url}/admin/casework/cases/{world.case.pk}/programme.pdf")
        assert pdf.status == 404
    finally:
        partner_context.close()
