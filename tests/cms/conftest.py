"""Fixtures of the CMS tests: a small territory of our own and the demo site tree."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.territory.addresses import normalise_text
from portal.territory.models import AddressRange, District, Officer, Precinct, Street


@dataclass
class Territory:
    district: District
    ivanova: Officer
    petrov: Officer
    precinct_1: Precinct
    precinct_2: Precinct
    precinct_3: Precinct
    lenina: Street
    gagarina: Street
    mira: Street
    lesnaya: Street


def _street(district: District, settlement: str, kind: str, name: str) -> Street:
    return Street.objects.create(district=district, settlement=settlement, kind=kind, name=name,
                                 normalized=normalise_text(name), settlement_normalized=normalise_text(settlement))


def make_territory() -> Territory:
    district = District.objects.create(code="test-leninsky", name="Ленинский район г. Заречный", kind="urban",
                                       population=61_000, centre="г. Заречный")
    ivanova = Officer.objects.create(
        full_name="Иванова Мария Петровна", phone="+7 (342) 200-11-01", email="ivanova@zarechny.example",
        office_address="г. Заречный, ул. Ленина, д. 12, каб. 5", office_hours="пн, ср 9:00–13:00",
    )
    petrov = Officer.objects.create(
        full_name="Петров Сергей Иванович", phone="+7 (342) 200-11-02", email="petrov@zarechny.example",
        office_address="г. Заречный, пр-т Мира, д. 30", office_hours="вт, чт 14:00–18:00",
    )
    precinct_1 = Precinct.objects.create(district=district, number=1, name="Центр", population=9_000,
                                         officer=ivanova)
    precinct_2 = Precinct.objects.create(district=district, number=2, name="Заречье", population=9_500,
                                         officer=petrov)
    precinct_3 = Precinct.objects.create(district=district, number=3, name="Лесной", population=3_000,
                                         officer=None)
    lenina = _street(district, "Заречный", "ул", "Ленина")
    gagarina = _street(district, "Заречный", "ул", "Гагарина")
    mira = _street(district, "Заречный", "пр-т", "Мира")
    lesnaya = _street(district, "Заречный", "ул", "Лесная")
    # Ленина is split between two precincts; the others belong to one.
    AddressRange.objects.create(street=lenina, precinct=precinct_1, house_from=1, house_to=49)
    AddressRange.objects.create(street=lenina, precinct=precinct_2, house_from=50, house_to=9999)
    AddressRange.objects.create(street=gagarina, precinct=precinct_1)
    AddressRange.objects.create(street=mira, precinct=precinct_2)
    AddressRange.objects.create(street=lesnaya, precinct=precinct_3)
    return Territory(district, ivanova, petrov, precinct_1, precinct_2, precinct_3, lenina, gagarina, mira,
                     lesnaya)


@pytest.fixture
def territory(db: None) -> Territory:
    return make_territory()


@pytest.fixture
def site_tree(db: None):  # -> HomePage
    from cms.demo import load_demo
    from cms.models import HomePage

    load_demo(verbose=False)
    return HomePage.objects.get()
