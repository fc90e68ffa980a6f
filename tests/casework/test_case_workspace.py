"""The case workspace in the Wagtail admin: the case card, lists, dashboard and documents — scoped by role, in
Russian, with refusals next to the action and every print an access record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.audit.models import AuditEvent
from portal.cases import services
from portal.cases.models import Case, Measure, Signal
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _client(role: str, organisation: Organisation | None = None, *, admin_access: bool = True,
            username: str = "") -> tuple[Client, User]:
    user = User.objects.create_user(username or f"{role}-{User.objects.count()}", password="x",
                                    first_name="Тест", last_name=role.capitalize())
    group, _ = Group.objects.get_or_create(name=role)
    if admin_access:
        group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{user.username}")
    client = Client()
    client.force_login(user)
    return client, user


def _card(pk: int) -> str:
    return f"/admin/casework/cases/{pk}/"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """The visible text of a page, tags stripped."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _main(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return _text(type("R", (), {"content": html[html.find('<main'):].encode()}))


def test_card_shows_the_whole_case_in_russian_with_no_raw_values() -> None:
    school = f.organisation(kind="school", code="school-card")
    world, measure = f.approved_case_with_measure(partner_org=school)
    services.create_person(viewer=world.coordinator, household_id=world.household.pk, last_name="Смирнов",
                           first_name="Пётр", relation="сын", birth_date=dt.date(2014, 2, 3))
    client, _user = _client("coordinator", world.institution)
    page = client.get(_card(world.case.pk))
    assert page.status_code == 200
    text = _main(page)
    for shown in (world.case.code, "Смирнова Ольга Ивановна", "Смирнов Пётр", "сын", "г. Заречный, ул. Ленина",
                  "обработка персональных данных", "Консультация педагога-психолога", school.name,
                  "Утверждение программы", "12/2026", "Хронология", "Дело поставлено на учёт",
                  "Программа утверждена коллегиальным решением", "Добавлено мероприятие", "долговые обязательства"):
        assert shown.lower() in text.lower(), shown
    for raw in (" None", "[]", "['", "programme_approved", "in_progress", "low_income", "debts"):
        assert raw not in text, raw
    # The person's page links back to the case.
    person = client.get(f"/admin/casework/persons/{world.applicant.pk}/")
    assert person.status_code == 200 and f'href="{_card(world.case.pk)}"' in person.content.decode()
    # The open measure can be reassigned or cancelled from the card; closing says why not.
    html = page.content.decode()
    assert f"/admin/casework/do/measure/{measure.pk}/cancel/" in html
    close = re.search(r'data-action="close".*?</li>', html, re.S)
    assert close is not None and "href" not in close.group(0)
    assert "cw-refusal-reason" in close.group(0)


