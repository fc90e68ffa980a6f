"""Public queries of the partner registry."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph.partners.types import Choice, Organisation
from graph.unit import run_unit
from portal.partners import selectors as partners
from portal.partners.models import HelpKind, OrganisationKind


@strawberry.input(description="Filters of the partner registry.")
class OrganisationFilter:
    kind: str | None = None
    district_code: str | None = None
    help_kind: str | None = None
    text: str | None = None


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="Active organisations of the public partner registry.")
    async def organisations(self, info: Info, filter: OrganisationFilter | None = None) -> list[Organisation]:
        wanted = filter or OrganisationFilter()

        def unit() -> list[Organisation]:
            rows = partners.public_organisations(kind=wanted.kind, district_code=wanted.district_code,
                                                 help_kind=wanted.help_kind, text=(wanted.text or "")[:200] or None)
            return [Organisation.from_model(org) for org in rows]

        return await run_unit(info, unit)

    @strawberry.field(description="One active organisation of the registry by its code.")
    async def organisation(self, info: Info, code: str) -> Organisation | None:
        def unit() -> Organisation | None:
            found = partners.public_organisations().filter(code=code).first()
            return Organisation.from_model(found) if found else None

        return await run_unit(info, unit)

    @strawberry.field(description="Kinds of help (виды помощи).")
    def help_kinds(self) -> list[Choice]:
        return [Choice(value=value, label=str(label)) for value, label in HelpKind.choices]

    @strawberry.field(description="Kinds of organisations.")
    def organisation_kinds(self) -> list[Choice]:
        return [Choice(value=value, label=str(label)) for value, label in OrganisationKind.choices]
