"""Detection and masking of phones, e-mail and street addresses before publication."""

from __future__ import annotations

import pytest

from portal.core import personal_data
from portal.core.personal_data import Kind


@pytest.mark.parametrize("phone", [
    "+7 (912) 345-67-89", "8-912-345-67-89", "89123456789", "+79123456789", "8 (342) 200 10 10",
    "(342) 200-10-10", "912 345 67 89", "200-10-10", "22-33-44",
])
def test_phone_numbers_are_masked(phone: str) -> None:
    result = personal_data.mask(f"Звоните по номеру {phone} вечером")
    digits = "".join(ch for ch in phone if ch.isdigit())
    assert digits not in "".join(ch for ch in result.text if ch.isdigit())
    assert result.found == {Kind.PHONE: 1}
    assert result.text.startswith("Звоните по номеру ") and result.text.endswith(" вечером")


@pytest.mark.parametrize("text", ["тел. 223344", "телефон: 5-55-55"])
def test_short_numbers_after_a_phone_word_are_masked(text: str) -> None:
    assert personal_data.mask(text).found.get(Kind.PHONE) == 1


@pytest.mark.parametrize("email", ["ivan.petrov@mail.ru", "a+b@example.org", "почта@пример.рф"])
def test_email_addresses_are_masked(email: str) -> None:
    result = personal_data.mask(f"Пишите на {email}, спасибо")
    assert email not in result.text
    assert result.found == {Kind.EMAIL: 1}


@pytest.mark.parametrize("address, leaked", [
    ("ул. Ленина, д. 12, кв. 5", ["Ленина", "12", "5"]),
    ("улица Гагарина 15", ["Гагарина", "15"]),
    ("пр-т Мира 30-12", ["Мира", "30", "12"]),
    ("переулок Тихий, дом 4", ["Тихий", "4"]),
    ("ул Кирова дом 5 корпус 2 квартира 17", ["Кирова", "17"]),
    ("на улице Мира 30", ["Мира", "30"]),
    ("дом 7, квартира 12", ["7", "12"]),
])
def test_street_addresses_are_masked(address: str, leaked: list[str]) -> None:
    result = personal_data.mask(f"Живу: {address}. Помогите")
    assert Kind.ADDRESS in result.found
    for piece in leaked:
        assert piece not in result.text.replace("Живу:", "").replace("Помогите", "")


@pytest.mark.parametrize("text", [
    "Как оформить пособие на ребёнка до 3 лет в 2024 году?",
    "Мне положена выплата 150 000 рублей? У нас 7 детей.",
    "Куда обратиться за помощью в г. Заречный?",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    result = personal_data.mask(text)
    assert result.text == text
    assert not result.changed


def test_all_kinds_in_one_text_are_masked_in_place() -> None:
    text = "Я Анна, тел. +7 912 345-67-89, e-mail anna@example.org, адрес ул. Ленина, д. 5."
    result = personal_data.mask(text)
    assert result.found == {Kind.PHONE: 1, Kind.EMAIL: 1, Kind.ADDRESS: 1}
    assert result.text.startswith("Я Анна, ")
    assert "345" not in result.text and "anna@" not in result.text and "Ленина" not in result.text


def test_placeholders_are_in_the_default_language() -> None:
    assert personal_data.mask("8-912-345-67-89").text == "[телефон скрыт]"


# --- Real spellings without a street-type word, and what must stay readable ------------------------

@pytest.mark.parametrize("text, leaked, kept", [
    ("Живём: Ленина 5 кв 3, помогите", ["Ленина", "5", "кв 3"], ["Живём:", "помогите"]),
    ("Ленина, 5, кв. 3", ["Ленина", "кв."], []),
    ("Ленина д 5 кв 3", ["Ленина", "кв 3"], []),
    ("Ленина, дом 5 кв 3", ["Ленина", "дом 5"], []),
    ("Ленина д. 5", ["Ленина", "д. 5"], []),
    ("Ленина 5, корп. 2, кв. 3", ["Ленина", "корп"], []),
    ("Карла Маркса 10 кв 5", ["Маркса", "10"], []),
    ("Мира 30, оф. 2", ["Мира", "30"], []),
    ("г. Заречный, Ленина 5", ["Ленина", "5"], ["г. Заречный,"]),
    ("г Заречный, Ленина, 5", ["Ленина", "5"], ["г Заречный,"]),
    ("с. Берёзовка, Лесная 4", ["Лесная", "4"], ["с. Берёзовка,"]),
    ("пос. Новый, 8 Марта 12", ["Марта", "12"], []),
    ("живу на Ленина 5-3", ["Ленина", "5-3"], ["живу на"]),
    ("проживаю по адресу Ленина 5", ["Ленина", "5"], ["проживаю по адресу"]),
    ("адрес: Советская 12", ["Советская", "12"], ["адрес:"]),
    ("д 5 кв 3", ["5", "3"], []),
    ("у нас кв 3", ["кв 3"], ["у нас"]),
    ("кв3", ["кв3"], []),
    ("кв.12", ["12"], []),
    ("Кв. 7", ["7"], []),
    ("ул Ленина 5 кв 3", ["Ленина", "5"], []),
    ("ул.Ленина,5", ["Ленина"], []),
    ("ул. ленина 5", ["ленина"], []),
    ("ул. 1-я Садовая 5", ["Садовая"], []),
])
def test_addresses_without_street_words_are_masked(text: str, leaked: list[str], kept: list[str]) -> None:
    result = personal_data.mask(text)
    assert result.found.get(Kind.ADDRESS, 0) >= 1, result.text
    for piece in leaked:
        assert piece not in result.text, result.text
    for piece in kept:
        assert piece in result.text, result.text


@pytest.mark.parametrize("text", [
    "5 лет", "2 ребёнка", "Мне 35 лет", "У нас 7 детей", "150 000 рублей", "Пособие 5 тысяч",
    "Живу в Заречном 5 лет", "Живу одна 3 года", "живу на пенсии 10 лет", "Живу с 2019 года",
    "г. Заречный, 2 ребёнка", "г. Заречный, Мне 35 лет", "в г. Заречный, Ленинский район",
    "Ленинский район, 3 семьи", "Площадь 50 кв. м", "площадь квартиры 50 кв. м", "за 2 кв. 2024 года",
    "ФЗ-442, ст. 22", "Статья 22 пункт 3", "Приказ № 5", "с 1 января 2024 г.", "Адрес МФЦ знаю",
    "Бесплатный проезд в автобусе", "Положен ли проезд детям?", "проезд детям 2 раза", "на улице холодно",
    "зашли в тупик с документами", "выйти на площадь", "в посёлке нет школы", "и пр. документы",
    "Живём в Берёзовке, Анна 5 лет",
])
def test_ordinary_numbers_and_words_are_not_masked(text: str) -> None:
    result = personal_data.mask(text)
    assert result.text == text and not result.changed


def test_overlapping_address_matches_are_masked_as_one() -> None:
    result = personal_data.mask("Адрес: пос. Новый, 8 Марта 12, кв. 4.")
    assert result.found == {Kind.ADDRESS: 1}
    assert "Марта" not in result.text and "12" not in result.text
