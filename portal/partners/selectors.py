"""Reads of the partner registry (реестр субъектов межведомственного взаимодействия)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

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
