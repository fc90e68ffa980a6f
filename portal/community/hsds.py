"""The partner registry in Open Referral HSDS 3.0 (Human Services Data Specification).

Mapping: an active Organisation → `organization`; each kind of help it provides → a `service`;
its office → a physical `location` (with `address`); the service is offered there
(`service_at_location`) and for the organisation's district (`service_area`). The kind of the
organisation, kinds of help and agreements are `attributes` with terms of the portal's taxonomies.
Ids are UUIDv5 derived from stable codes, so they survive re-imports.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.partners.models import HelpKind, Organisation, OrganisationKind, ServiceCapacity
from portal.partners.selectors import public_organisations

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:social-support-portal:hsds")
MAX_PER_PAGE = 100
#: `minimal=true` aims to return every service in one page (ids and modification times only).
MAX_MINIMAL_PER_PAGE = 10000
COUNTRY = "RU"


def hsds_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    with translation.override(settings.LANGUAGE_CODE):
        return ({k: str(v) for k, v in HelpKind.choices}, {k: str(v) for k, v in OrganisationKind.choices})


def _region() -> str:
    return str(getattr(settings, "HSDS_REGION_NAME", "") or getattr(settings, "WAGTAIL_SITE_NAME", ""))


def _compact(**fields: Any) -> dict[str, Any]:
    """An HSDS object without its empty optional fields: HSDS declares them as strings or numbers, so
    an absent value is left out rather than sent as JSON null."""
    return {name: value for name, value in fields.items() if value is not None}


TAXONOMIES: dict[str, str] = {
    "help-kinds": "Виды помощи (ФЗ-442, ст. 22)",
    "organisation-kinds": "Виды субъектов межведомственного взаимодействия",
    "agreements": "Соглашения о взаимодействии",
    # HSDS 3.1's `service_capacity` as attributes of the service (3.0 has no capacity object): the term is the
    # unit, the value the capacity; "<unit>-available" the places free now.
    "service_capacity": "Вместимость ресурсов: койки, места, слоты (service_capacity)",
}


def _base() -> str:
    return f"{settings.PUBLIC_BASE_URL}/registry/hsds"


def taxonomy(name: str) -> dict[str, Any]:
    taxonomy_id = hsds_id("taxonomy", name)
    return {"id": taxonomy_id, "name": name, "description": TAXONOMIES.get(name, name),
            "uri": f"{_base()}/taxonomies/{taxonomy_id}", "metadata": []}


def taxonomies() -> list[dict[str, Any]]:
    return [taxonomy(name) for name in TAXONOMIES]


def taxonomy_term(taxonomy_name: str, code: str, name: str) -> dict[str, Any]:
    """A term; `taxonomy` names its taxonomy (a string in HSDS 3.0), `taxonomy_detail` is the object."""
    term_id = hsds_id("term", taxonomy_name, code)
    return {"id": term_id, "code": code, "name": name, "description": name, "taxonomy": taxonomy_name,
            "taxonomy_detail": taxonomy(taxonomy_name), "language": "ru",
            "taxonomy_id": hsds_id("taxonomy", taxonomy_name), "term_uri": f"{_base()}/taxonomy_terms/{term_id}",
            "metadata": []}


def _attribute(link_id: str, link_entity: str, taxonomy_name: str, code: str, label: str,
               value: str | None = None) -> dict[str, Any]:
    term = taxonomy_term(taxonomy_name, code, label)
    return _compact(id=hsds_id("attribute", link_id, taxonomy_name, code, value or ""), link_id=link_id,
                    taxonomy_term_id=term["id"], link_type=taxonomy_name, link_entity=link_entity, value=value,
                    taxonomy_term=term, metadata=[])


def _phone(number: str, *, owner: str, owner_id: str, description: str = "") -> dict[str, Any]:
    return _compact(id=hsds_id("phone", owner, owner_id, number), **{f"{owner}_id": owner_id}, number=number,
                    type="voice", description=description or None, languages=[], attributes=[], metadata=[])


def _city(organisation: Organisation) -> str:
    address = organisation.address or ""
    if "," in address:
        return address.split(",")[0].strip()
    return organisation.district.centre if organisation.district else ""


def location(organisation: Organisation) -> dict[str, Any] | None:
    if not organisation.address:
        return None
    location_id = hsds_id("location", organisation.code)
    first, _, rest = organisation.address.partition(",")
    address = _compact(
        id=hsds_id("address", organisation.code), location_id=location_id,
        address_1=(rest.strip() if rest else first.strip()) or organisation.address,
        city=_city(organisation), region=organisation.district.name if organisation.district else None,
        state_province=_region(), postal_code="", country=COUNTRY, address_type="physical",
        attributes=[], metadata=[],
    )
    return {
        "id": location_id, "location_type": "physical",
        "organization_id": hsds_id("organization", organisation.code),
        "name": organisation.short_name or organisation.name,
        "languages": [{"id": hsds_id("language", location_id, "ru"), "location_id": location_id,
                       "name": "Русский", "code": "ru", "attributes": [], "metadata": []}],
        # «addresses»: the released HSDS 3.0 name of this array.
        "addresses": [address], "contacts": [],
        "phones": [_phone(organisation.phone, owner="location", owner_id=location_id)] if organisation.phone else [],
        "schedules": [], "attributes": [], "metadata": [],
    }


def service_area(organisation: Organisation, kind: str) -> dict[str, Any]:
    service_id = hsds_id("service", organisation.code, kind)
    district = organisation.district
    return _compact(
        id=hsds_id("service_area", organisation.code, kind), service_id=service_id,
        name=district.name if district else _region(),
        description=(district.centre or None) if district else None,
        uri=f"{settings.PUBLIC_BASE_URL}/registry/partners/?district={district.code}" if district else None,
        attributes=[], metadata=[],
    )


def service_at_location(organisation: Organisation, kind: str, *, nested: bool = True,
                        with_service: bool = False, modified: dt.datetime | None = None) -> dict[str, Any] | None:
    """The service offered at the organisation's office; `with_service` nests the service itself (the
    compiled HSDS object served at /service_at_locations/{id}, never inside a service: no cycle)."""
    where = location(organisation)
    if where is None:
        return None
    service_id = hsds_id("service", organisation.code, kind)
    item: dict[str, Any] = {
        "id": hsds_id("service_at_location", organisation.code, kind), "service_id": service_id,
        "location_id": where["id"],
    }
    if nested:
        item.update({"contacts": [], "phones": [], "schedules": [], "location": where, "attributes": [],
                     "metadata": []})
    if with_service:
        item["service"] = service(organisation, kind, nested=False, modified=modified)
    return item


def service(organisation: Organisation, kind: str, *, nested: bool = True,
            modified: dt.datetime | None = None) -> dict[str, Any]:
    help_labels, _kinds = _labels()
    service_id = hsds_id("service", organisation.code, kind)
    label = help_labels.get(kind, kind)
    item = _compact(
        id=service_id, organization_id=hsds_id("organization", organisation.code),
        name=f"{label.capitalize()} помощь — {organisation.short_name or organisation.name}",
        description=f"{label.capitalize()} помощь в рамках межведомственного взаимодействия "
                    f"по социальному сопровождению.",
        url=organisation.website or None, email=organisation.email or None, status="active",
        application_process="Через специалиста по социальному сопровождению или социального участкового.",
        fees_description="Бесплатно", last_modified=_timestamp(modified),
    )
    if nested:
        at_location = service_at_location(organisation, kind, nested=True)
        item.update({
            "phones": [_phone(organisation.phone, owner="service", owner_id=service_id)] if organisation.phone else [],
            "schedules": [], "service_areas": [service_area(organisation, kind)],
            "service_at_locations": [at_location] if at_location else [],
            "languages": [], "organization": organization(organisation, nested=False), "funding": [],
            "cost_options": [], "required_documents": [], "contacts": [],
            "attributes": [_attribute(service_id, "service", "help-kinds", kind, label),
                           *capacity_attributes(organisation, kind, service_id)], "metadata": [],
        })
    return item


def _capacity_units() -> dict[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        return {k: str(v) for k, v in ServiceCapacity.Unit.choices}


def capacity_attributes(organisation: Organisation, kind: str, service_id: str) -> list[dict[str, Any]]:
    """The service's capacities (койки, места, слоты) as `service_capacity` attributes."""
    units = _capacity_units()
    found = []
    for capacity in organisation.capacities.all():
        if capacity.help_kind != kind:
            continue
        label = units.get(capacity.unit, capacity.unit)
        found.append(_attribute(service_id, "service", "service_capacity", capacity.unit, label,
                                value=str(capacity.maximum)))
        if capacity.available is not None:
            found.append(_attribute(service_id, "service", "service_capacity", f"{capacity.unit}-available",
                                    f"{label}: свободно", value=str(capacity.available)))
    return found


