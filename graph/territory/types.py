"""Public types of the territory: districts, precincts (участки), streets, district officers."""

from __future__ import annotations

import strawberry

from graph.territory.enums import OfficerSearchStatus
from portal.territory import selectors as territory
from portal.territory.index import DistrictRef, OfficerRef, PrecinctRef, StreetRef
from portal.territory.models import District as DistrictModel
from portal.territory.models import Officer as OfficerModel
from portal.territory.models import Precinct as PrecinctModel
from portal.territory.selectors import OfficerFinderResult


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


    @classmethod
    def from_ref(cls, district: DistrictRef) -> District:
        kind_label = str(DistrictModel.Kind(district.kind).label) if district.kind in DistrictModel.Kind.values \
            else district.kind
        return cls(id=strawberry.ID(str(district.id)), code=district.code, name=district.name, kind=district.kind,
                   kind_label=kind_label, population=district.population, centre=district.centre,
                   residents_per_officer_norm=district.residents_per_officer_norm)


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

    @classmethod
    def from_ref(cls, officer: OfficerRef) -> Officer:
        return cls(id=strawberry.ID(str(officer.id)), full_name=officer.full_name, phone=officer.phone,
                   email=officer.email, office_address=officer.office_address, office_hours=officer.office_hours,
                   photo_url=officer.photo_url or None)


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

    @classmethod
    def from_ref(cls, precinct: PrecinctRef) -> Precinct:
        load = territory.precinct_load(precinct)
        return cls(
            id=strawberry.ID(str(precinct.id)), number=precinct.number, name=precinct.name, title=precinct.title,
            population=precinct.population, district=District.from_ref(precinct.district),
            officer=Officer.from_ref(precinct.officer) if precinct.officer else None,
            load=PrecinctLoad(residents=load.residents, norm=load.norm, ratio=load.ratio, over_norm=load.over_norm),
        )


@strawberry.type(description="A street of a settlement.")
class Street:
    id: strawberry.ID
    settlement: str
    kind: str
    name: str
    title: str
    label: str = strawberry.field(description="The street as people write it: «г. Заречный, улица Ленина».")
    district: District

    @classmethod
    def from_ref(cls, street: StreetRef) -> Street:
        return cls(id=strawberry.ID(str(street.id)), settlement=street.settlement, kind=street.kind, name=street.name,
                   title=street.title, label=street.label, district=District.from_ref(street.district))


@strawberry.type(description="A street the address may mean, with the address to search for it.")
class StreetCandidate:
    street: Street
    address: str
    #: The precinct of the house typed on this street, if it has one.
    precinct: Precinct | None


@strawberry.type(description="Houses of a street that belong to one precinct.")
class HouseRangeLine:
    houses: str
    precinct: Precinct


@strawberry.type(description="Answer of `findOfficer`: the precinct and its officer, or what is missing.")
class OfficerSearchResult:
    status: OfficerSearchStatus
    message: str = strawberry.field(description="What to tell the citizen, in the caller's language.")
    query: str
    house: str
    precinct: Precinct | None
    officer: Officer | None
    street: Street | None
    candidates: list[StreetCandidate] = strawberry.field(description="AMBIGUOUS: the streets to choose from.")
    suggestions: list[Street] = strawberry.field(description="NOT_FOUND: the nearest streets.")
    precincts: list[Precinct] = strawberry.field(description="The precincts of the street.")
    ranges: list[HouseRangeLine] = strawberry.field(description="NEEDS_HOUSE, NOT_SERVED: houses by precinct.")
    corrected: bool = strawberry.field(description="Read despite a typo or a wrong street type.")

    @classmethod
    def from_result(cls, result: OfficerFinderResult) -> OfficerSearchResult:
        return cls(
            status=OfficerSearchStatus(str(result.status)), message=result.message, query=result.query,
            house=result.house,
            precinct=Precinct.from_ref(result.precinct) if result.precinct else None,
            officer=Officer.from_ref(result.officer) if result.officer else None,
            street=Street.from_ref(result.street) if result.street else None,
            candidates=[StreetCandidate(street=Street.from_ref(c.street), address=c.value,
                                        precinct=Precinct.from_ref(c.precinct) if c.precinct else None)
                        for c in result.candidates],
            suggestions=[Street.from_ref(choice.street) for choice in result.suggestions],
            precincts=[Precinct.from_ref(precinct) for precinct in result.precincts],
            ranges=[HouseRangeLine(houses=line.houses, precinct=Precinct.from_ref(line.precinct))
                    for line in result.ranges],
            corrected=result.corrected,
        )
