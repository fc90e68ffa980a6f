"""Writes of the partner registry: organisations, agreements (соглашения о взаимодействии), contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.core.errors import NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.partners.models import Agreement, Contact, HelpKind, Organisation, OrganisationKind
from search.outbox import enqueue

EDITABLE_FIELDS = ("name", "short_name", "kind", "district_id", "address", "phone", "email", "website",
                   "description", "help_kinds", "active")


def _require_registry_admin(viewer: Viewer) -> None:
    if not viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        raise PermissionDenied(_("Only coordinators and administrators may change the partner registry."))


def _validate(fields: dict[str, Any]) -> None:
    if "kind" in fields and fields["kind"] not in OrganisationKind.values:
        raise ValidationFailed(_("Unknown kind of organisation."), field="kind")
    unknown = [k for k in fields.get("help_kinds", []) if k not in HelpKind.values]
    if unknown:
        raise ValidationFailed(_("Unknown kinds of help: %(kinds)s."), field="help_kinds", kinds=", ".join(unknown))
    if "name" in fields and not str(fields["name"]).strip():
        raise ValidationFailed(_("Enter the name of the organisation."), field="name")


@audit.audited_write("organisation.create", object_type="partners.organisation")
def create_organisation(*, viewer: Viewer, code: str, name: str, kind: str, **fields: Any) -> Organisation:
    _require_registry_admin(viewer)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown)))
    _validate({"name": name, "kind": kind, **fields})
    if Organisation.objects.filter(code=code).exists():
        raise ValidationFailed(_("An organisation with code “%(code)s” already exists."), field="code", code=code)
    organisation = Organisation.objects.create(code=code, name=name.strip(), kind=kind, **fields)
    audit.record_created(viewer=viewer, verb="organisation.create", obj=organisation)
    enqueue("organisation", organisation.pk)
    return organisation


@audit.audited_write("organisation.update", object_type="partners.organisation", id_arg="organisation_id")
def update_organisation(*, viewer: Viewer, organisation_id: int, **changes: Any) -> Organisation:
    _require_registry_admin(viewer)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown)))
    _validate(changes)
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(_("Organisation not found."))
    before = audit.snapshot(organisation, changes.keys())
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.save()
    audit.record_changed(viewer=viewer, verb="organisation.update", obj=organisation, before=before)
    enqueue("organisation", organisation.pk)
    return organisation


@audit.audited_write("agreement.create", object_type="partners.organisation", id_arg="organisation_id")
def add_agreement(
    *, viewer: Viewer, organisation_id: int, number: str, signed_on: dt.date, expires_on: dt.date | None = None,
    subject: str = "",
) -> Agreement:
    _require_registry_admin(viewer)
    if not number.strip():
        raise ValidationFailed(_("Enter the agreement number."), field="number")
    if expires_on is not None and expires_on < signed_on:
        raise ValidationFailed(_("The agreement cannot expire before it is signed."), field="expires_on")
    if not Organisation.objects.filter(pk=organisation_id).exists():
        raise NotFound(_("Organisation not found."))
    agreement = Agreement.objects.create(organisation_id=organisation_id, number=number.strip(),
                                         signed_on=signed_on, expires_on=expires_on, subject=subject)
    audit.record_created(viewer=viewer, verb="agreement.create", obj=agreement)
    enqueue("organisation", organisation_id)
    return agreement


@audit.audited_write("contact.create", object_type="partners.organisation", id_arg="organisation_id")
def add_contact(
    *, viewer: Viewer, organisation_id: int, full_name: str, position: str = "", phone: str = "", email: str = "",
    receives_assignments: bool = False, is_head: bool = False,
) -> Contact:
    _require_registry_admin(viewer)
    if not full_name.strip():
        raise ValidationFailed(_("Enter the contact's name."), field="full_name")
    if not Organisation.objects.filter(pk=organisation_id).exists():
        raise NotFound(_("Organisation not found."))
    contact = Contact.objects.create(organisation_id=organisation_id, full_name=full_name.strip(),
                                     position=position, phone=phone, email=email,
                                     receives_assignments=receives_assignments, is_head=is_head)
    audit.record_created(viewer=viewer, verb="contact.create", obj=contact)
    enqueue("organisation", organisation_id)
    return contact
