"""Public territory queries: districts, precincts, street suggestions, the officer finder."""

from __future__ import annotations

import strawberry
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info

from graph.core.inputs import check_text
from graph.errors import BadUserInput
from graph.territory.types import District, OfficerSearchResult, Precinct, Street
from graph.unit import run_unit
from portal.territory import selectors as territory


@strawberry.type
class TerritoryQueries:
    @strawberry.field(description="Districts with their precinct and officer counts.")
    async def districts(self, info: Info) -> list[District]:
        def unit() -> list[District]:
            return [District.from_model(d) for d in territory.districts_overview()]

        return await run_unit(info, unit)

    @strawberry.field(description="One district by its code.")
    async def district(self, info: Info, code: str) -> District | None:
        check_text(code, "code")

        def unit() -> District | None:
            found = territory.districts_overview().filter(code=code).first()
            return District.from_model(found) if found else None

        return await run_unit(info, unit)

    @strawberry.field(description="Precincts (участки) with their officers; of one district when given.")
    async def precincts(self, info: Info, district_code: str | None = None) -> list[Precinct]:
        check_text(district_code, "districtCode")

        def unit() -> list[Precinct]:
            rows = (territory.precincts_of_district(district_code) if district_code
                    else territory.public_precincts())
            return [Precinct.from_model(p) for p in rows]

        return await run_unit(info, unit)

    @strawberry.field(description="Find the district social officer for a free-text address (the same answer as "
                                  "the finder page: status, message, officer, candidates, suggestions, ranges).")
    async def find_officer(self, info: Info, address: str) -> OfficerSearchResult:
        check_text(address, "address")

        def unit() -> OfficerSearchResult:
            return OfficerSearchResult.from_result(territory.find_officer(address))

        return await run_unit(info, unit)

    @strawberry.field(description="Streets for a typed prefix (any word of the name; typos tolerated), as the finder "
                                  "page suggests them.")
    async def street_suggestions(self, info: Info, prefix: str, limit: int = 10) -> list[Street]:
        if not 1 <= limit <= territory.MAX_SUGGESTIONS:
            raise BadUserInput(_("Ask for 1 to 10 street suggestions."), field="limit")
        check_text(prefix, "prefix")

        def unit() -> list[Street]:
            return [Street.from_ref(s) for s in territory.suggest_streets(prefix, limit=limit)]

        return await run_unit(info, unit)
