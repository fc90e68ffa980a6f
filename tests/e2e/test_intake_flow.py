"""End to end in headless Chromium, the intake of a family (issue 14, items 1–5): the hotline operator registers a
signal (the same family reported again is attached as a repeat); the district officer takes the check, records the
inspection act (a bad income is answered next to the field) and confirms the need; the coordinator registers the
household and its members (a duplicate is caught), records the application with consent (refused without it),
registers the case, builds the programme with measures for two partners sharing different recipient data, and
approves it by a decision of the interagency working group. Screenshots at desktop width and at 375 px."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.cases.models import Application, Case, CollegialDecision, InspectionAct, Measure, Signal
from portal.testing import factories as f
from tests.e2e.test_registries import _collected_static  # noqa: F401 (autouse: the admin's static files)

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screenshots"))
BASE = "/admin/casework"


def _session(browser: Any, server_url: str, role: str, organisation: Any, *, name: tuple[str, str],
             officer: Any = None) -> Any:
    """A browser context with the session of a staff user (made by the test client: same database and secret)."""
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission, User
    from django.test import Client

    from portal.accounts.models import StaffProfile

    user = User.objects.create_user(f"{role}.intake", password="x", first_name=name[0], last_name=name[1])
    group, _created = Group.objects.get_or_create(name=role)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{role}-intake")
    if officer is not None:
        officer.user, officer.username = user, user.username
        officer.save()
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU", timezone_id="Asia/Yekaterinburg")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server_url}])
    return context


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"intake-{name}.png"), full_page=True)


def test_operator_officer_and_coordinator_take_a_family_from_signal_to_approved_programme(
        portal_server: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = portal_server.url
    today = timezone.localdate()
    district = f.district(name="Ленинский район", kind="urban")
    institution = f.organisation(kind="social_service", code="kcson-intake", name="КЦСОН г. Заречный",
                                 district_obj=district)
    officer = f.officer(institution=institution, full_name="Иванова Марина Сергеевна")
    precinct = f.precinct(district_obj=district, number=1, officer=officer)
    f.address_range(street_obj=f.street(district_obj=district, name="Ленина"), precinct_obj=precinct)
    school = f.organisation(kind="school", code="school-intake", name="МАОУ СОШ № 7", district_obj=district,
                            help_kinds=["pedagogical"])
    ngo = f.organisation(kind="ngo", code="ngo-intake", name="Фонд «Добрые руки»", district_obj=district,
                         help_kinds=["material"])

    # 1. The operator registers the signal; the same family reported again is attached as a repeat.
    context = _session(browser, url, "operator", institution, name=("Наталья", "Фёдорова"))
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{url}{BASE}/signals/new/")
        assert page.locator("h1").first.inner_text().strip() == "Регистрация сигнала"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page.locator("input[name=received_at]").input_value())
        page.select_option("select[name=source]", "school")
        page.fill("input[name=reporter]", "Классный руководитель Петрова И. С., +7 342 200-07-07")
        page.fill("input[name=address]", "г. Заречный, ул. Ленина, д. 5, кв. 12")
        page.fill("textarea[name=summary]", "Сын Ильи Смирновой третью неделю не ходит в школу, дома конфликты")
        page.check("input[name=urgency][value=urgent]")
        page.check("input[name=need_circumstances][value=family_conflict]")
        assert _no_horizontal_scroll(page)
        _shot(page, "signal-new-375")
        page.get_by_role("button", name="Зарегистрировать сигнал").click()
        page.wait_for_url(re.compile(r".*/signals/\d+/$"))
        signal = Signal.objects.get()
        assert "№ 1, Ленинский район" in page.locator(".signal-precinct").inner_text()
        assert f"Сигнал № {signal.pk} зарегистрирован" in page.content()
        _shot(page, "signal-card-operator-375")
        page.goto(f"{url}{BASE}/signals/new/")
        page.select_option("select[name=source]", "neighbours")
        page.check("input[name=anonymous]")
        page.fill("input[name=address]", "Заречный, Ленина 5 кв 12")
        page.fill("textarea[name=summary]", "Соседи: ночью снова крики в квартире 12")
        page.get_by_role("button", name="Зарегистрировать сигнал").click()
        warning = page.locator(".casework-repeats")
        warning.wait_for()
        assert "За последние 30 дней по этому адресу поступил 1 открытый сигнал" in warning.inner_text()
        assert page.locator("textarea[name=summary]").input_value() == "Соседи: ночью снова крики в квартире 12"
        _shot(page, "signal-repeat-warning-375")
        warning.get_by_role("button", name=f"Прикрепить как повторный к № {signal.pk}").click()
        page.wait_for_url(re.compile(r".*/signals/\d+/$"))
        repeat = Signal.objects.exclude(pk=signal.pk).get()
        assert repeat.repeat_of_id == signal.pk and repeat.reporter == "" and repeat.reporter_anonymous
        page.goto(f"{url}{BASE}/signals/mine/")
        assert "2 сигнала" in page.locator(".casework-count").inner_text()
    finally:
        context.close()

    # 2. The officer takes the check, records the act (a negative income is answered next to it) and confirms.
    context = _session(browser, url, "officer", institution, name=("Марина", "Иванова"), officer=officer)
    try:
        page = context.new_page()
        page.goto(f"{url}{BASE}/signals/{signal.pk}/")
        page.select_option("#assign select[name=officer]", str(officer.pk))
        page.get_by_role("button", name="Назначить проверку").click()
        page.get_by_text("Проверка назначена.").wait_for()
        page.get_by_role("link", name="Заполнить акт обследования").click()
        assert page.locator("input[name=inspected_on]").input_value() == today.isoformat()
        page.check("input[name=family_categories][value=large_family]")
        page.fill("textarea[name=members]", "Смирнова Ольга Ивановна, 01.05.1990, мать; Смирнов Илья, 04.03.2012, сын")
        page.fill("textarea[name=housing]", "Двухкомнатная квартира, требуется ремонт кухни")
        page.fill("textarea[name=psychological_climate]", "Напряжённый, частые ссоры")
        page.fill("input[name=income_per_person]", "-9500")
        page.fill("input[name=subsistence_minimum]", "16400")
        page.check("input[name=need_indicators][value=below_subsistence]")
        page.check("input[name=recommended_level][value=intensive]")
        page.check("input[name=support_form][value=at_home]")
        page.check("input[name=help_kinds][value=pedagogical]")
        page.check("input[name=help_kinds][value=material]")
        page.fill("textarea[name=conclusion]", "Семья нуждается в социальном сопровождении: интенсивный уровень")
        page.get_by_role("button", name="Сохранить акт").click()
        income = page.locator("[data-field-wrapper]:has(input[name=income_per_person])")
        assert "больше либо равно 0" in income.inner_text()
        assert page.locator("textarea[name=conclusion]").input_value().startswith("Семья нуждается")
        page.fill("input[name=income_per_person]", "9500")
        page.get_by_role("button", name="Сохранить акт").click()
        page.get_by_text("Акт обследования сохранён.").wait_for()
        assert "ниже прожиточного минимума" in page.locator(".inspection-act").inner_text()
        page.get_by_role("button", name="Подтвердить нуждаемость").click()
        page.get_by_text("Нуждаемость подтверждена.").wait_for()
        _shot(page, "signal-confirmed")
    finally:
        context.close()
    assert InspectionAct.objects.get(signal=signal).recommended_level == "intensive"
    assert Signal.objects.get(pk=signal.pk).status == Signal.Status.CONFIRMED

    # 3. The coordinator: household and members, application with consent, registration, programme, approval.
    context = _session(browser, url, "coordinator", institution, name=("Татьяна", "Петрова"))
    try:
        page = context.new_page()
        page.goto(f"{url}{BASE}/signals/{signal.pk}/")
        page.get_by_role("link", name="Зарегистрировать семью и заявление").click()
        assert page.locator("input[name=address]").input_value() == "г. Заречный, ул. Ленина, д. 5, кв. 12"
        assert page.locator("input[name=categories][value=large_family]").is_checked()
        page.get_by_role("button", name="Зарегистрировать домохозяйство").click()
        page.get_by_text("Домохозяйство зарегистрировано.").wait_for()
        for last, first, middle, born, relation in (("Смирнова", "Ольга", "Ивановна", "1990-05-01", "мать"),
                                                     ("Смирнов", "Илья", "", "2012-03-04", "сын")):
            page.fill("input[name=last_name]", last)
            page.fill("input[name=first_name]", first)
            page.fill("input[name=middle_name]", middle)
            page.fill("input[name=birth_date]", born)
            page.fill("input[name=relation]", relation)
            page.get_by_role("button", name="Добавить в семью").click()
            page.get_by_text("добавлен(а) в семью").first.wait_for()
        # The same mother again: a duplicate warning instead of a second person.
        page.fill("input[name=last_name]", "Смирнова")
        page.fill("input[name=first_name]", "Ольга")
        page.fill("input[name=birth_date]", "1990-05-01")
        page.get_by_role("button", name="Добавить в семью").click()
        page.locator(".casework-duplicates").wait_for()
        assert "уже зарегистрирован" in page.locator(".casework-duplicates").inner_text()
        assert page.locator(".household-members li").count() == 2
        page.get_by_role("link", name="Зарегистрировать заявление").click()
        page.select_option("select[name=person]", label="Смирнова Ольга Ивановна")
        page.check("input[name=services_requested][value=pedagogical]")
        page.check("input[name=services_requested][value=domestic]")
        assert page.locator("input[name=help_requested][value=material]").is_checked()  # from the act
        page.get_by_role("button", name="Зарегистрировать заявление").click()
        consent = page.locator("[data-field-wrapper]:has(input[name=processing_consent])")
        assert "Без согласия" in consent.inner_text()
        assert page.locator("input[name=services_requested][value=pedagogical]").is_checked()
        page.check("input[name=processing_consent]")
        page.get_by_role("button", name="Зарегистрировать заявление").click()
        page.get_by_text("зарегистрировано в журнале").wait_for()
        assert f"З-{today.year}-000001" in page.locator(".journal-number").inner_text()
        assert page.locator("input[name=level][value=intensive]").is_checked()  # the act's recommendation
        page.get_by_role("button", name="Поставить на сопровождение").click()
        page.wait_for_url(re.compile(r".*/cases/\d+/programme/$"))
        case = Case.objects.get()
        for task, kind, organisation, place, person, shared in (
                ("Занятия с педагогом-психологом", "pedagogical", school, "МАОУ СОШ № 7, каб. 12",
                 "Громова Е. А.", ()),
                ("Продуктовый набор и школьная форма", "material", ngo, "ул. Мира, д. 8, офис 2",
                 "Васильева А. В.", ("last_name", "phone", "address"))):
            form = page.locator("form.measure-form")
            form.locator("input[name=task]").fill(task)
            form.locator("select[name=kind]").select_option(kind)
            form.locator("select[name=organisation]").select_option(str(organisation.pk))
            form.locator("input[name=place]").fill(place)
            form.locator("input[name=responsible_person]").fill(person)
            for name in shared:
                form.locator(f"input[name=shared_fields][value={name}]").check()
            form.get_by_role("button", name="Добавить мероприятие").click()
            page.get_by_text(f"Мероприятие «{task}» добавлено.").wait_for()
        approve = page.locator("form.approve-form")
        approve.locator("input[name=body][value=interagency_group]").check()
        assert approve.locator("input[name=decided_on]").input_value() == today.isoformat()
        approve.locator("input[name=protocol_number]").fill("МВРГ-14/2026")
        approve.locator("textarea[name=participants]").fill("Петрова Т. (куратор), Иванова М. С., СОШ № 7, фонд")
        _shot(page, "programme")
        narrow = context.new_page()
        narrow.set_viewport_size({"width": 375, "height": 812})
        narrow.goto(page.url)
        assert _no_horizontal_scroll(narrow)
        narrow.locator(".programme-measures").screenshot(path=str(SHOTS / "intake-programme-measures-375.png"))
        narrow.close()
        approve.get_by_role("button", name="Утвердить программу").click()
        page.get_by_text("Программа утверждена").first.wait_for()
        assert page.url.rstrip("/").endswith(f"/cases/{case.pk}") or page.url.endswith("/programme/")
        _shot(page, "approved")
    finally:
        context.close()

    case.refresh_from_db()
    assert case.status == Case.Status.PROGRAMME_APPROVED and case.signal_id == signal.pk
    assert Application.objects.get().case_id == case.pk
    decision = CollegialDecision.objects.get(case=case)
    assert (decision.body, decision.protocol_number) == ("interagency_group", "МВРГ-14/2026")
    shared = {m.organisation_id: m.shared_fields for m in Measure.objects.filter(case=case)}
    assert shared == {school.pk: ["first_name", "district"],
                      ngo.pk: ["first_name", "district", "last_name", "phone", "address"]}


def test_partner_reports_a_family_from_its_workspace_at_375_px(portal_server: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = portal_server.url
    district = f.district(name="Ленинский район", kind="urban")
    institution = f.organisation(kind="social_service", code="kcson-report", name="КЦСОН г. Заречный",
                                 district_obj=district)
    precinct = f.precinct(district_obj=district, number=1, officer=f.officer(institution=institution))
    f.address_range(street_obj=f.street(district_obj=district, name="Ленина"), precinct_obj=precinct)
    school = f.organisation(kind="school", code="school-report", name="МАОУ СОШ № 7", district_obj=district)
    context = _session(browser, url, "partner", school, name=("Ольга", "Смирнова"))
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{url}/workspace/")
        page.get_by_role("link", name="Сообщить о семье").click()
        page.wait_for_url(f"{url}/workspace/report-family/")
        page.fill("input[name=address]", "г. Заречный, ул. Ленина, д. 5, кв. 12")
        page.get_by_role("button", name="Отправить сообщение").click()
        error = page.locator(".report-field:has(textarea[name=summary]) .field-error")
        error.wait_for()
        assert "Требуется заполнить" in error.inner_text()
        assert page.locator("input[name=address]").input_value() == "г. Заречный, ул. Ленина, д. 5, кв. 12"
        page.fill("textarea[name=summary]", "Ученик 5 класса третью неделю приходит без завтрака и тёплой одежды")
        page.check("input[name=need_circumstances][value=below_subsistence]")
        assert _no_horizontal_scroll(page)
        page.get_by_role("button", name="Отправить сообщение").click()
        page.get_by_text("передано в учреждение").wait_for()
        _shot(page, "partner-report-375")
        assert page.locator(".reported-signals li").count() == 1
    finally:
        context.close()
    signal = Signal.objects.get()
    assert (signal.source, signal.reporter_organisation_id, signal.institution_id) == (
        "school", school.pk, institution.pk)
