"""Street suggestions for the officer finder: search engine first, database fallback."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

URL = "/cms/api/streets"


class SearchUnavailable(Exception):
    pass


@dataclass
class Hit:
    street_id: int


def _fake_search(monkeypatch: pytest.MonkeyPatch, suggest) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []

    def suggest_streets(query: str, limit: int = 10):
        calls.append((query, limit))
        return suggest(query, limit)

    module = types.ModuleType("search.api")
    module.SearchUnavailable = SearchUnavailable
    module.suggest_streets = suggest_streets
    monkeypatch.setitem(sys.modules, "search.api", module)
    return calls


def test_database_prefix_suggestions(client, territory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "search.api", None)  # search not installed: ImportError
    response = client.get(URL, {"q": "лен"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "лен"
    assert [item["label"] for item in data["results"]] == ["г. Заречный, улица Ленина"]
    item = data["results"][0]
    assert item["id"] == str(territory.lenina.pk)
    assert item["district"] == "Ленинский район г. Заречный"
    assert item["value"] == "г. Заречный, улица Ленина"


def test_falls_back_to_database_when_search_is_unavailable(client, territory: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(query: str, limit: int):
        raise SearchUnavailable("down")

    calls = _fake_search(monkeypatch, unavailable)
    data = client.get(URL, {"q": "гага"}).json()
    assert calls, "the search engine was asked first"
    assert [item["label"] for item in data["results"]] == ["г. Заречный, улица Гагарина"]


def test_uses_search_hits_in_their_order(client, territory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_search(monkeypatch, lambda q, limit: [Hit(territory.mira.pk), Hit(999_999),
                                                        Hit(territory.lenina.pk)])
    data = client.get(URL, {"q": "лнеина", "limit": "5"}).json()
    assert calls == [("лнеина", 5)]
    assert [item["id"] for item in data["results"]] == [str(territory.mira.pk), str(territory.lenina.pk)]


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
def test_a_chosen_suggestion_plus_house_number_finds_the_precinct(client, territory: Any, typed: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The value put into the field must be read back by the address parser."""
    from cms.finder import find_officer

    monkeypatch.setitem(sys.modules, "search.api", None)
    results = client.get(URL, {"q": typed}).json()["results"]
    assert len(results) == 1
    answer = find_officer(f"{results[0]['value']}, д. 7")
    assert answer.status in {"found", "no_officer"}, answer
    assert answer.street == results[0]["label"]
