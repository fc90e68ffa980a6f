"""The officer finder over the whole demo region: a generated table of spellings with the expected answers
(computed from the rows, not through the finder), random strings, and the same answers from every door."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.core.viewer import Viewer
from portal.demo.generate import generate
from portal.demo.names import ADJECTIVE_STREET_NAMES
from portal.demo.region import CORE_STREETS, INSTITUTIONS, OFFICERS, PARTNERS
from portal.partners.models import Organisation
from portal.territory.addresses import STREET_KIND_GENDER, STREET_KIND_NAMES
from portal.territory.models import Officer, Street
from portal.territory.selectors import EXAMPLE_ADDRESS, FinderStatus, find_officer
from tests.domain.finder_table import check, load_rows, table
from tests.graph.support import execute

pytestmark = pytest.mark.django_db

FIND = """query($a: String!) { findOfficer(address: $a) { status message house corrected
  precinct { id number } officer { fullName } street { id label }
  candidates { address street { id label } precinct { number } } suggestions { id label }
  ranges { houses precinct { number } } } }"""


@pytest.fixture
def demo() -> None:
    generate(scale="demo", seed=1)


def test_every_street_in_a_dozen_spellings(demo: None) -> None:
    cases = table(load_rows())
    statuses = {case.status for case in cases}
    assert statuses == {"found", "ambiguous", "not_served"}
    assert len(cases) > 2000
    problems = [problem for case in cases if (problem := check(case, find_officer(case.address)))]
    assert problems == [], f"{len(problems)} of {len(cases)}:\n" + "\n".join(problems[:30])


def test_the_page_example_and_the_issue_addresses(demo: None) -> None:
    example = find_officer(EXAMPLE_ADDRESS)
    assert example.status == FinderStatus.FOUND and example.officer is not None
    assert example.street is not None and example.street.label == "г. Заречный, улица Ленина"
    for address in ("ул. Мира, 15", "проезд Чкалова, 35", "Заречный, Мира, 8"):
        result = find_officer(address)
        assert result.status == FinderStatus.AMBIGUOUS, address
        assert result.officer is None and len(result.candidates) >= 2
    # Every street named Мира in Заречный is a candidate (the core streets give at least a street and an avenue).
    kinds_of_mira = set(Street.objects.filter(settlement="Заречный", name="Мира").values_list("kind", flat=True))
    assert {"ул", "пр-т"} <= kinds_of_mira
    assert {c.street.kind for c in find_officer("Заречный, Мира, 8").candidates} == kinds_of_mira
    assert find_officer("Заречный, Полярная, 119").street.kind == "ул"  # type: ignore[union-attr]
    assert find_officer("Заречный, Полярное шоссе, 119").street.kind == "ш"  # type: ignore[union-attr]


def test_demo_street_names_agree_with_their_types(demo: None) -> None:
    """«улица Солнечная», «проспект Солнечный», «шоссе Солнечное» — never «проспект Солнечная»."""
    position = {"f": 0, "m": 1, "n": 2}
    form_of = {form: (forms, index) for forms in ADJECTIVE_STREET_NAMES for index, form in enumerate(forms)}
    adjectives = 0
    for street in Street.objects.all():
        if street.name in form_of:
            _forms, index = form_of[street.name]
            adjectives += 1
            assert index == position[STREET_KIND_GENDER[street.kind]], f"{STREET_KIND_NAMES[street.kind]} {street.name}"
    assert adjectives > 50
    assert Street.objects.exclude(kind="ул").filter(name__in=[f[0] for f in ADJECTIVE_STREET_NAMES]).exclude(
        kind__in=["наб", "пл", "аллея"]).count() == 0


def test_demo_addresses_lie_on_demo_streets(demo: None) -> None:
    """Institutions, partners and officers' offices: on existing streets, at a house some precinct serves."""
    addresses = [spec["address"] for spec in [*INSTITUTIONS, *PARTNERS]]
    addresses += list(Organisation.objects.values_list("address", flat=True))
    addresses += [str(spec["office_address"]) for spec in OFFICERS]
    addresses += list(Officer.objects.values_list("office_address", flat=True))
    for address in addresses:
        result = find_officer(address.split(", каб.")[0])
        assert result.status == FinderStatus.FOUND, (address, result.status, result.message)
    for settlement, streets in CORE_STREETS.items():
        for kind, name in streets:
            assert Street.objects.filter(settlement=settlement, kind=kind, name=name).exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_random_strings_are_never_found(demo: None, text: str) -> None:
    result = find_officer(text)
    assert result.status != FinderStatus.FOUND, text
    assert result.officer is None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["ул", "Заречный", "г.", "д.", ",", "5", "Мира", "пр-т", "кв.", "-", "0",
                                       "Пермский", "край", "1-я", "Марта", "8", "Березовка", "с.", "/", "а"]),
                      max_size=10))
def test_address_like_noise_never_breaks_the_finder(demo: None, words: list[str]) -> None:
    result = find_officer(" ".join(words))
    assert result.status in set(FinderStatus)
    if result.status == FinderStatus.FOUND:
        assert result.precinct is not None and result.street is not None


def test_the_page_the_json_endpoint_and_graphql_answer_alike(demo: None) -> None:
    client = Client()
    cases = table(load_rows())
    sample = random.Random(13).sample(cases, 60)
    sample += [case for case in cases if case.status != "found"][:20]
    for case in sample:
        domain = find_officer(case.address)
        data = client.get("/cms/api/officer", {"address": case.address}).json()
        graph = execute(Viewer.anonymous(), FIND, {"a": case.address})
        assert graph.errors == []
        answer = graph.data["findOfficer"]
        assert data["status"] == answer["status"].lower() == str(domain.status), case.address
        assert data["message"] == answer["message"] == domain.message, case.address
        if domain.officer is not None:
            assert data["officer"]["full_name"] == answer["officer"]["fullName"] == domain.officer.full_name
        assert [c["value"] for c in data["candidates"]] == [c["address"] for c in answer["candidates"]]
        assert [line["houses"] for line in data["ranges"]] == [line["houses"] for line in answer["ranges"]]
        assert [s["id"] for s in data["suggestions"]] == [s["id"] for s in answer["suggestions"]]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_messages_in_both_languages_from_every_door(demo: None, language: str) -> None:
    client = Client(headers={"accept-language": language})
    client.cookies["django_language"] = language
    for address in ("ул. Мира, 15", "Заречный, ул. Ленина, 15000", "Заречный, ул. Шоколадная, 3", "д"):
        with translation.override(language):
            expected = find_officer(address).message
        assert expected
        assert client.get("/cms/api/officer", {"address": address}).json()["message"] == expected
        graph = execute(Viewer.anonymous(), FIND, {"a": address}, language=language)
        assert graph.data["findOfficer"]["message"] == expected
    with translation.override(language):
        ambiguous = find_officer("ул. Мира, 15").message
    assert ambiguous.startswith("Этому адресу" if language == "ru" else "Several streets")
