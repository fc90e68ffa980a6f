"""Officer finder, server-side (no JavaScript): found, needs house, not found, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from cms.finder import find_officer
from tests.cms.conftest import _street

pytestmark = pytest.mark.django_db

FINDER = "/officer/"


def _get(client, address: str) -> str:
    response = client.get(FINDER, {"address": address})
    assert response.status_code == 200
    return response.content.decode()


def test_found_with_typo_and_abbreviations(client, site_tree, territory: Any) -> None:
    body = _get(client, "г Заречный, ул Ленена д 5")
    assert 'class="officer-card"' in body
    assert "Иванова Мария Петровна" in body
    assert "+7 (342) 200-11-01" in body and "ivanova@zarechny.example" in body
    assert "пн, ср 9:00–13:00" in body and "каб. 5" in body
    assert "№ 1" in body and "Ленинский район г. Заречный" in body
    assert "Петров Сергей" not in body


def test_house_number_decides_the_precinct_of_a_split_street(client, site_tree, territory: Any) -> None:
    body = _get(client, "г. Заречный, улица Ленина, дом 51")
    assert "Петров Сергей Иванович" in body and "Иванова" not in body


def test_split_street_without_house_asks_for_the_number(client, site_tree, territory: Any) -> None:
    body = _get(client, "г. Заречный, ул. Ленина")
    assert 'class="officer-card"' not in body
    assert "несколько участков" in body  # "served by several precincts" in Russian
    # The houses of each precinct are listed.
    assert "1–49" in body and "50 и выше" in body


def test_not_found_shows_nearest_streets(client, site_tree, territory: Any) -> None:
    body = _get(client, "г. Заречный, ул. Гагрн, 3")
    assert 'class="officer-card"' not in body
    assert "Did you mean" not in body and "Возможно, вы имели в виду" in body
    assert "Гагарина" in body
    assert "?address=" in body  # suggestions are links that work without JavaScript


def test_unknown_street_gives_a_clear_message(client, site_tree, territory: Any) -> None:
    body = _get(client, "г. Заречный, ул. Шоколадная, 3")
    assert "Не удалось найти этот адрес" in body


def test_house_outside_every_range(client, site_tree, territory: Any) -> None:
    from portal.territory.models import AddressRange

    # A gap between the two precincts of a split street: houses 50–59 belong to none.
    AddressRange.objects.filter(street=territory.lenina, precinct=territory.precinct_2).update(house_from=60)
    body = _get(client, "г. Заречный, ул. Ленина, 55")
    assert 'class="officer-card"' not in body
    assert "Дом 55" in body and "не относится ни к одному участку" in body
    assert "60 и выше" in body  # the precincts' house ranges are shown


def test_precinct_without_officer_says_so(client, site_tree, territory: Any) -> None:
    body = _get(client, "Заречный, Лесная 4")
    assert 'class="officer-card"' not in body
    assert "№ 3" in body and "горячую линию" in body


@pytest.mark.parametrize("address", ["", "  ", "ул", "12345", "д. 5", "\x00\x01", "ул. " + "Я" * 5000,
                                     "'; DROP TABLE cms_homepage; --", "<script>alert(1)</script>"])
def test_bad_input_gives_a_message_never_a_500(client, site_tree, territory: Any, address: str) -> None:
    response = client.get(FINDER, {"address": address})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="officer-card"' not in body
    assert "<script>alert(1)</script>" not in body
    assert 'class="notice' in body


def test_empty_form_shows_no_result(client, site_tree) -> None:
    body = client.get(FINDER).content.decode()
    assert 'name="address"' in body and '<label for="finder-address">' in body
    assert "notice" not in body.split('id="finder-result"')[1].split("</section>")[0]


def test_finder_failure_is_a_message(client, site_tree, monkeypatch: pytest.MonkeyPatch) -> None:
    import portal.territory.selectors as selectors

    def broken(address: str, **kwargs: object) -> None:
        raise RuntimeError("database is gone")

    monkeypatch.setattr(selectors, "find_officer", broken)
    body = _get(client, "г. Заречный, ул. Ленина, 5")
    assert "временно недоступен" in body


def test_same_name_in_two_settlements_asks_to_choose(client, site_tree, territory: Any) -> None:
    from portal.territory.models import AddressRange

    berezovka = _street(territory.district, "Берёзовка", "ул", "Гагарина")
    AddressRange.objects.create(street=berezovka, precinct=territory.precinct_2)
    body = _get(client, "ул. Гагарина, 10")
    assert 'class="officer-card"' not in body and 'data-status="ambiguous"' in body
    assert "Выберите свою улицу" in body
    # Each choice is a link that works without JavaScript and keeps the house number.
    assert "?address=%D0%B3.%20%D0%97%D0%B0%D1%80%D0%B5%D1%87%D0%BD%D1%8B%D0%B9" in body  # «г. Заречный»
    assert "%D0%B4.%2010" in body  # «д. 10»
    assert "Петров Сергей Иванович" in _get(client, "Берёзовка, ул. Гагарина, 10")


@pytest.mark.parametrize("house", ["15000", "0", "-5"])
def test_house_not_served_shows_the_ranges(client, site_tree, territory: Any, house: str) -> None:
    from portal.territory.models import AddressRange

    AddressRange.objects.filter(street=territory.lenina, precinct=territory.precinct_2).update(house_to=300)
    body = _get(client, f"г. Заречный, ул. Ленина, {house}")
    assert 'class="officer-card"' not in body and 'data-status="not_served"' in body
    assert "1–49" in body and "50–300" in body and "горячую линию" in body


def test_input_limit_of_the_page_is_the_domain_limit(client, site_tree) -> None:
    from portal.territory.selectors import MAX_ADDRESS_LENGTH

    assert f'maxlength="{MAX_ADDRESS_LENGTH}"' in client.get(FINDER).content.decode()


def test_finder_in_english(client, site_tree, territory: Any) -> None:
    client.cookies["django_language"] = "en"
    body = _get(client, "г. Заречный, ул. Ленина")
    assert '<html lang="en">' in body
    assert "served by several precincts" in body


def test_find_officer_answer_has_only_public_fields(territory: Any) -> None:
    answer = find_officer("Заречный, Гагарина 10")
    assert answer.status == "found" and answer.card is not None
    assert set(answer.card.__dict__) == {
        "full_name", "photo_url", "initials", "phone", "email", "office_address", "office_hours",
        "precinct_number", "precinct_name", "district_name",
    }


def test_officer_json_endpoint(client, territory: Any) -> None:
    data = client.get("/cms/api/officer", {"address": "г Заречный, ул Ленена д 5"}).json()
    assert data["status"] == "found" and data["officer"]["full_name"] == "Иванова Мария Петровна"
    data = client.get("/cms/api/officer", {"address": ""}).json()
    assert data["status"] == "invalid" and data["message"]
    data = client.get("/cms/api/officer", {"address": "г. Заречный, ул. Ленина"}).json()
    assert data["status"] == "needs_house" and [r["houses"] for r in data["ranges"]] == ["1–49", "50 и выше"]


def test_generic_precinct_name_is_not_repeated(territory: Any) -> None:
    territory.precinct_1.name = "Участок № 1"
    territory.precinct_1.save()
    answer = find_officer("Заречный, Гагарина 10")
    assert answer.card is not None and answer.card.precinct_number == 1
    assert answer.card.precinct_name == ""
    territory.precinct_1.name = "Центр"
    territory.precinct_1.save()
    assert find_officer("Заречный, Гагарина 10").card.precinct_name == "Центр"


@pytest.mark.parametrize("params", [{"address": "\x00"}, {"address": "Ленина\x00 5"}, {"address": "\x00" * 500},
                                    {"address": ["a", "b"]}])
def test_control_characters_and_odd_input_never_break_the_finder(client, site_tree, territory: Any,
                                                                 params: dict[str, Any]) -> None:
    page = client.get(FINDER, params)
    assert page.status_code == 200 and "\x00" not in page.content.decode()
    for path, name in (("/cms/api/officer", "address"), ("/cms/api/streets", "q")):
        response = client.get(path, {name: params["address"]})
        assert response.status_code == 200 and "\x00" not in response.json()["query"]
