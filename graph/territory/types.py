"""Public types of the territory: districts, precincts (участки), streets, district officers."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from portal.territory import selectors as territory
from portal.territory.models import District as DistrictModel
from portal.territory.models import Officer as OfficerModel
from portal.territory.models import Precinct as PrecinctModel
from portal.territory.models import Street as StreetModel


@strawberry.type(description="Municipal district or city district (муниципальный район / городской округ).")
class District:
    id: strawberry.ID
    code: str
    name: str
    kind: str
    kind_label: str
    population: int
    centre: str
    precinct_count: int | None = None
    officer_count: int | None = None
    residents_per_officer_norm: int

    @classmethod
    def from_model(cls, district: DistrictModel) -> District:
        return cls(
            id=strawberry.ID(str(district.pk)), code=district.code, name=district.name, kind=district.kind,
            kind_label=str(district.get_kind_display()), population=district.population, centre=district.centre,
            precinct_count=getattr(district, "precinct_count", None),
            officer_count=getattr(district, "officer_count", None),
            residents_per_officer_norm=district.residents_per_officer_norm,
        )


@strawberry.type(description="District social officer (социальный участковый): the public contact card.")
class Officer:
    id: strawberry.ID
    full_name: str
    phone: str
    email: str
    office_address: str
    office_hours: str
    photo_url: str | None

    @classmethod
    def from_model(cls, officer: OfficerModel) -> Officer:
        photo_url: str | None = None
        if officer.photo:
            try:
                photo_url = officer.photo.url
            except ValueError:
                photo_url = None
        return cls(id=strawberry.ID(str(officer.pk)), full_name=officer.full_name, phone=officer.phone,
                   email=officer.email, office_address=officer.office_address, office_hours=officer.office_hours,
                   photo_url=photo_url)


@strawberry.type(description="Residents of a precinct against the norm (1 officer per 8,000 rural / 10,000 urban).")
class PrecinctLoad:
    residents: int
    norm: int
    ratio: float
    over_norm: bool


@strawberry.type(description="Precinct (участок) of a district, served by one officer.")
class Precinct:
    id: strawberry.ID
    number: int
    name: str
    title: str
    population: int
    district: District
    officer: Officer | None
    load: PrecinctLoad

    @classmethod
    def from_model(cls, precinct: PrecinctModel) -> Precinct:
        load = territory.precinct_load(precinct)
        return cls(
            id=strawberry.ID(str(precinct.pk)), number=precinct.number, name=precinct.name, title=str(precinct),
            population=precinct.population, district=District.from_model(precinct.district),
            officer=Officer.from_model(precinct.officer) if precinct.officer else None,
            load=PrecinctLoad(residents=load.residents, norm=load.norm, ratio=load.ratio, over_norm=load.over_norm),
        )


@strawberry.type(description="A street of a settlement.")
class Street:
    id: strawberry.ID
    settlement: str
    kind: str
    name: str
    title: str
    district: District

    @classmethod
    def from_model(cls, street: StreetModel) -> Street:
        return cls(id=strawberry.ID(str(street.pk)), settlement=street.settlement, kind=street.kind,
                   name=street.name, title=str(street), district=District.from_model(street.district))


@strawberry.enum(description="Answer of the officer finder.")
class OfficerSearchStatus(Enum):
    FOUND = "found"
    NEEDS_HOUSE = "needs_house"
    NOT_FOUND = "not_found"
    EMPTY = "empty"


@strawberry.type(description="Answer of `findOfficer`: the precinct and its officer, or what is missing.")
class OfficerSearchResult:
    status: OfficerSearchStatus
    precinct: Precinct | None
    officer: Officer | None
    street: Street | None
    #: Nearest streets (not found) or the street's streets to choose from (house number needed).
    suggestions: list[Street]
    #: The precincts of the matched street (several when the house number decides).
    precincts: list[Precinct]
    corrected: bool

    @classmethod
    def from_match(cls, match: Any) -> OfficerSearchResult:
        return cls(
            status=OfficerSearchStatus(match.status),
            precinct=Precinct.from_model(match.precinct) if match.precinct else None,
            officer=Officer.from_model(match.officer) if match.officer else None,
            street=Street.from_model(match.street) if match.street else None,
            suggestions=[Street.from_model(street) for street in match.suggestions],
            precincts=[Precinct.from_model(precinct) for precinct in match.precincts],
            corrected=bool(match.corrected),
        )
