"""Public queries of the partner registry."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph.core.inputs import check_text, filter_text
from graph.partners.types import Choice, Organisation
from graph.unit import run_unit
from portal.partners import selectors as partners
from portal.partners.models import HelpKind, OrganisationKind

#: Most organisations one answer lists (the regional registry has a few hundred; filter to narrow it).
MAX_ORGANISATIONS = 500


@strawberry.input(description="Filters of the partner registry.")
class OrganisationFilter:
    kind: str | None = None
    district_code: str | None = None
    help_kind: str | None = None
    text: str | None = None


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="Active organisations of the public partner registry, by name "
                                  f"(at most {MAX_ORGANISATIONS}).")
    async def organisations(self, info: Info, filter: OrganisationFilter | None = None) -> list[Organisation]:
        wanted = filter or OrganisationFilter()
        kind, district_code = check_text(wanted.kind, "kind"), check_text(wanted.district_code, "districtCode")
        help_kind, text = check_text(wanted.help_kind, "helpKind"), filter_text(wanted.text, "text")

        def unit() -> list[Organisation]:
            rows = partners.public_organisations(kind=kind, district_code=district_code, help_kind=help_kind,
                                                 text=text)
            return [Organisation.from_model(org) for org in rows[:MAX_ORGANISATIONS]]

        return await run_unit(info, unit)

    @strawberry.field(description="One active organisation of the registry by its code.")
    async def organisation(self, info: Info, code: str) -> Organisation | None:
        check_text(code, "code")

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
