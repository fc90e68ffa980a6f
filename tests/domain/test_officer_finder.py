from __future__ import annotations

import pytest

from portal.core.viewer import Role
from portal.core.errors import PermissionDenied, ValidationFailed
from portal.territory import selectors, services
from portal.territory.models import District
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> dict[str, object]:
    district = f.district(name="Ленинский район", kind="urban", population=20_000)
    officer_a = f.officer(full_name="Иванова Марина Сергеевна")
    officer_b = f.officer(full_name="Соколов Андрей Петрович")
    first = f.precinct(district_obj=district, number=1, officer=officer_a)
    second = f.precinct(district_obj=district, number=2, officer=officer_b)
    lenina = f.street(district_obj=district, name="Ленина")
    f.address_range(street_obj=lenina, precinct_obj=first, house_from=1, house_to=49)
    f.address_range(street_obj=lenina, precinct_obj=second, house_from=50, house_to=200)
    mira = f.street(district_obj=district, name="Мира", kind="пр-т")
    f.address_range(street_obj=mira, precinct_obj=second)
    gagarina = f.street(district_obj=district, name="Гагарина")
    f.address_range(street_obj=gagarina, precinct_obj=first, parity="odd")
    f.address_range(street_obj=gagarina, precinct_obj=second, parity="even")
    return {"first": first, "second": second, "officer_a": officer_a, "officer_b": officer_b}


def test_exact_address_with_abbreviations(town: dict[str, object]) -> None:
    match = selectors.find_precinct("г. Заречный, ул. Ленина, д. 12")
    assert match.status == "found"
    assert match.precinct == town["first"]
    assert match.officer == town["officer_a"]
    assert not match.corrected


def test_house_decides_between_precincts(town: dict[str, object]) -> None:
    assert selectors.find_precinct("Ленина 120").precinct == town["second"]
    assert selectors.find_precinct("улица Гагарина дом 7").precinct == town["first"]
    assert selectors.find_precinct("улица Гагарина дом 8").precinct == town["second"]


def test_split_street_without_house_asks_for_it(town: dict[str, object]) -> None:
    match = selectors.find_precinct("ул. Ленина")
    assert match.status == "needs_house"
    assert set(match.precincts) == {town["first"], town["second"]}


def test_single_precinct_street_needs_no_house(town: dict[str, object]) -> None:
    match = selectors.find_precinct("проспект Мира")
    assert match.status == "found" and match.precinct == town["second"]


def test_typo_is_corrected_by_the_database_fallback(town: dict[str, object]) -> None:
    match = selectors.find_precinct("г Заречный ул Ленена д 5")
    assert match.status == "found"
    assert match.corrected
    assert match.precinct == town["first"]


def test_unknown_street_suggests_nearest(town: dict[str, object]) -> None:
    match = selectors.find_precinct("ул. Луговая, 3")
    assert match.status == "not_found"
    assert match.precinct is None
    empty = selectors.find_precinct("   ")
    assert empty.status == "empty"


def test_house_outside_every_range(town: dict[str, object]) -> None:
    match = selectors.find_precinct("ул. Ленина, 500")
    assert match.status == "not_found"
    assert match.street is not None and match.street.name == "Ленина"


def test_street_suggestions_by_prefix(town: dict[str, object]) -> None:
    assert [s.name for s in selectors.street_suggestions("лен")] == ["Ленина"]
    assert selectors.street_suggestions("л") == []


def test_precinct_load_against_norm() -> None:
    rural = f.district(kind="rural")
    load = selectors.precinct_load(f.precinct(district_obj=rural, population=12_000))
    assert load.norm == 8000 and load.over_norm and load.ratio == 1.5
    urban = f.district(kind="urban")
    assert not selectors.precinct_load(f.precinct(district_obj=urban, population=9_000)).over_norm


def test_overlapping_ranges_are_refused(town: dict[str, object]) -> None:
    admin = f.viewer_with(Role.ADMIN)
    district = District.objects.first()
    assert district is not None
    street = services.create_street(viewer=admin, district_id=district.pk, settlement="Заречный", kind="улица",
                                    name="Школьная")
    services.add_address_range(viewer=admin, street_id=street.pk, precinct_id=town["first"].pk,  # type: ignore[attr-defined]
                               house_from=1, house_to=20, parity="odd")
    # Even houses of the same stretch may go to another precinct…
    services.add_address_range(viewer=admin, street_id=street.pk, precinct_id=town["second"].pk,  # type: ignore[attr-defined]
                               house_from=1, house_to=20, parity="even")
    # …but not odd ones.
    with pytest.raises(ValidationFailed):
        services.add_address_range(viewer=admin, street_id=street.pk, precinct_id=town["second"].pk,  # type: ignore[attr-defined]
                                   house_from=15, house_to=30, parity="all")
    with pytest.raises(PermissionDenied):
        services.create_street(viewer=f.viewer_with(Role.PARTNER), district_id=district.pk, settlement="Заречный",
                               kind="ул", name="Новая")
