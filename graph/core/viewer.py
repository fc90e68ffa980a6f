"""`viewer`: who the gateway thinks is asking (for clients to adapt their UI)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph.partners.types import OrganisationRef
from graph.unit import run_unit
from portal.partners.models import Organisation


@strawberry.type(description="The caller as the gateway sees it.")
class ViewerInfo:
    signed_in: bool
    username: str
    display_name: str
    roles: list[str]
    organisation: OrganisationRef | None
    institution: OrganisationRef | None
    precinct_ids: list[strawberry.ID]


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="The caller: roles and the organisation or institution it acts for.")
    async def viewer(self, info: Info) -> ViewerInfo:
        viewer = info.context.viewer

        def unit() -> ViewerInfo:
            wanted = [pk for pk in (viewer.organisation_id, viewer.institution_id) if pk]
            found = Organisation.objects.in_bulk(wanted) if wanted else {}
            org = found.get(viewer.organisation_id) if viewer.organisation_id else None
            inst = found.get(viewer.institution_id) if viewer.institution_id else None
            return ViewerInfo(
                signed_in=not viewer.is_anonymous, username=viewer.username, display_name=viewer.display_name,
                roles=sorted(str(role) for role in viewer.roles),
                organisation=OrganisationRef.from_model(org) if org else None,
                institution=OrganisationRef.from_model(inst) if inst else None,
                precinct_ids=[strawberry.ID(str(pk)) for pk in sorted(viewer.precinct_ids)],
            )

        return await run_unit(info, unit)
