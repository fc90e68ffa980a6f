"""Public types of the partner registry (реестр субъектов межведомственного взаимодействия)."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph.core.labels import choice_label
from portal.partners.models import HelpKind, OrganisationKind
from portal.partners.models import Organisation as OrganisationModel


@strawberry.type(description="A value with its label in the caller's language.")
class Choice:
    value: str
    label: str


def help_kind_choices(values: list[str]) -> list[Choice]:
    labels = dict(HelpKind.choices)
    return [Choice(value=value, label=str(labels.get(value, value))) for value in values]


@strawberry.type(description="Agreement on interaction (соглашение о взаимодействии).")
class Agreement:
    number: str
    signed_on: dt.date
    expires_on: dt.date | None
    subject: str


@strawberry.type(description="Contact person of an organisation, as published in the registry.")
class Contact:
    full_name: str
    position: str
    phone: str
    email: str


@strawberry.type(description="A partner organisation or a social-service institution.")
class Organisation:
    id: strawberry.ID
    code: str
    name: str
    short_name: str
    display_name: str
    kind: str
    kind_label: str
    district_code: str | None
    district_name: str | None
    address: str
    phone: str
    email: str
    website: str
    description: str
    help_kinds: list[Choice]
    is_institution: bool
    contacts: list[Contact]
    agreements: list[Agreement]

    @classmethod
    def from_model(cls, org: OrganisationModel, *, with_relations: bool = True) -> Organisation:
        district = org.district if org.district_id else None
        return cls(
            id=strawberry.ID(str(org.pk)), code=org.code, name=org.name, short_name=org.short_name,
            display_name=str(org), kind=org.kind, kind_label=str(org.get_kind_display()),
            district_code=district.code if district else None, district_name=district.name if district else None,
            address=org.address, phone=org.phone, email=org.email, website=org.website,
            description=org.description, help_kinds=help_kind_choices(list(org.help_kinds)),
            is_institution=org.is_institution,
            contacts=[Contact(full_name=c.full_name, position=c.position, phone=c.phone, email=c.email)
                      for c in org.contacts.all()] if with_relations else [],
            agreements=[Agreement(number=a.number, signed_on=a.signed_on, expires_on=a.expires_on,
                                  subject=a.subject) for a in org.agreements.all()] if with_relations else [],
        )


@strawberry.type(description="The organisation responsible for a measure (name and kind only).")
class OrganisationRef:
    id: strawberry.ID
    code: str
    name: str
    display_name: str
    kind: str
    kind_label: str

    @classmethod
    def from_model(cls, org: OrganisationModel) -> OrganisationRef:
        return cls(id=strawberry.ID(str(org.pk)), code=org.code, name=org.name, display_name=str(org),
                   kind=org.kind, kind_label=choice_label(OrganisationKind, org.kind))
