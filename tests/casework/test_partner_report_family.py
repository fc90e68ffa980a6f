"""«Сообщить о семье» in the partner workspace (issue 14, item 1): a partner reports a family, the signal goes to
the institution serving the address with the partner as its source; a second report about the same family is
added to the first instead of duplicating it; bad input answered next to the field with everything kept; staff and
anonymous visitors are turned away."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from portal.accounts.models import StaffProfile
from portal.accounts.selectors import viewer_for_user
from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases.models import Signal
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
URL = "/workspace/report-family/"


def _client(role: str, organisation: Any) -> tuple[Client, User]:
    user = User.objects.create_user(f"{role}-{User.objects.count()}", password="x", first_name="Ольга",
                                    last_name="Смирнова")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{user.username}")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    return client, user


@pytest.fixture
def town() -> dict[str, Any]:
    district = f.district(name="Ленинский район")
    institution = f.organisation(kind="social_service", code="kcson-r", name="КЦСОН г. Заречный",
                                 district_obj=district)
    precinct = f.precinct(district_obj=district, number=1, officer=f.officer(institution=institution))
    f.address_range(street_obj=f.street(district_obj=district, name="Ленина"), precinct_obj=precinct)
    school = f.organisation(kind="school", code="school-r", name="СОШ № 7", district_obj=district)
    return {"institution": institution, "school": school, "precinct": precinct}


REPORT = {"address": "г. Заречный, ул. Ленина, д. 5, кв. 12", "urgency": "urgent",
          "summary": "Ученик 5 класса третью неделю приходит без завтрака и тёплой одежды",
          "need_circumstances": ["below_subsistence"], "reporter": "Завуч Петрова И. С., +7 342 200-07-07"}


def test_partner_reports_a_family_and_a_second_report_is_added_to_the_first(town: dict[str, Any]) -> None:
    client, user = _client("partner", town["school"])
    page = client.get(URL)
    assert page.status_code == 200 and "Сообщить о семье" in page.content.decode()
    assert 'value="Ольга Смирнова"' in page.content.decode()  # the contact person pre-filled
    assert "/workspace/report-family/" in client.get("/workspace/").content.decode()  # linked from «Мои мероприятия»
    bad = client.post(URL, {**REPORT, "summary": "  ", "urgency": "soon"})
    assert bad.status_code == 400 and not Signal.objects.exists()
    html = bad.content.decode()
    assert re.search(r'name="summary".*?Требуется заполнить', html, re.S)
    assert "Выберите корректный вариант" in html
    assert 'value="г. Заречный, ул. Ленина, д. 5, кв. 12"' in html and "Завуч Петрова И. С." in html
    sent = client.post(URL, REPORT)
    assert sent.status_code == 302
    signal = Signal.objects.get()
    assert (signal.source, signal.reporter_organisation_id, signal.institution_id, signal.precinct_id) == (
        "school", town["school"].pk, town["institution"].pk, town["precinct"].pk)
    assert "передано в учреждение «КЦСОН г. Заречный»" in client.get(URL).content.decode()
    coordinator = f.coordinator(town["institution"])
    assert signal in selectors.signals_for(coordinator)
    again = client.post(URL, {**REPORT, "summary": "Мать не пришла на собрание, ребёнок говорит, что дома нет еды",
                              "address": "Заречный, Ленина 5 кв 12"})
    assert again.status_code == 200 and Signal.objects.count() == 1
    assert f'name="repeat_of" value="{signal.pk}"' in again.content.decode()
    assert "дома нет еды" in again.content.decode()
    added = client.post(URL, {**REPORT, "summary": "Мать не пришла на собрание", "repeat_of": str(signal.pk),
                              "address": "Заречный, Ленина 5 кв 12"})
    assert added.status_code == 302
    assert Signal.objects.get(summary="Мать не пришла на собрание").repeat_of_id == signal.pk
    assert list(selectors.signals_for(viewer_for_user(user)).order_by("pk")) == list(Signal.objects.order_by("pk"))
    assert AuditEvent.objects.filter(verb="signal.register").count() == 2


def test_staff_and_anonymous_are_turned_away(town: dict[str, Any]) -> None:
    coordinator, _user = _client("coordinator", town["institution"])
    refused = coordinator.get(URL)
    assert refused.status_code == 403 and "сотрудники регистрируют сигналы" in refused.content.decode()
    assert Client().get(URL).status_code == 302
