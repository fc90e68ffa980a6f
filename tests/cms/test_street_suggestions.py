"""Street suggestions for the officer finder: the territory index (any name word by prefix, typos after three
letters), the same streets the finder reads back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cms.conftest import _street

pytestmark = pytest.mark.django_db

URL = "/cms/api/streets"


def test_prefix_suggestions(client, territory: Any) -> None:
    response = client.get(URL, {"q": "лен"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "лен"
    assert [item["label"] for item in data["results"]] == ["г. Заречный, улица Ленина"]
    item = data["results"][0]
    assert item["id"] == str(territory.lenina.pk)
    assert item["district"] == "Ленинский район г. Заречный"
    assert item["value"] == "г. Заречный, улица Ленина"


def test_typo_after_three_letters(client, territory: Any) -> None:
    data = client.get(URL, {"q": "гогар"}).json()
    assert [item["label"] for item in data["results"]] == ["г. Заречный, улица Гагарина"]


def test_settlement_and_type_narrow_the_list(client, territory: Any) -> None:
    from portal.territory.models import AddressRange

    other = _street(territory.district, "Берёзовка", "пр-т", "Гагарина")
    AddressRange.objects.create(street=other, precinct=territory.precinct_3)
    labels = {item["label"] for item in client.get(URL, {"q": "гага"}).json()["results"]}
    assert labels == {"г. Заречный, улица Гагарина", "г. Берёзовка, проспект Гагарина"}
    assert [item["id"] for item in client.get(URL, {"q": "Берёзовка, гага"}).json()["results"]] == [str(other.pk)]
    assert [item["id"] for item in client.get(URL, {"q": "ул. гага"}).json()["results"]] == [
        str(territory.gagarina.pk)]


def test_numbered_street_by_any_word(client, territory: Any) -> None:
    from portal.territory.models import AddressRange

    street = _street(territory.district, "Заречный", "ул", "8 Марта")
    AddressRange.objects.create(street=street, precinct=territory.precinct_1)
    assert [item["id"] for item in client.get(URL, {"q": "мар"}).json()["results"]] == [str(street.pk)]
    assert [item["id"] for item in client.get(URL, {"q": "8 мар"}).json()["results"]] == [str(street.pk)]


@pytest.mark.parametrize("query", ["", "л", " ", "\x00"])
def test_too_short_queries_return_nothing(client, territory: Any, query: str) -> None:
    data = client.get(URL, {"q": query}).json()
    assert data["results"] == []


@pytest.mark.parametrize("params", [{"q": "лен", "limit": "abc"}, {"q": "лен", "limit": "-3"},
                                    {"q": "лен" * 200}, {}])
def test_odd_parameters_never_fail(client, territory: Any, params: dict[str, str]) -> None:
    response = client.get(URL, params)
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 10


def test_only_get(client) -> None:
    assert client.post(URL, {"q": "лен"}).status_code == 405


@pytest.mark.parametrize("typed", ["лен", "гаг", "мир", "лес"])
def test_a_chosen_suggestion_plus_house_number_finds_the_precinct(client, territory: Any, typed: str) -> None:
    """The value put into the field must be read back by the address reader."""
    from cms.finder import find_officer

    results = client.get(URL, {"q": typed}).json()["results"]
    assert len(results) == 1
    answer = find_officer(f"{results[0]['value']}, д. 7")
    assert answer.status == "found", answer
    assert answer.street == results[0]["label"]