def test_lifecycle_from_the_card_review_extend_close_with_timeline() -> None:
    school = f.organisation(kind="school", code="school-life")
    world, measure = f.approved_case_with_measure(
        partner_org=school, world=f.registered_case(registered_on=TODAY - dt.timedelta(days=170)))
    client, _user = _client("coordinator", world.institution)
    case = Case.objects.get(pk=world.case.pk)
    # A review that changes the programme needs the collegial decision on the change.
    refused = client.post(f"/admin/casework/do/case/{case.pk}/review/", {
        "reviewed_on": TODAY.isoformat(), "findings": "Долги погашаются", "programme_changed": "on"})
    assert refused.status_code == 200 and "decided_on" in refused.context["form"].errors
    assert "Долги погашаются" in refused.content.decode()
    assert client.post(f"/admin/casework/do/case/{case.pk}/review/", {
        "reviewed_on": TODAY.isoformat(), "findings": "Долги погашаются", "programme_changed": "on",
        "decided_on": TODAY.isoformat(), "protocol_number": "П-40", "participants": "Консилиум",
        "summary": "Сроки мероприятий сохранены, добавлен контроль"}).status_code == 302
    case.refresh_from_db()
    extension = {"ends_on": (case.ends_on + dt.timedelta(days=60)).isoformat(), "decided_on": TODAY.isoformat(),
                 "protocol_number": "П-44", "participants": "Консилиум", "summary": "",
                 "wish_on": TODAY.isoformat(), "wish": "Просит продлить сопровождение", "version": case.version}
    # No monitoring inspection yet: refused, the reason shown, nothing typed lost.
    refused = client.post(f"/admin/casework/do/case/{case.pk}/extend/", extension)
    assert refused.status_code == 200 and "мониторинговое социальное инспектирование" in _text(refused)
    assert "Просит продлить сопровождение" in refused.content.decode()
    assert client.post(f"/admin/casework/do/case/{case.pk}/monitoring/", {
        "inspected_on": TODAY.isoformat(), "findings": "Нужда сохраняется"}).status_code == 302
    answer = client.post(f"/admin/casework/do/case/{case.pk}/extend/", extension)
    assert answer.status_code == 302, _text(answer)[:2000]
    card = _main(client.get(_card(case.pk)))
    for shown in ("Мониторинговое социальное инспектирование", "Нужда сохраняется", "Редакции программы",
                  "Редакция 2", "изменена по итогам промежуточной оценки", "П-40", "Просит продлить сопровождение"):
        assert shown in card, shown
    # Closing with the measure still open is refused: the reason next to the action, nothing typed lost.
    case.refresh_from_db()
    refused = client.post(f"/admin/casework/do/case/{case.pk}/close/", {
        "closed_on": TODAY.isoformat(), "outcome": "resolved", "results": "Итоги сопровождения",
        "recommendations": "Продолжать", "version": case.version})
    assert refused.status_code == 200
    assert 'role="alert"' in refused.content.decode() and "Итоги сопровождения" in refused.content.decode()
    services.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                            reason="Не требуется")
    closed = client.post(f"/admin/casework/do/case/{case.pk}/close/", {
        "closed_on": TODAY.isoformat(), "outcome": "resolved", "results": "Итоги сопровождения",
        "recommendations": "Продолжать", "version": case.version})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    text = _main(client.get(_card(case.pk)))
    steps = text[text.find("Хронология"):]
    for step in ("Проведена промежуточная оценка", "Внесено мониторинговое социальное инспектирование",
                 "Срок продлён коллегиальным решением", "Отказано: сопровождение",
                 "Мероприятие отменено", "Сопровождение завершено"):
        assert step in steps, step
    assert "Тест Coordinator" in steps or "coordinator" in steps.lower()
    assert steps.index("Проведена промежуточная оценка") < steps.index("Сопровождение завершено")


def test_bad_input_is_shown_next_to_the_field_and_kept() -> None:
    world = f.registered_case()
    client, _user = _client("coordinator", world.institution)
    answer = client.post(f"/admin/casework/do/case/{world.case.pk}/measure/", {
        "task": "Помощь юриста", "kind": "legal", "deadline": "32.13.2026", "organisation": "999999"})
    assert answer.status_code == 200
    errors = answer.context["form"].errors
    assert set(errors) >= {"deadline", "organisation"}
    assert "Помощь юриста" in answer.content.decode()
    assert "например 16.12.2026" in answer.content.decode()
    # The date picker is pre-filled in the format it accepts (ISO), not «16.12.2026».
    review_form = client.get(f"/admin/casework/do/case/{world.case.pk}/close/").content.decode()
    assert f'value="{TODAY.isoformat()}"' in review_form
    assert not Measure.objects.filter(case=world.case).exists()


