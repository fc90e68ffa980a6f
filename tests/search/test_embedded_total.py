"""The embedded engine checks only the best bm25 candidates for typos, but `total` still counts every prefix match."""

from __future__ import annotations

import pytest

from search.backends import embedded as engine
from search.backends.embedded import EmbeddedBackend
from search.registry import INDEXES

NAMES = ["Ленина", "Ленинградская", "Ленинская", "Лениногорская", "Ленинский", "Ленинского Комсомола",
         "Гагарина", "Садовая"]


@pytest.fixture
def streets(embedded: EmbeddedBackend) -> EmbeddedBackend:
    embedded.ensure_index("streets", INDEXES["streets"])
    embedded.upsert("streets", [
        {"id": str(i), "name": name, "kind": "ул", "kind_name": "улица", "label": f"ул. {name}",
         "settlement": "Заречный" if i % 2 else "Береговой", "precinct_ids": [str(i)]}
        for i, name in enumerate(NAMES, 1)
    ])
    return embedded


def test_total_counts_prefix_matches_beyond_the_candidates(streets: EmbeddedBackend,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert streets.search("streets", "Ленин", limit=2).total == 6  # all candidates checked
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    small = streets.search("streets", "Ленин", limit=2)
    assert small.total == 6 and len(small.hits) == 2
    assert streets.search("streets", "Ленин", filters={"settlement": "Заречный"}).total == 3
    assert streets.search("streets", "улица Ленинск").total == 3  # "ул" ↔ "улица", every word required


def test_total_of_short_words_beyond_the_scan(streets: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CANDIDATES", 1)  # one- and two-letter words scan 5 × CANDIDATES documents
    assert streets.search("streets", "ул").total == len(NAMES)
    assert streets.search("streets", "ле").total == 6
