from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation

from portal.core.errors import PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.territory import selectors, services
from portal.territory.index import read_stamp, territory_index
from portal.territory.models import AddressRange, District, Street
from portal.territory.selectors import FinderStatus, find_officer
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> dict[str, object]:
    district = f.district(name="Ленинский район", kind="urban", population=20_000)
    rural = f.district(name="Берёзовский округ", kind="rural", population=8_000)
    officer_a = f.officer(full_name="Иванова Марина Сергеевна")
    officer_b = f.officer(full_name="Соколов Андрей Петрович")
    officer_c = f.officer(full_name="Орлова Вера Ивановна")
    first = f.precinct(district_obj=district, number=1, officer=officer_a)
    second = f.precinct(district_obj=district, number=2, officer=officer_b)
    village = f.precinct(district_obj=rural, number=1, officer=officer_c)
    lenina = f.street(district_obj=district, name="Ленина")
    f.address_range(street_obj=lenina, precinct_obj=first, house_from=1, house_to=49)
    f.address_range(street_obj=lenina, precinct_obj=second, house_from=50, house_to=200)
    mira = f.street(district_obj=district, name="Мира", kind="пр-т")
    f.address_range(street_obj=mira, precinct_obj=second)
    mira_street = f.street(district_obj=district, name="Мира", kind="ул")
    f.address_range(street_obj=mira_street, precinct_obj=first, house_to=300)
    gagarina = f.street(district_obj=district, name="Гагарина")
    f.address_range(street_obj=gagarina, precinct_obj=first, parity="odd")
    f.address_range(street_obj=gagarina, precinct_obj=second, parity="even")
    mira_village = f.street(district_obj=rural, settlement="Берёзовка", name="Мира")
    f.address_range(street_obj=mira_village, precinct_obj=village, house_to=60)
    lenina_village = f.street(district_obj=rural, settlement="Берёзовка", name="Ленина")
    f.address_range(street_obj=lenina_village, precinct_obj=village)
    return {"first": first, "second": second, "village": village, "officer_a": officer_a, "officer_b": officer_b,
            "lenina": lenina, "mira": mira, "mira_street": mira_street, "mira_village": mira_village}


def test_exact_address_with_abbreviations(town: dict[str, object]) -> None:
    result = find_officer("г. Заречный, ул. Ленина, д. 12")
    assert result.status == FinderStatus.FOUND
    assert result.precinct is not None and result.precinct.id == town["first"].pk  # type: ignore[attr-defined]
    assert result.officer is not None and result.officer.full_name == "Иванова Марина Сергеевна"
    assert not result.corrected


@pytest.mark.parametrize("address", ["Заречный, ул. Ленина, 5", "Заречный ул Ленина 5", "Ленина ул., Заречный, 5",
                                     "Заречный Ленина 5", "ул. Ленина, д. 5, г. Заречный", "Заречный, Ленина, дом 5а",
                                     "г.о. Заречный, ул. Ленина, 5", "Заречный, ул. Ленинa, 5",
                                     "Россия, 614000, Заречный край, Ленинский район, город Заречный, улица Ленина, "
                                     "дом 5, квартира 7"])
def test_settlement_without_its_type_and_in_any_position(town: dict[str, object], address: str) -> None:
    result = find_officer(address)
    assert result.status == FinderStatus.FOUND, (address, result.message)
    assert result.precinct.id == town["first"].pk  # type: ignore[union-attr,attr-defined]


def test_house_decides_between_precincts(town: dict[str, object]) -> None:
    assert find_officer("Заречный, Ленина 120").precinct.id == town["second"].pk  # type: ignore[union-attr,attr-defined]
    assert find_officer("Заречный, улица Гагарина дом 7").precinct.id == town["first"].pk  # type: ignore[union-attr,attr-defined]
    assert find_officer("Заречный, улица Гагарина дом 8").precinct.id == town["second"].pk  # type: ignore[union-attr,attr-defined]


def test_split_street_without_house_asks_for_it(town: dict[str, object]) -> None:
    result = find_officer("Заречный, ул. Ленина")
    assert result.status == FinderStatus.NEEDS_HOUSE
    assert {p.id for p in result.precincts} == {town["first"].pk, town["second"].pk}  # type: ignore[attr-defined]
    assert [line.houses for line in result.ranges] == ["1–49", "50–200"]


def test_single_precinct_street_needs_no_house(town: dict[str, object]) -> None:
    result = find_officer("проспект Мира")
    assert result.status == FinderStatus.FOUND and result.precinct.id == town["second"].pk  # type: ignore[union-attr,attr-defined]


def test_same_name_in_two_settlements_without_the_settlement_is_ambiguous(town: dict[str, object]) -> None:
    result = find_officer("ул. Мира, 15")
    assert result.status == FinderStatus.AMBIGUOUS
    assert {c.street.id for c in result.candidates} == {town["mira_street"].pk, town["mira_village"].pk}  # type: ignore[attr-defined]
    assert all(c.value.endswith("д. 15") for c in result.candidates)
    assert result.officer is None and result.precinct is None