def test_scoping_by_role() -> None:
    mine = f.registered_case()
    other = f.registered_case()
    school = f.organisation(kind="school", code="school-scope")
    _w, measure = f.approved_case_with_measure(partner_org=school, world=mine)
    screens = [_card(mine.case.pk), f"/admin/casework/cases/{mine.case.pk}/programme.pdf",
               f"/admin/casework/persons/{mine.applicant.pk}/"]

    coordinator, _ = _client("coordinator", mine.institution)
    for url in screens:
        assert coordinator.get(url).status_code == 200, url
    assert coordinator.get(_card(other.case.pk)).status_code == 404
    assert coordinator.get(f"/admin/casework/cases/{other.case.pk}/programme.pdf").status_code == 404
    assert coordinator.get(f"/admin/casework/persons/{other.applicant.pk}/").status_code == 404
    listed = _text(coordinator.get("/admin/casework/cases/"))
    assert mine.case.code in listed and other.case.code not in listed

    # An officer of the precinct sees the case; an officer elsewhere does not.
    officer, officer_user = _client("officer", mine.institution)
    mine.precinct.officer = f.officer(username="officer.scope", institution=mine.institution)
    mine.precinct.officer.user = officer_user
    mine.precinct.officer.save()
    mine.precinct.save()
    assert officer.get(_card(mine.case.pk)).status_code == 200
    stranger, _ = _client("officer", other.institution)
    assert stranger.get(_card(mine.case.pk)).status_code == 404

    # A supervisor reads everything and is offered no action.
    supervisor, _ = _client("supervisor")
    page = supervisor.get(_card(mine.case.pk))
    assert page.status_code == 200 and "/admin/casework/do/" not in page.content.decode()
    assert supervisor.post(f"/admin/casework/do/case/{mine.case.pk}/review/", {
        "reviewed_on": TODAY.isoformat(), "findings": "x"}).status_code == 200  # refused by the service
    assert not mine.case.reviews.exists()
    assert {key for key, *_rest in supervisor.get("/admin/casework/").context["panels"]} == {
        "signals", "overdue", "reviews", "terms", "lapsed", "consultations"}

    # An operator registers signals and sees no case.
    operator, _ = _client("operator", mine.institution)
    assert operator.get(_card(mine.case.pk)).status_code == 404
    assert mine.case.code not in _text(operator.get("/admin/casework/cases/"))
    desk = operator.get("/admin/casework/")
    assert desk.status_code == 200
    assert [key for key, *_rest in desk.context["panels"]] == ["my_signals", "consultations"]  # its own signals

    # A partner (no admin access) is told "not found", never shown the case.
    partner, _ = _client("partner", school, admin_access=False)
    for url in [*screens, f"/admin/casework/do/measure/{measure.pk}/cancel/"]:
        answer = partner.get(url)
        assert answer.status_code == 404, (url, answer.status_code)
        assert mine.applicant.last_name not in answer.content.decode()


def test_lists_search_by_surname_address_number_and_filter() -> None:
    world = f.registered_case()
    second = f.registered_case(institution=world.institution, precinct_obj=world.precinct)
    services.update_person(viewer=second.coordinator, person_id=second.applicant.pk, last_name="Кузнецова")
    client, _user = _client("coordinator", world.institution)

    def codes(query: str) -> set[str]:
        page = client.get(f"/admin/casework/cases/?{query}")
        assert page.status_code == 200
        return {case.code for case in page.context["page"].object_list}

    assert codes("q=Кузнецова") == {second.case.code}
    assert codes("q=кузнец") == {second.case.code}
    assert codes(f"q={world.case.code}") == {world.case.code}
    assert codes("q=Ленина") == {world.case.code, second.case.code}
    assert codes("status=closed") == set()
    Case.objects.filter(pk=world.case.pk).update(review_due_on=TODAY - dt.timedelta(days=1),
                                                 status=Case.Status.IN_PROGRESS)
    assert codes("review_due=1") == {world.case.code}
    assert codes("review_due=0") == {second.case.code}
    Case.objects.filter(pk=second.case.pk).update(ends_on=TODAY + dt.timedelta(days=10))
    assert codes("term_ending=1") == {second.case.code}
    assert codes(f"precinct={world.precinct.pk}&institution={world.institution.pk}") == {world.case.code,
                                                                                          second.case.code}
    assert codes("status=nonsense&overdue=maybe") == {world.case.code, second.case.code}  # bad filter: ignored
    caption = _text(client.get("/admin/casework/cases/"))
    assert re.search(r"Показаны 1–2 из 2 дел\b", caption)
    persons = client.get("/admin/casework/persons/?q=Кузнецова")
    assert [p.pk for p in persons.context["page"].object_list] == [second.applicant.pk]
    assert "1 гражданин" in _text(persons)


