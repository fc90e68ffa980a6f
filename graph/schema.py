"""Initial public schema (districts, precincts, partner registry); the gateway issue extends it."""

from __future__ import annotations

import strawberry
from asgiref.sync import sync_to_async
from django.db import close_old_connections


@strawberry.type
class District:
    id: strawberry.ID
    code: str
    name: str
    kind: str
    population: int


@strawberry.type
class Organisation:
    id: strawberry.ID
    code: str
    name: str
    kind: str
    help_kinds: list[str]


def _districts() -> list[District]:
    from portal.territory.models import District as DistrictModel

    close_old_connections()
    try:
        return [District(id=strawberry.ID(str(d.pk)), code=d.code, name=d.name, kind=d.kind,
                         population=d.population) for d in DistrictModel.objects.order_by("name")]
    finally:
        close_old_connections()


def _organisations() -> list[Organisation]:
    from portal.partners.models import Organisation as OrganisationModel

    close_old_connections()
    try:
        return [Organisation(id=strawberry.ID(str(o.pk)), code=o.code, name=o.name, kind=o.kind,
                             help_kinds=list(o.help_kinds)) for o in OrganisationModel.objects.filter(active=True)]
    finally:
        close_old_connections()


@strawberry.type
class Query:
    @strawberry.field
    async def districts(self) -> list[District]:
        return await sync_to_async(_districts, thread_sensitive=False)()

    @strawberry.field
    async def organisations(self) -> list[Organisation]:
        return await sync_to_async(_organisations, thread_sensitive=False)()


schema = strawberry.Schema(query=Query)
