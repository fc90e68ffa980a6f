"""Building a Viewer: the one place that turns who someone is (a verified token's claims, mapped by `identity`,
or a signed-in Django user) into the Viewer every selector and service takes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation, OrganisationKind
from portal.partners.selectors import agreement_standing, organisations_working_on
from portal.territory.models import Precinct

ROLE_VALUES = {role.value for role in Role}


def officer_precinct_ids(*, username: str, user_id: int | None) -> frozenset[int]:
    """Precincts of the person's officer record (социальный участковый): the record linked to their account,
    or — a record not linked to any account yet — the one with their sign-in name."""
    match = Q(pk__in=[])
    if user_id is not None:
        match |= Q(officer__user_id=user_id)
    if username:
        match |= Q(officer__username=username, officer__user__isnull=True)
    return frozenset(Precinct.objects.filter(match).values_list("pk", flat=True))


def account_id(username: str) -> int | None:
    """The Django account of a sign-in name, if the person has signed in to the portal before."""
    if not username:
        return None
    return get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()


def build_viewer(
    *, subject: str, username: str, display_name: str, roles: Iterable[Role], organisation: Organisation | None,
    institution: Organisation | None, user_id: int | None, organisation_works: bool | None = None,
) -> Viewer:
    """The Viewer of a known person: the partner `organisation` they act for and, for staff, their social-service
    `institution`; an officer gets the precincts of its officer record (`officer_precinct_ids`).
    `organisation_works`: whether the organisation may work today (`partners.selectors.organisations_working_on`),
    when the caller read it with the organisation; None reads its agreements here."""
    roles = frozenset(roles)
    if organisation is not None and organisation_works is None:
        organisation_works = agreement_standing(organisation=organisation, on=timezone.localdate()).allows_work
    if organisation is not None and not organisation_works:
        # A partner whose agreements on interaction have all ended keeps its account but acts for no
        # organisation: it sees and reports no measure (seed 004 rows 31–32).
        organisation = None
    return Viewer(
        subject=subject, username=username, display_name=display_name or username, roles=roles,
        organisation_id=organisation.pk if organisation else None,
        organisation_code=organisation.code if organisation else None,
        institution_id=institution.pk if institution else None,
        institution_code=institution.code if institution else None,
        precinct_ids=officer_precinct_ids(username=username, user_id=user_id) if Role.OFFICER in roles
        else frozenset(),
        user_id=user_id,
    )


def viewer_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Viewer:
    """The Viewer of a signed-in Django user: roles from its groups (a superuser is an admin), the organisation
    from its staff profile (`identity.accounts.sync_user` keeps both as the token says). One query (sessions are
    not cached): the user's groups, its profile, the organisation and whether it works today, joined; an
    officer's precincts are one more."""
    if not isinstance(user, AbstractUser) or not user.is_authenticated:
        return Viewer.anonymous()
    working = Organisation.objects.filter(organisations_working_on(timezone.localdate()),
                                          pk=OuterRef("staff_profile__organisation_id"))
    rows = list(get_user_model().objects.filter(pk=user.pk).annotate(organisation_works=Exists(working))
                .values_list("groups__name", "staff_profile__subject", "staff_profile__organisation_id",
                             "staff_profile__organisation__code", "staff_profile__organisation__kind",
                             "staff_profile__organisation__active", "organisation_works"))
    roles = {Role(row[0]) for row in rows if row[0] in ROLE_VALUES}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    first: tuple[Any, ...] = rows[0] if rows else (None,) * 7
    _group, subject, org_id, org_code, org_kind, org_active, works = first
    organisation = Organisation(pk=org_id, code=org_code, kind=org_kind, active=True) \
        if org_id is not None and org_active else None
    institution = organisation if organisation and organisation.kind == OrganisationKind.SOCIAL_SERVICE else None
    return build_viewer(
        subject=subject or f"django:{user.pk}",
        username=user.get_username(), display_name=user.get_full_name() or user.get_username(),
        roles=roles, organisation=None if institution else organisation, institution=institution, user_id=user.pk,
        organisation_works=bool(works),
    )
