"""The address tokenizer: markers, numbers and noise; names are left to the territory index."""

from __future__ import annotations

import pytest

from portal.territory.addresses import fuzzy_marker, levenshtein, name_key, parse_address, stem_key, tokenize


def _shape(text: str) -> list[tuple[str, str]]:
    """(kind, text) of the tokens kept, numbers as value+letter, without commas."""
    shape = []
    for token in parse_address(text).tokens:
        if token.kind == "sep":
            continue
        if token.kind == "num":
            shape.append(("num", f"{token.value}{token.letter}"))
        else:
            shape.append((token.kind, token.text))
    return shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("г. Заречный, ул. Ленина, д. 5",
         [("settlement_type", "г"), ("word", "заречный"), ("street_type", "ул"), ("word", "ленина"), ("num", "5")]),
        ("Металлистов ул. 134", [("word", "металлистов"), ("street_type", "ул"), ("num", "134")]),
        ("ул.Гагарина,д.15,кв.4", [("street_type", "ул"), ("word", "гагарина"), ("num", "15")]),
        ("пр-т Мира, д. 30, стр. 1", [("street_type", "пр-т"), ("word", "мира"), ("num", "30")]),
        ("просп. Мира 30", [("street_type", "пр-т"), ("word", "мира"), ("num", "30")]),
        ("б-р Гагарина 5к1", [("street_type", "б-р"), ("word", "гагарина"), ("num", "5")]),
        ("Ленина 5 корп. 1", [("word", "ленина"), ("num", "5")]),
        ("Ленина 5 а", [("word", "ленина"), ("num", "5а")]),
        ("Ленина 5-а", [("word", "ленина"), ("num", "5а")]),
        ("Ленина 5/2", [("word", "ленина"), ("num", "5")]),
        ("Ленина, дом 5, офис 3", [("word", "ленина"), ("num", "5")]),
        ("Ленина, -5", [("word", "ленина"), ("num", "-5")]),
        ("Ленина, −5", [("word", "ленина"), ("num", "-5")]),
        ("614000, Пермский край, Заречный", [("word", "заречный")]),
        ("Ленинский р-н, пер. Зелёный, 7", [("street_type", "пер"), ("word", "зеленый"), ("num", "7")]),
        ("д. Ивановка, проезд Чкалова 35",
         [("settlement_type", "д"), ("word", "ивановка"), ("street_type", "проезд"), ("word", "чкалова"),
          ("num", "35")]),
        ("ул 8 Марта 10", [("street_type", "ул"), ("num", "8"), ("word", "марта"), ("num", "10")]),
        ("1-я Заречная, 4", [("num", "1"), ("word", "заречная"), ("num", "4")]),
        ("Россия, ул. им. Ленина 5", [("street_type", "ул"), ("word", "ленина"), ("num", "5")]),
        ("  ПЕР.   ЗЕЛЁНЫЙ   ,  Д.  7 ", [("street_type", "пер"), ("word", "зеленый"), ("num", "7")]),
        ("улца Ленина 5", [("street_type", "ул"), ("word", "ленина"), ("num", "5")]),
    ],
)
def test_parse_address(text: str, expected: list[tuple[str, str]]) -> None:
    assert _shape(text) == expected


def test_house_marker_is_remembered() -> None:
    numbers = [t for t in parse_address("ул 8 Марта д 10").tokens if t.kind == "num"]
    assert [(t.value, t.marked) for t in numbers] == [(8, False), (10, True)]


def test_full_type_word_can_be_a_name() -> None:
    [token] = tokenize("Набережная")
    assert token.kind == "street_type" and token.name_text == "набережная"
    [short] = tokenize("наб")
    assert short.name_text is None


def test_name_keys() -> None:
    assert name_key("1-я Заречная") == "1 заречная"
    assert name_key("8 Марта") == "8 марта"
    assert name_key("Молодёжная") == "молодежная"
    assert name_key("им. Ленина") == "ленина"
    assert name_key("г. Заречный") == "заречный"
    assert name_key("Мамина-Сибиряка") == "мамина сибиряка"
    assert stem_key("полярная") == stem_key("полярное") == "полярн"
    assert stem_key("ленина") == "ленина"


def test_fuzzy_markers() -> None:
    assert fuzzy_marker("улца") == ("street_type", "ул")
    assert fuzzy_marker("праспект") == ("street_type", "пр-т")
    assert fuzzy_marker("ленина") is None and fuzzy_marker("мира") is None


def test_empty_and_garbage_input() -> None:
    assert parse_address("").tokens == []
    assert [t for t in parse_address(" ,.;! ").tokens if t.kind != "sep"] == []


def test_levenshtein() -> None:
    assert levenshtein("ленина", "ленена") == 1
    assert levenshtein("гагарина", "гагарин") == 1
    assert levenshtein("мира", "ленина", limit=2) > 2
