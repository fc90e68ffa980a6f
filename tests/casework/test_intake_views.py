"""Intake screens in the Wagtail admin (issue 14, items 1–5): scoped by role, in Russian, every bad input answered
next to its field with everything typed kept, every refusal next to its action, dates pre-filled as the field
accepts them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.cases import services
from portal.cases.models import Application, Case, CollegialDecision, Household, InspectionAct, Measure, Person, Signal
from portal.cases.services import intake
from portal.partners.models import Organisation
from portal.territory.models import Officer
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
BASE = "/admin/casework"


def _client(role: str, organisation: Organisation | None, *, officer: Officer | None = None,
            admin_access: bool = True) -> tuple[Client, User]:
    user = User.objects.create_user(f"{role}-{User.objects.count()}", password="x", first_name="Тест",
                                    last_name=role.capitalize())
    group, _ = Group.objects.get_or_create(name=role)
    if admin_access:
        group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{user.username}")
    if officer is not None:
        officer.user, officer.username = user, user.username
        officer.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    return client, user


def _text(response: Any) -> str:
    html = response.content.decode()
    html = html[html.find("<main"):] if "<main" in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _errors_of(response: Any, field: str) -> str:
    """The error text rendered next to a field (Wagtail's formattedfield puts it in the field's wrapper)."""
    html = response.content.decode()
    match = re.search(rf'<div[^>]+data-field-wrapper[^>]*>(?:(?!data-field-wrapper).)*?name="{field}"'
                      rf'(?:(?!data-field-wrapper).)*', html, re.S)
    assert match is not None, field
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


@pytest.fixture
def town() -> dict[str, Any]:
    district = f.district(name="Ленинский район", kind="urban")
    institution = f.organisation(kind="social_service", code="kcson-z", name="КЦСОН г. Заречный",
                                 district_obj=district)
    officer = f.officer(institution=institution, full_name="Иванова Марина Сергеевна")
    precinct = f.precinct(district_obj=district, number=1, officer=officer)
    f.address_range(street_obj=f.street(district_obj=district, name="Ленина"), precinct_obj=precinct)
    school = f.organisation(kind="school", name="СОШ № 7", district_obj=district)
    ngo = f.organisation(kind="ngo", name="Фонд «Добрые руки»", district_obj=district)
    return {"institution": institution, "officer": officer, "precinct": precinct, "school": school, "ngo": ngo,
            "operator": _client("operator", institution), "officer_client": _client("officer", institution,
                                                                                    officer=officer),
            "coordinator": _client("coordinator", institution), "supervisor": _client("supervisor", None),
            "partner": _client("partner", school, admin_access=False)}


SIGNAL = {"source": "school", "received_at": "", "address": "г. Заречный, ул. Ленина, д. 5, кв. 12",
          "summary": "Ребёнок третью неделю не ходит в школу", "urgency": "routine", "reporter": "Завуч Петрова"}


def test_operator_registers_a_signal_bad_input_is_answered_next_to_the_field(town: dict[str, Any]) -> None:
    client, _user = town["operator"]
    page = client.get(f"{BASE}/signals/new/")
    assert page.status_code == 200
    assert re.search(r"<h1[^>]*>\s*(<[^>]+>\s*)*Регистрация сигнала", page.content.decode())  # names the action
    # The time received is pre-filled in the format of the datetime-local input.
    value = re.search(r'name="received_at"[^>]*value="([^"]+)"', page.content.decode())
    assert value and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value.group(1))
    bad = client.post(f"{BASE}/signals/new/", {**SIGNAL, "source": "", "summary": "", "anonymous": "on",
                                               "received_at": "31.02.2026 10:00"})
    assert bad.status_code == 200
    assert "Требуется заполнить" in _errors_of(bad, "source")
    assert "Требуется заполнить" in _errors_of(bad, "summary")
    assert "Введите правильную дату" in _errors_of(bad, "received_at") or "правильн" in _errors_of(bad, "received_at")
    assert "анонимный" in _errors_of(bad, "reporter")
    html = bad.content.decode()
    assert 'value="г. Заречный, ул. Ленина, д. 5, кв. 12"' in html and 'value="Завуч Петрова"' in html
    good = client.post(f"{BASE}/signals/new/", {**SIGNAL, "received_at": timezone.localtime().strftime(
        "%Y-%m-%dT%H:%M"), "need_circumstances": ["family_conflict"]})
    assert good.status_code == 302
    signal = Signal.objects.get()
    assert good["Location"] == f"{BASE}/signals/{signal.pk}/"
    card = _text(client.get(good["Location"]))
    assert "№ 1, Ленинский район" in card and "конфликты в семье" in card
    assert "Проверка сигнала" not in card  # an operator registers, never checks
    # The same family again within 30 days: a warning with a link and "attach as a repeat"; all typed is kept.
    again = client.post(f"{BASE}/signals/new/", {**SIGNAL, "source": "neighbours", "summary": "Крики ночью",
                                                 "address": "Заречный, Ленина 5 кв 12",
                                                 "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert again.status_code == 200 and Signal.objects.count() == 1
    text = _text(again)
    assert "За последние 30 дней по этому адресу поступил 1 открытый сигнал" in text
    assert f'href="{BASE}/signals/{signal.pk}/"' in again.content.decode()
    assert "Крики ночью" in again.content.decode()
    attached = client.post(f"{BASE}/signals/new/", {**SIGNAL, "source": "neighbours", "summary": "Крики ночью",
                                                    "address": "Заречный, Ленина 5 кв 12",
                                                    "repeat_of": str(signal.pk),
                                                    "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert attached.status_code == 302
    assert Signal.objects.get(summary="Крики ночью").repeat_of_id == signal.pk
    mine = _text(client.get(f"{BASE}/signals/mine/"))
    assert "2 сигнала" in mine and "повторный к №" in mine


def test_operator_sees_no_family_case_or_another_operators_signal(town: dict[str, Any]) -> None:
    client, _user = town["operator"]
    other, _other_user = _client("operator", town["institution"])
    other.post(f"{BASE}/signals/new/", {**SIGNAL, "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    foreign = Signal.objects.get()
    assert client.get(f"{BASE}/signals/{foreign.pk}/").status_code == 404
    world = f.registered_case(institution=town["institution"], precinct_obj=town["precinct"])
    for url in (f"{BASE}/households/new/", f"{BASE}/households/{world.household.pk}/",
                f"{BASE}/cases/{world.case.pk}/programme/", f"{BASE}/signals/{foreign.pk}/act/"):
        assert client.get(url).status_code == 404, url
    partner, _ = town["partner"]
    assert partner.get(f"{BASE}/signals/new/").status_code in (302, 403, 404)


def _registered_signal(town: dict[str, Any]) -> Signal:
    from portal.accounts.selectors import viewer_for_user

    return intake.register_signal(viewer=viewer_for_user(town["operator"][1]), source="school",
                                  summary="Ребёнок третью неделю не ходит в школу", address=SIGNAL["address"])


def test_officer_checks_with_an_act_bad_input_kept_and_refusals_next_to_the_action(town: dict[str, Any]) -> None:
    signal = _registered_signal(town)
    client, _user = town["officer_client"]
    # Confirming before the act: the refusal is shown next to the confirm button.
    refused = client.post(f"{BASE}/signals/{signal.pk}/", {"action": "confirm"})
    assert refused.status_code == 200
    assert "только после обследования" in _text(refused) or "обследован" in _text(refused)
    empty_reason = client.post(f"{BASE}/signals/{signal.pk}/", {"action": "dismiss", "reason": "  "})
    assert "Требуется заполнить" in _errors_of(empty_reason, "reason")
    page = client.get(f"{BASE}/signals/{signal.pk}/act/")
    assert f'value="{TODAY.isoformat()}"' in page.content.decode()  # inspected_on pre-filled as ISO
    act = {"inspected_on": TODAY.isoformat(), "family_categories": ["large_family"],
           "members": "Смирнова О. И., 1990 г. р., мать; Смирнов И., 2012 г. р., сын", "housing": "Квартира",
           "psychological_climate": "Напряжённый", "income_per_person": "-5", "subsistence_minimum": "16400",
           "recommended_level": "intensive", "support_form": "at_home", "help_kinds": ["pedagogical"],
           "conclusion": "Нуждается в сопровождении"}
    bad = client.post(f"{BASE}/signals/{signal.pk}/act/", act)
    assert bad.status_code == 200 and not InspectionAct.objects.exists()
    assert "больше либо равно 0" in _errors_of(bad, "income_per_person")
    assert "Требуется заполнить" in _errors_of(bad, "need_indicators")
    assert "Смирнова О. И., 1990 г. р., мать" in bad.content.decode()
    future = client.post(f"{BASE}/signals/{signal.pk}/act/", {
        **act, "income_per_person": "9500", "need_indicators": ["below_subsistence"],
        "inspected_on": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert "не может быть в будущем" in _errors_of(future, "inspected_on")
    good = client.post(f"{BASE}/signals/{signal.pk}/act/", {**act, "income_per_person": "9500",
                                                            "need_indicators": ["below_subsistence"]})
    assert good.status_code == 302
    card = _text(client.get(f"{BASE}/signals/{signal.pk}/"))
    assert "ниже прожиточного минимума" in card and "Нуждается в сопровождении" in card
    assert client.post(f"{BASE}/signals/{signal.pk}/", {"action": "confirm"}).status_code == 302
    assert Signal.objects.get(pk=signal.pk).status == Signal.Status.CONFIRMED


def test_supervisor_reads_a_signal_and_is_refused_with_the_reason(town: dict[str, Any]) -> None:
    signal = _registered_signal(town)
    client, _user = town["supervisor"]
    page = client.get(f"{BASE}/signals/{signal.pk}/")
    assert page.status_code == 200 and "Проверка сигнала" not in _text(page)
    refused = client.post(f"{BASE}/signals/{signal.pk}/", {"action": "dismiss", "reason": "Нет оснований"})
    assert refused.status_code == 200 and "не можете" in _text(refused).lower()
    assert Signal.objects.get(pk=signal.pk).status == Signal.Status.RECEIVED


def test_coordinator_from_household_to_approved_programme(town: dict[str, Any]) -> None:
    client, _user = town["coordinator"]
    new = client.post(f"{BASE}/households/new/", {"address": SIGNAL["address"], "categories": ["large_family"]})
    household = Household.objects.get()
    assert new.status_code == 302 and new["Location"] == f"{BASE}/households/{household.pk}/"
    dup = client.post(f"{BASE}/households/new/", {"address": "Заречный, Ленина 5, кв. 12"})
    assert dup.status_code == 200 and "уже зарегистрировано" in _text(dup)
    assert f'{BASE}/households/{household.pk}/' in dup.content.decode()
    person = {"last_name": "Смирнова", "first_name": "Ольга", "middle_name": "Ивановна",
              "birth_date": "1990-05-01", "relation": "мать"}
    bad_person = client.post(f"{BASE}/households/{household.pk}/", {**person, "birth_date": "2990-01-01"})
    assert "не может быть в будущем" in _errors_of(bad_person, "birth_date")
    assert 'value="Смирнова"' in bad_person.content.decode()
    assert client.post(f"{BASE}/households/{household.pk}/", person).status_code == 302
    twice = client.post(f"{BASE}/households/{household.pk}/", person)
    assert twice.status_code == 200 and "уже зарегистрирован" in _text(twice)
    client.post(f"{BASE}/households/{household.pk}/", {"last_name": "Смирнов", "first_name": "Илья",
                                                     "birth_date": "2012-03-04", "relation": "сын"})
    mother = Person.objects.get(first_name="Ольга")
    family = _text(client.get(f"{BASE}/households/{household.pk}/"))
    assert "2 человека" in family
    form = client.get(f"{BASE}/households/{household.pk}/application/")
    assert f'value="{TODAY.isoformat()}"' in form.content.decode()
    application = {"person": mother.pk, "received_on": TODAY.isoformat(), "applicant_kind": "legal_representative",
                   "services_requested": ["domestic", "pedagogical"], "help_requested": ["material"]}
    bad = client.post(f"{BASE}/households/{household.pk}/application/", application)
    assert bad.status_code == 200 and not Application.objects.exists()
    assert "Без согласия" in _errors_of(bad, "processing_consent")
    assert "Укажите, кто обращается" in _errors_of(bad, "applicant_name")
    done = client.post(f"{BASE}/households/{household.pk}/application/",
                       {**application, "applicant_kind": "self", "processing_consent": "on"})
    registered = Application.objects.get()
    assert done.status_code == 302 and done["Location"] == f"{BASE}/applications/{registered.pk}/"
    card = _text(client.get(done["Location"]))
    assert f"З-{TODAY.year}-000001" in card and "обработка персональных данных" in card.lower()
    case_page = client.post(done["Location"], {"registered_on": TODAY.isoformat(), "level": "basic"})
    case = Case.objects.get()
    assert case_page.status_code == 302 and case_page["Location"] == f"{BASE}/cases/{case.pk}/programme/"
    programme = f"{BASE}/cases/{case.pk}/programme/"
    # Approval without measures: the refusal is shown next to the approval form.
    decision = {"action": "approve", "body": "interagency_group", "decided_on": TODAY.isoformat(),
                "protocol_number": "МВРГ-7", "participants": "Куратор, школа, фонд", "term_months": "6"}
    refused = client.post(programme, decision)
    assert refused.status_code == 200 and "хотя бы одно мероприятие" in _text(refused)
    assert 'value="МВРГ-7"' in refused.content.decode()
    measure = {"action": "measure", "task": "Занятия с педагогом-психологом", "kind": "pedagogical",
               "deadline": (TODAY + dt.timedelta(days=30)).isoformat(), "organisation": town["school"].pk,
               "place": "СОШ № 7", "responsible_person": "Громова Е. А.", "shared_fields": ["first_name", "district"]}
    bad_measure = client.post(programme, {**measure, "deadline": "", "kind": "magic"})
    assert "Требуется заполнить" in _errors_of(bad_measure, "deadline")
    assert 'value="Занятия с педагогом-психологом"' in bad_measure.content.decode()
    assert client.post(programme, measure).status_code == 302
    assert client.post(programme, {**measure, "task": "Продуктовый набор", "kind": "material",
                                   "organisation": town["ngo"].pk,
                                   "shared_fields": ["first_name", "last_name", "phone", "address"]}
                       ).status_code == 302
    shared = dict(Measure.objects.values_list("task", "shared_fields"))
    assert shared == {"Занятия с педагогом-психологом": ["first_name", "district"],
                      "Продуктовый набор": ["first_name", "last_name", "phone", "address"]}
    approved = client.post(programme, decision)
    assert approved.status_code == 302
    assert Case.objects.get().status == Case.Status.PROGRAMME_APPROVED
    assert CollegialDecision.objects.get().body == "interagency_group"
    assert services  # the programme page only presents what the services did