def test_plural_captions() -> None:
    from django.utils import translation

    from portal.casework.cards.lists import count_of, shown_of

    with translation.override("ru"):
        assert [count_of("case", n) for n in (1, 2, 5, 21, 69, 111)] == [
            "1 дело", "2 дела", "5 дел", "21 дело", "69 дел", "111 дел"]
        assert [count_of("person", n) for n in (1, 3, 222, 11)] == [
            "1 гражданин", "3 гражданина", "222 гражданина", "11 граждан"]
        assert [shown_of("case", 1, 25, n) for n in (69, 21, 3)] == [
            "Показаны 1–25 из 69 дел", "Показаны 1–25 из 21 дела", "Показаны 1–25 из 3 дел"]


def test_dashboard_per_role_and_its_search() -> None:
    school = f.organisation(kind="school", code="school-dash")
    world, late = f.approved_case_with_measure(partner_org=school)
    Measure.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=2))
    Case.objects.filter(pk=world.case.pk).update(review_due_on=TODAY + dt.timedelta(days=5),
                                                 ends_on=TODAY + dt.timedelta(days=20))
    services.receive_signal(viewer=Viewer.system("t"), source=Signal.Source.SCHOOL, summary="Ребёнок пропускает",
                            institution_id=world.institution.pk)
    client, _user = _client("coordinator", world.institution)
    page = client.get("/admin/casework/")
    assert page.status_code == 200
    panels = {key: (total, rows) for key, _t, total, rows in page.context["panels"]}
    assert panels["overdue"][0] == 1 and panels["reviews"][0] == 1 and panels["terms"][0] == 1
    assert panels["signals"][0] >= 1 and panels["consultations"][0] == 0
    found = client.get(page.context["request"].path + "cases/", {"q": "Смирнова"})
    assert found.status_code == 200 and world.case.code in _text(found)
    assert "нет доступа" not in _text(found).lower()
    other = f.registered_case()
    stranger, _ = _client("coordinator", other.institution)
    assert stranger.get("/admin/casework/").context["panels"][1][2] == 0  # no overdue measures of others


def test_pdf_documents_are_printed_from_the_data_and_audited() -> None:
    school = f.organisation(kind="school", code="school-pdf")
    world, _measure = f.approved_case_with_measure(partner_org=school)
    client, user = _client("coordinator", world.institution)
    answer = client.get(f"/admin/casework/cases/{world.case.pk}/programme.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    content = answer.content
    assert content.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b(?!s)", content)) >= 1
    read = AuditEvent.objects.get(verb="case.programme.print")
    assert (read.action, read.object_type, read.object_id) == ("read", "cases.person", str(world.applicant.pk))
    assert read.actor_subject == f"sub-{user.username}"
    # The inspection act: only for a signal that has one.
    assert client.get("/admin/casework/signals/999999/act.pdf").status_code == 404


def test_programme_pdf_has_the_six_sections_and_signatures() -> None:
    from portal.casework.documents import _extensions, programme_pdf

    school = f.organisation(kind="school", code="school-form")
    world, _measure = f.approved_case_with_measure(
        partner_org=school, world=f.registered_case(registered_on=TODAY - dt.timedelta(days=170)))
    case = Case.objects.get(pk=world.case.pk)
    services.record_monitoring_inspection(viewer=world.coordinator, case_id=case.pk, inspected_on=TODAY,
                                          findings="Нужда сохраняется")
    services.extend_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                         ends_on=case.ends_on + dt.timedelta(days=31), decided_on=TODAY, protocol_number="П-9",
                         participants="Консилиум", wish_on=TODAY, wish="Просит продлить")
    case.refresh_from_db()
    extensions = _extensions(case)
    assert len(extensions) == 1 and extensions[0][1] == case.ends_on and extensions[0][2].protocol_number == "П-9"
    content = programme_pdf(case, extensions=extensions)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for section in ("1. Сведения о гражданине", "2. Информация об обращении", "3. Перечень мероприятий",
                    "4. Срок социального сопровождения", "продление", "5. Результаты", "6. Рекомендации",
                    "Директор комплексного центра", "Специалист по социальному", "Гражданин", "Смирнова О. И.",
                    "Консультация педагога-психолога", "Смирнова Ольга Ивановна"):
        assert section in text, section
    assert "None" not in text