def test_same_name_with_two_types_in_one_settlement_is_ambiguous(town: dict[str, object]) -> None:
    result = find_officer("Заречный, Мира, 15")
    assert result.status == FinderStatus.AMBIGUOUS
    assert {c.street.id for c in result.candidates} == {town["mira"].pk, town["mira_street"].pk}  # type: ignore[attr-defined]
    assert find_officer("Заречный, пр-т Мира, 15").precinct.id == town["second"].pk  # type: ignore[union-attr,attr-defined]
    assert find_officer("Берёзовка, Мира, 15").precinct.id == town["village"].pk  # type: ignore[union-attr,attr-defined]


def test_ambiguous_streets_leading_to_one_precinct_answer_it(town: dict[str, object]) -> None:
    AddressRange.objects.filter(street=town["mira"]).update(precinct=town["first"])
    result = find_officer("Заречный, Мира, 15")
    assert result.status == FinderStatus.FOUND and result.precinct.id == town["first"].pk  # type: ignore[union-attr,attr-defined]


@pytest.mark.parametrize("house", ["15000", "500", "0", "-5", "−5"])
def test_house_outside_every_range_is_not_served(town: dict[str, object], house: str) -> None:
    result = find_officer(f"Заречный, ул. Ленина, {house}")
    assert result.status == FinderStatus.NOT_SERVED
    assert result.officer is None and result.precinct is None
    assert result.street is not None and result.street.id == town["lenina"].pk  # type: ignore[attr-defined]
    assert {p.id for p in result.precincts} == {town["first"].pk, town["second"].pk}  # type: ignore[attr-defined]
    assert result.ranges
    with translation.override("ru"):
        assert "горячую линию" in find_officer(f"Заречный, ул. Ленина, {house}").message


def test_typo_is_corrected(town: dict[str, object]) -> None:
    result = find_officer("г Заречный ул Ленена д 5")
    assert result.status == FinderStatus.FOUND and result.corrected
    assert result.precinct.id == town["first"].pk  # type: ignore[union-attr,attr-defined]
    assert find_officer("Заречнй, ул. Ленина, 5").precinct.id == town["first"].pk  # type: ignore[union-attr,attr-defined]


def test_unknown_settlement_is_never_answered_with_ours(town: dict[str, object]) -> None:
    for address in ("г. Москва, ул. Гагарина, 5", "Москва, Гагарина 5"):
        result = find_officer(address)
        assert result.status == FinderStatus.NOT_FOUND, address
        assert [c.street.name for c in result.suggestions] == ["Гагарина"]


def test_street_missing_in_the_named_settlement(town: dict[str, object]) -> None:
    result = find_officer("Берёзовка, ул. Гагарина, 5")
    assert result.status == FinderStatus.NOT_FOUND and result.officer is None


def test_unknown_street_suggests_nearest(town: dict[str, object]) -> None:
    result = find_officer("Заречный, ул. Луговая, 3")
    assert result.status == FinderStatus.NOT_FOUND and result.precinct is None
    assert find_officer("   ").status == FinderStatus.INVALID
    assert find_officer("Заречный").status == FinderStatus.INVALID
    too_long = find_officer("ул. Ленина " + "5" * 300)
    assert too_long.status == FinderStatus.INVALID and "200" in too_long.message


def test_street_suggestions_by_prefix(town: dict[str, object]) -> None:
    assert {s.settlement for s in selectors.suggest_streets("лен")} == {"Заречный", "Берёзовка"}
    assert [s.settlement for s in selectors.suggest_streets("Берёзовка, лен")] == ["Берёзовка"]
    assert [s.kind for s in selectors.suggest_streets("Заречный, пр-т ми")] == ["пр-т"]
    assert [s.name for s in selectors.suggest_streets("гаагр")] == ["Гагарина"]  # a typo after three letters
    assert selectors.suggest_streets("л") == []


def test_index_follows_every_kind_of_write(town: dict[str, object]) -> None:
    """Services, plain saves, queryset updates and deletes all change the stamp; the index follows at once."""
    before = read_stamp()
    assert territory_index().stamp == before
    AddressRange.objects.filter(street=town["lenina"]).update(house_to=30)
    assert read_stamp() != before
    assert find_officer("Заречный, ул. Ленина, 45").status == FinderStatus.NOT_SERVED
    street = Street.objects.get(pk=town["lenina"].pk)  # type: ignore[attr-defined]
    street.name = "Ленинская"
    street.save()
    assert find_officer("Заречный, ул. Ленинская, 5").status == FinderStatus.FOUND
    town["officer_a"].full_name = "Иванова-Петрова Марина Сергеевна"  # type: ignore[attr-defined]
    town["officer_a"].save()  # type: ignore[attr-defined]
    assert find_officer("Заречный, ул. Ленинская, 5").officer.full_name.startswith("Иванова-Петрова")  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM territory_addressrange WHERE street_id = %s", [street.pk])
    assert find_officer("Заречный, ул. Ленинская, 5").status == FinderStatus.NOT_SERVED


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
    assert find_officer("Заречный, Школьная 4").precinct.id == town["second"].pk  # type: ignore[union-attr,attr-defined]