def minimal_service(organisation: Organisation, kind: str, modified: dt.datetime | None) -> dict[str, Any]:
    """`minimal=true` of /services: just the id and the modification time (when known)."""
    return _compact(id=hsds_id("service", organisation.code, kind), modified_date=_timestamp(modified))


def _contact(organisation: Organisation, org_id: str, contact: Any) -> dict[str, Any]:
    contact_id = hsds_id("contact", organisation.code, contact.pk)
    return _compact(
        id=contact_id, organization_id=org_id, name=contact.full_name, title=contact.position or None,
        email=contact.email or None,
        phones=[_phone(contact.phone, owner="contact", owner_id=contact_id)] if contact.phone else [],
        attributes=[], metadata=[],
    )


def organization(organisation: Organisation, *, nested: bool = True, full_services: bool = False,
                 modified: dt.datetime | None = None) -> dict[str, Any]:
    """The organisation; nested, with its locations, contacts, attributes and services (each service with
    its one-to-one fields, or fully nested with `full_services`)."""
    _help, kind_labels = _labels()
    org_id = hsds_id("organization", organisation.code)
    item = _compact(
        id=org_id, name=organisation.name, alternate_name=organisation.short_name or None,
        description=organisation.description or kind_labels.get(organisation.kind, organisation.kind),
        email=organisation.email or None, website=organisation.website or None,
        uri=f"{settings.PUBLIC_BASE_URL}/registry/partners/#org-{organisation.code}",
    )
    if nested:
        where = location(organisation)
        attributes = [_attribute(org_id, "organization", "organisation-kinds", organisation.kind,
                                 kind_labels.get(organisation.kind, organisation.kind))]
        attributes += [
            _attribute(org_id, "organization", "agreements", "agreement", "Соглашение о взаимодействии",
                       f"№ {a.number} от {a.signed_on:%d.%m.%Y}" + (f" до {a.expires_on:%d.%m.%Y}" if a.expires_on
                                                                    else ""))
            for a in organisation.agreements.all()
        ]
        item.update({
            "funding": [],
            "contacts": [_contact(organisation, org_id, c) for c in organisation.contacts.all()],
            "phones": [_phone(organisation.phone, owner="organization", owner_id=org_id)] if organisation.phone else [],
            "locations": [where] if where else [], "programs": [], "organization_identifiers": [],
            # `services`: part of the compiled (fully nested) HSDS 3.0 organization.
            "services": [service(organisation, kind, nested=full_services, modified=modified)
                         for kind in organisation.help_kinds if kind in HelpKind.values],
            "attributes": attributes, "metadata": [],
        })
    return item