def _pdf_text(content: bytes) -> str:
    """Text of a PDF for the checks: pypdf when installed (CI), else ReportLab's uncompressed rebuild."""
    import io

    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_signal_time_is_the_same_in_list_and_page() -> None:
    world = f.registered_case()
    received = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)  # 10:00 in Yekaterinburg
    signal = services.receive_signal(viewer=Viewer.system("t"), source=Signal.Source.POLICE, summary="Шум",
                                     received_at=received, institution_id=world.institution.pk)
    client, _user = _client("coordinator", world.institution)
    listing = client.get("/admin/casework/signals/")
    assert "30.11.2026 10:00" in _text(listing)
    [row] = listing.context["page"].object_list
    page = client.get(row.url, follow=True)
    assert page.status_code == 200 and "10:00" in _text(page) and "05:00" not in _text(page)
    assert signal.pk == row.pk



def test_inspection_act_pdf_from_the_data_scoped_and_audited() -> None:
    from decimal import Decimal

    from portal.cases.models import InspectionAct

    world = f.registered_case()
    signal = services.receive_signal(viewer=Viewer.system("t"), source=Signal.Source.SCHOOL,
                                     summary="Ребёнок пропускает занятия", address="г. Заречный, ул. Ленина, д. 5",
                                     institution_id=world.institution.pk)
    InspectionAct.objects.create(
        signal=signal, inspected_on=TODAY, inspector="Иванова М. С.", family_categories=["large_family"],
        members="Смирнова О. И., мать; Смирнов П. П., сын", housing="Двухкомнатная квартира, требуется ремонт",
        psychological_climate="Напряжённый", income_per_person=Decimal("9500.00"),
        subsistence_minimum=Decimal("16400.00"), need_indicators=["below_subsistence", "housing_repair"],
        recommended_level="intensive", support_form="at_home", help_kinds=["material", "legal"],
        conclusion="Семья нуждается в социальном сопровождении")
    client, _user = _client("coordinator", world.institution)
    answer = client.get(f"/admin/casework/signals/{signal.pk}/act.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = _pdf_text(answer.content)
    for shown in ("Акт обследования материально-бытовых условий семьи", "Иванова М. С.", "многодетная семья",
                  "9 500,00", "ниже прожиточного минимума", "ремонт жилья", "Интенсивный".lower(),
                  "Семья нуждается в социальном сопровождении", "Члены комиссии"):
        assert shown.lower() in text.lower(), shown
    assert AuditEvent.objects.filter(verb="signal.act.print", object_id=str(signal.pk), action="read").count() == 1
    other = f.registered_case()
    stranger, _ = _client("coordinator", other.institution)
    assert stranger.get(f"/admin/casework/signals/{signal.pk}/act.pdf").status_code == 404
    assert AuditEvent.objects.filter(verb="signal.act.print").count() == 1
