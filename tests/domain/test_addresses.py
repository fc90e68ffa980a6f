from __future__ import annotations

import pytest

from portal.territory.addresses import levenshtein, normalise_address


@pytest.mark.parametrize(
    ("text", "settlement", "kind", "street", "house", "suffix"),
    [
        ("г. Заречный, ул. Ленина, д. 5", "заречный", "ул", "ленина", 5, ""),
        ("г Заречный улица Ленина дом 5 корпус 2", "заречный", "ул", "ленина", 5, "к2"),
        ("ул.Гагарина,д.15,кв.4", "", "ул", "гагарина", 15, ""),
        ("Ленина ул, 12", "", "ул", "ленина", 12, ""),
        ("проспект Мира 30", "", "пр-т", "мира", 30, ""),
        ("пр-т Мира, д. 30, стр. 1", "", "пр-т", "мира", 30, "стр1"),
        ("с. Берёзовка, ул. Советская, д.3", "березовка", "ул", "советская", 3, ""),
        ("д. Ивановка, ул. Лесная 7", "ивановка", "ул", "лесная", 7, ""),
        ("ул 8 Марта 10", "", "ул", "8 марта", 10, ""),
        ("Заречный, Ленина, 5", "заречный", "", "ленина", 5, ""),
        ("ул. Ленина, 5, Заречный", "заречный", "ул", "ленина", 5, ""),
        ("Пермский край, г. Заречный, бульвар Гагарина, 5А", "заречный", "б-р", "гагарина", 5, "а"),
        ("  ПЕР.   ЗЕЛЁНЫЙ   ,  Д.  7 ", "", "пер", "зеленый", 7, ""),
        ("Заречный г, Мира пр, 1", "заречный", "пр-т", "мира", 1, ""),
    ],
)
def test_normalise_address(text: str, settlement: str, kind: str, street: str, house: int, suffix: str) -> None:
    address = normalise_address(text)
    assert (address.settlement, address.street_kind, address.street, address.house, address.house_suffix) == (
        settlement, kind, street, house, suffix)


def test_empty_and_garbage_input_is_empty() -> None:
    assert normalise_address("").is_empty
    assert normalise_address(" ,.;! ").is_empty


def test_levenshtein() -> None:
    assert levenshtein("ленина", "ленена") == 1
    assert levenshtein("гагарина", "гагарин") == 1
    assert levenshtein("мира", "ленина", limit=2) > 2


@pytest.mark.parametrize(
    ("text", "kind", "street"),
    [("ул. Набережная, 5", "ул", "набережная"), ("проезд Набережная д 114", "проезд", "набережная"),
     ("Набережная 5", "", "набережная"), ("наб. Камская, 3", "наб", "камская")],
)
def test_street_named_like_a_street_type(text: str, kind: str, street: str) -> None:
    address = normalise_address(text)
    assert (address.street_kind, address.street) == (kind, street)
