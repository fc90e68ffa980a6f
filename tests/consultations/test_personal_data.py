"""The personal-data detector (portal.core.personal_data) against a table of real-world Russian spellings that
must be masked and innocent texts that must stay (tests/consultations/data/personal_data_cases.tsv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.core import personal_data
from portal.core.personal_data import Kind

TABLE = Path(__file__).parent / "data" / "personal_data_cases.tsv"


@dataclass(frozen=True)
class Case:
    line: int
    expect: str
    kinds: frozenset[str]
    text: str
    secret: str

    def __str__(self) -> str:
        return f"{TABLE.name}:{self.line}"


def load_cases() -> list[Case]:
    cases = []
    for number, raw in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        expect, kinds, text, secret = ([*raw.split("\t"), ""])[:4]
        assert expect in ("mask", "keep"), f"line {number}: {raw!r}"
        cases.append(Case(number, expect, frozenset(kinds.split("|")) - {"-"}, text, secret))
    return cases


CASES = load_cases()
MASK = [case for case in CASES if case.expect == "mask"]
KEEP = [case for case in CASES if case.expect == "keep"]


def test_the_table_is_big_enough_and_names_known_kinds() -> None:
    assert len(MASK) >= 100 and len(KEEP) >= 50
    known = {kind.value for kind in Kind}
    for case in MASK:
        assert case.kinds and case.kinds <= known, case
        assert case.secret and case.secret in case.text, case


@pytest.mark.parametrize("case", MASK, ids=str)
def test_personal_data_is_masked(case: Case) -> None:
    result = personal_data.mask(case.text)
    assert result.changed, f"nothing found in {case.text!r}"
    assert set(result.found) & case.kinds, f"{case.text!r}: found {result.found}, expected one of {case.kinds}"
    assert case.secret not in result.text, f"{case.text!r} → {result.text!r}"
    assert _digits(case.secret) == "" or len(_digits(case.secret)) < 4 or \
        _digits(case.secret) not in _digits(result.text), f"{case.text!r} → {result.text!r}"


@pytest.mark.parametrize("case", KEEP, ids=str)
def test_innocent_text_is_left_alone(case: Case) -> None:
    result = personal_data.mask(case.text)
    assert result.text == case.text, f"{case.text!r}: found {[f.describe() for f in result.findings]}"
    assert not result.changed


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# --- The API the publishing checks and other apps build on ----------------------------------------------

def test_findings_carry_kind_span_text_and_a_stable_key() -> None:
    text = "Звоните 8-912-345-67-89 или пишите anna@example.org"
    findings = personal_data.detect(text)
    assert [(f.kind, text[f.start:f.end]) for f in findings] == [
        (Kind.PHONE, "8-912-345-67-89"), (Kind.EMAIL, "anna@example.org")]
    assert all(f.text == text[f.start:f.end] for f in findings)
    again = personal_data.detect("Телефон: 8-912-345-67-89")
    assert again[0].key == findings[0].key  # the same item in another text: the same key
    assert findings[0].key != findings[1].key
    assert findings[0].label == "телефон" and findings[0].describe() == "телефон: «8-912-345-67-89»"


def test_kinds_filter_and_placeholders() -> None:
    text = "тел. 8-912-345-67-89, ул. Ленина, д. 5"
    assert [f.kind for f in personal_data.detect(text, kinds=[Kind.ADDRESS])] == [Kind.ADDRESS]
    assert personal_data.contains_personal_data(text, kinds={"phone"})
    assert not personal_data.contains_personal_data("Ленина — улица", kinds=[Kind.PHONE])
    masked = personal_data.mask(text)
    assert masked.text == "тел. [телефон скрыт], [адрес скрыт]"
    assert masked.found == {"phone": 1, "address": 1}
    assert personal_data.mask("").text == "" and personal_data.detect("") == []


@pytest.mark.parametrize("number, valid", [("11223344595", True), ("11223344596", False), ("00100199800", True)])
def test_snils_checksum(number: str, valid: bool) -> None:
    assert personal_data._snils_valid(number) is valid


def test_snils_shaped_number_with_a_bad_checksum_and_no_label_is_not_a_snils() -> None:
    assert [f.kind for f in personal_data.detect("число 11223344596")] != [Kind.SNILS]


def test_luhn_decides_between_a_card_and_a_policy() -> None:
    assert personal_data.detect("4276380058827176")[0].kind == Kind.BANK_CARD
    assert personal_data.detect("4276380058827171")[0].kind == Kind.OMS_POLICY


def test_numbers_of_institutions_are_not_masked() -> None:
    assert personal_data.detect("ОГРН 1025900000000, КБК 18210102010011000110") == []


def test_long_text_is_fast_enough_to_be_linear() -> None:
    """No catastrophic backtracking: a long question of digits, dashes and capitalised words still finishes."""
    text = ("Ленина " + "1-" * 2000 + " Иван " * 500 + "8 " * 1000 + "@" * 500 + "собака " * 300)[:20000]
    personal_data.detect(text)
