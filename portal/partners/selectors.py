"""Reads of the partner registry (реестр субъектов межведомственного взаимодействия)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from portal.partners.models import Agreement, Contact, Organisation, OrganisationKind


def public_organisations(
    *, kind: str | None = None, district_code: str | None = None, help_kind: str | None = None,
    text: str | None = None,
) -> QuerySet[Organisation]:
    """Active organisations of the public registry, filtered; contacts and agreements prefetched."""
    organisations = Organisation.objects.filter(active=True).select_related("district").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.order_by("full_name")),
        Prefetch("agreements", queryset=Agreement.objects.order_by("-signed_on")),
    )
    if kind:
        organisations = organisations.filter(kind=kind)
    if district_code:
        organisations = organisations.filter(district__code=district_code)
    if help_kind:
        # JSON containment is not portable to SQLite: filter the (small) list by the text form.
        organisations = organisations.filter(help_kinds__icontains=f'"{help_kind}"')
    if text:
        organisations = organisations.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    return organisations.order_by("name")


def organisation_by_group(group_path: str) -> Organisation | None:
    """`/partners/<code>` → active partner, `/institutions/<code>` → active institution, else None."""
    parts = group_path.strip("/").split("/")
    if len(parts) != 2 or parts[0] not in ("partners", "institutions"):
        return None
    organisation = Organisation.objects.filter(code=parts[1], active=True).first()
    if organisation is None:
        return None
    if (parts[0] == "institutions") != (organisation.kind == OrganisationKind.SOCIAL_SERVICE):
        return None
    return organisation


def institutions() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.SOCIAL_SERVICE, active=True).order_by("name")


# --- Agreements on interaction (seed 004 rows 31–32): a partner acts only while one is in force ---------------

@dataclass(frozen=True)
class AgreementStanding:
    """Whether an organisation may take and report measures on a day: institutions (social-service providers)
    need no agreement; a partner needs one in force (signed, not yet expired)."""

    needed: bool
    in_force: bool
    #: The end of the agreement in force (None: open-ended), or of the last one when none is in force.
    ends_on: dt.date | None = None

    @property
    def allows_work(self) -> bool:
        return not self.needed or self.in_force


def agreements_in_force(on: dt.date, prefix: str = "") -> Q:
    """Agreements in force on a day: signed on or before it and not expired before it."""
    return Q(**{f"{prefix}signed_on__lte": on}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on}))


def organisations_working_on(on: dt.date) -> Q:
    """Filter on `Organisation`: institutions, and partners with an agreement in force on the day."""
    in_force = Agreement.objects.filter(agreements_in_force(on), organisation_id=OuterRef("pk"))
    return Q(kind=OrganisationKind.SOCIAL_SERVICE) | Q(Exists(in_force))


def agreement_standing(*, organisation: Organisation, on: dt.date) -> AgreementStanding:
    if organisation.is_institution:
        return AgreementStanding(needed=False, in_force=True)
    agreements = list(Agreement.objects.filter(organisation=organisation, signed_on__lte=on)
                      .order_by(F("expires_on").desc(nulls_first=True)).values_list("expires_on", flat=True))
    current = [ends for ends in agreements if ends is None or ends >= on]
    if current:
        return AgreementStanding(needed=True, in_force=True, ends_on=current[0])
    return AgreementStanding(needed=True, in_force=False, ends_on=agreements[0] if agreements else None)


def agreements_ending(*, on: dt.date, within_days: int) -> QuerySet[Agreement]:
    """Agreements in force on `on` that end within `within_days` with no later agreement of the same
    organisation in force after them (the coordinators' reminder 30 days before)."""
    horizon = on + dt.timedelta(days=within_days)
    successor = Agreement.objects.filter(organisation_id=OuterRef("organisation_id"), signed_on__lte=OuterRef(
        "expires_on")).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return (Agreement.objects.filter(agreements_in_force(on), expires_on__lte=horizon, organisation__active=True)
            .exclude(organisation__kind=OrganisationKind.SOCIAL_SERVICE).exclude(Exists(successor))
            .select_related("organisation").order_by("expires_on", "organisation__name"))
