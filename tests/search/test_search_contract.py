"""Contract every backend passes: Russian prefix, typo, filters, scope."""

from __future__ import annotations

import pytest

from portal.core.viewer import Role, Viewer
from portal.territory.search_documents import suggest_streets
from search import api
from search.registry import INDEXES
from tests.search.search_samples import STAFF, STREETS


@pytest.fixture
def filled(backend: object) -> object:
    for name in ("streets", "staff"):
        backend.ensure_index(name, INDEXES[name])  # type: ignore[attr-defined]
    backend.upsert("streets", STREETS)  # type: ignore[attr-defined]
    backend.upsert("staff", STAFF)  # type: ignore[attr-defined]
    return backend


def names(result: api.SearchResult) -> list[str]:
    return [hit.get("name") or hit.get("title") for hit in result.hits]


def test_russian_prefix(filled: object) -> None:
    found = names(api.search("streets", "Лени"))
    assert set(found) == {"Ленина", "Ленинградская"}


@pytest.mark.parametrize(("typed", "expected"), [("Ленена", "Ленина"), ("Гагрина", "Гагарина"),
                                                 ("гагарино", "Гагарина")])
def test_typo(filled: object, typed: str, expected: str) -> None:
    assert names(api.search("streets", typed))[:1] == [expected]


def test_yo_and_abbreviation(filled: object) -> None:
    assert names(api.search("streets", "пер Лесная Березовка")) == ["Лесная"]
    assert names(api.search("streets", "проспект Мира")) == ["Мира"]


def test_filters(filled: object) -> None:
    result = api.search("streets", "Лени", filters={"district_code": "ber"})
    assert names(result) == ["Ленинградская"]
    assert result.total == 1
    assert {h["id"] for h in api.search("streets", "", filters={"district_code": ["zar"]}, limit=10).hits} == {
        "1", "2", "5"}


def test_suggest_streets_returns_street_ids(filled: object) -> None:
    hits = suggest_streets("ул Ленена Заречный")
    assert hits and hits[0].street_id == 1
    assert suggest_streets("Гагрина")[0].street_id == 2


def test_staff_index_is_not_public(filled: object) -> None:
    with pytest.raises(PermissionError):
        api.search("staff", "Иванов")


def test_staff_scope_by_precinct_and_institution(filled: object) -> None:
    officer = Viewer(username="o", roles=frozenset({Role.OFFICER}), precinct_ids=frozenset({11}))
    ids = {h["id"] for h in api.search_scoped("staff", "Иван", viewer=officer).hits}
    assert ids == {"case-1"}
    coordinator = Viewer(username="c", roles=frozenset({Role.COORDINATOR}), institution_id=8)
    assert {h["id"] for h in api.search_scoped("staff", "Иван", viewer=coordinator).hits} == {"case-2", "person-3"}
    partner = Viewer(username="p", roles=frozenset({Role.PARTNER}), organisation_id=5)
    assert api.search_scoped("staff", "Иван", viewer=partner).hits == []
    supervisor = Viewer(username="s", roles=frozenset({Role.SUPERVISOR}))
    assert len(api.search_scoped("staff", "Иван", viewer=supervisor).hits) == 3


def test_delete_and_rebuild(filled: object) -> None:
    backend = filled
    backend.delete("streets", ["2"])  # type: ignore[attr-defined]
    assert api.search("streets", "Гагарина").hits == []
    new = backend.begin_rebuild("streets", INDEXES["streets"])  # type: ignore[attr-defined]
    backend.upsert(new, STREETS[:2])  # type: ignore[attr-defined]
    assert names(api.search("streets", "Лени")) == ["Ленина", "Ленинградская"] or \
        set(names(api.search("streets", "Лени"))) == {"Ленина", "Ленинградская"}  # old version still serves
    backend.finish_rebuild("streets", new)  # type: ignore[attr-defined]
    assert names(api.search("streets", "Лени")) == ["Ленина"]
    assert names(api.search("streets", "Гагарина")) == ["Гагарина"]


def test_staff_scope_of_a_coordinator_who_is_also_an_officer(filled: object) -> None:
    """Issue 12: the index applies the domain's one scope rule (`cases.access.case_reach`): its institution's
    cases and its precincts' — either grants access (the old index filter kept the institution only)."""
    both = Viewer(username="co", roles=frozenset({Role.COORDINATOR, Role.OFFICER}), institution_id=7,
                  precinct_ids=frozenset({12}))
    assert {h["id"] for h in api.search_scoped("staff", "Иван", viewer=both).hits} == {"case-1", "case-2",
                                                                                     "person-3"}
    only_institution = Viewer(username="c7", roles=frozenset({Role.COORDINATOR}), institution_id=7)
    assert {h["id"] for h in api.search_scoped("staff", "Иван", viewer=only_institution).hits} == {"case-1"}