def page(items: list[dict[str, Any]], *, total: int, page_number: int, per_page: int) -> dict[str, Any]:
    """The HSDS API `Page` envelope."""
    total_pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return {"total_items": total, "total_pages": total_pages, "page_number": page_number, "size": len(items),
            "first_page": page_number == 1, "last_page": page_number >= total_pages, "empty": not items,
            "contents": items}


def organisations(search: str | None = None) -> QuerySet[Organisation]:
    return public_organisations(text=search or None)


def paginate(items: Iterable[Any], page_number: int, per_page: int) -> tuple[list[Any], int]:
    items = list(items)
    start = (page_number - 1) * per_page
    return items[start:start + per_page], len(items)


def all_services() -> list[tuple[Organisation, str]]:
    return [(o, kind) for o in organisations() for kind in o.help_kinds if kind in HelpKind.values]


def meta() -> dict[str, Any]:
    base = f"{settings.PUBLIC_BASE_URL}/registry/hsds"
    return {
        "version": HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/3.0/",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
        "description": "Реестр субъектов межведомственного взаимодействия по социальному сопровождению "
                       f"(HSDS {HSDS_VERSION}): {base}/organizations, {base}/services, {base}/locations, "
                       f"{base}/service_at_locations, {base}/service_areas, {base}/taxonomies, {base}/taxonomy_terms",
        "publisher": {"name": str(getattr(settings, "WAGTAIL_SITE_NAME", "")),
                      "email": settings.DEFAULT_FROM_EMAIL, "website": settings.PUBLIC_BASE_URL},
    }


def _timestamp(moment: dt.datetime | None) -> str | None:
    """An HSDS date-time (UTC, millisecond accuracy as the schema asks)."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def last_modified(organisations: Iterable[Organisation]) -> dict[int, dt.datetime]:
    """When each organisation, its agreements or its contacts last changed, from the audit trail (every
    write of the partner registry is audited); one query. An organisation with no audited change since it
    was loaded has no entry: its modification time is unknown."""
    owners: dict[tuple[str, str], int] = {}
    for organisation in organisations:
        owners[("partners.organisation", str(organisation.pk))] = organisation.pk
        owners.update({("partners.agreement", str(a.pk)): organisation.pk for a in organisation.agreements.all()})
        owners.update({("partners.contact", str(c.pk)): organisation.pk for c in organisation.contacts.all()})
    if not owners:
        return {}
    wanted = Q()
    for object_type in {t for t, _pk in owners}:
        wanted |= Q(object_type=object_type, object_id__in=[pk for t, pk in owners if t == object_type])
    rows = (AuditEvent.objects.filter(wanted).exclude(action=AuditEvent.Action.ATTEMPT)
            .values("object_type", "object_id").annotate(last=Max("at")))
    latest: dict[int, dt.datetime] = {}
    for row in rows:
        owner = owners[(row["object_type"], row["object_id"])]
        if owner not in latest or row["last"] > latest[owner]:
            latest[owner] = row["last"]
    return latest


def taxonomy_terms() -> list[dict[str, Any]]:
    """Terms of the portal's taxonomies (kinds of help, kinds of organisation, agreements, capacity units)."""
    help_labels, kind_labels = _labels()
    return ([taxonomy_term("help-kinds", k, v) for k, v in help_labels.items()]
            + [taxonomy_term("organisation-kinds", k, v) for k, v in kind_labels.items()]
            + [taxonomy_term("agreements", "agreement", "Соглашение о взаимодействии")]
            + [term for unit, label in _capacity_units().items() for term in (
                taxonomy_term("service_capacity", unit, label),
                taxonomy_term("service_capacity", f"{unit}-available", f"{label}: свободно"))])
