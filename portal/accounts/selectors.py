"""Building a Viewer for a signed-in Django user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from portal.accounts.models import StaffProfile
from portal.core.viewer import Role, Viewer
from portal.partners.models import OrganisationKind
from portal.territory.models import Precinct

ROLE_VALUES = {role.value for role in Role}


def viewer_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Viewer:
    if user is None or not user.is_authenticated:
        return Viewer.anonymous()
    roles = {Role(name) for name in user.groups.values_list("name", flat=True) if name in ROLE_VALUES}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    profile = StaffProfile.objects.select_related("organisation").filter(user=user).first()
    organisation = profile.organisation if profile and profile.organisation and profile.organisation.active else None
    org_id = org_code = inst_id = inst_code = None
    if organisation is not None:
        if organisation.kind == OrganisationKind.SOCIAL_SERVICE:
            inst_id, inst_code = organisation.pk, organisation.code
        else:
            org_id, org_code = organisation.pk, organisation.code
    precincts = frozenset(Precinct.objects.filter(officer__user=user).values_list("pk", flat=True))
    return Viewer(
        subject=(profile.subject if profile and profile.subject else f"django:{user.pk}"),
        username=user.get_username(),
        display_name=user.get_full_name() or user.get_username(),
        roles=frozenset(roles),
        organisation_id=org_id,
        organisation_code=org_code,
        institution_id=inst_id,
        institution_code=inst_code,
        precinct_ids=precincts,
        user_id=user.pk,
    )
