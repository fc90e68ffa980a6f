"""The partner registry as Open Referral HSDS 3.0 JSON: every object of every endpoint is checked
recursively against compact expectations derived from the HSDS 3.0 schema files."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from portal.partners.models import Agreement, Contact
from portal.testing import factories

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}

# --- Expectations per HSDS 3.0 object (openreferral/specification, schema/*.json) ------------------------
# "s" string, "n" number, "[x]" array of x, "{x}" object x, "[?]" array of a type not modelled here (must be
# empty in our output). Required fields as the schema lists them; properties with their declared types.
# An optional field without a value is left out: the schema declares a type, never null.
S, N = "s", "n"
SPEC: dict[str, dict[str, Any]] = {
    "organization": {
        "required": {"id", "name", "description"},
        "props": {"id": S, "name": S, "alternate_name": S, "description": S, "email": S, "website": S,
                  "year_incorporated": N, "legal_status": S, "logo": S, "uri": S, "parent_organization_id": S,
                  "organization_identifiers": "[?]", "programs": "[?]", "contacts": "[contact]",
                  "locations": "[location]", "fundings": "[?]", "phones": "[phone]", "attributes": "[attribute]",
                  "metadata": "[?]",
                  # Not in the schema: the organisation's services, served for convenience.
                  "services": "[service]"},
    },
    "service": {
        "required": {"id", "name", "status"},
        "props": {"id": S, "organization_id": S, "program_id": S, "name": S, "alternate_name": S, "description": S,
                  "url": S, "email": S, "status": S, "interpretation_services": S, "application_process": S,
                  "fees_description": S, "accreditations": S, "eligibility_description": S, "minimum_age": N,
                  "maximum_age": N, "assured_date": S, "assurer_email": S, "alert": S, "schedules": "[?]",
                  "languages": "[language]", "program": "{?}", "fundings": "[?]", "required_documents": "[?]",
                  "service_at_locations": "[service_at_location]", "phones": "[phone]",
                  "organization": "{organization}", "contacts": "[contact]", "cost_options": "[?]",
                  "service_areas": "[service_area]", "attributes": "[attribute]", "metadata": "[?]"},
        "enums": {"status": {"active", "inactive", "defunct", "temporarily closed"}},
    },
    "location": {
        "required": {"id", "location_type"},
        "props": {"id": S, "location_type": S, "url": S, "organization_id": S, "name": S, "alternate_name": S,
                  "description": S, "transportation": S, "latitude": N, "longitude": N, "external_identifier": S,
                  "external_identifier_type": S, "phones": "[phone]", "accessibility": "[?]",
                  "contacts": "[contact]", "schedules": "[?]", "languages": "[language]",
                  # The schema file's generated plural is "addresss"; HSDS 3.0 names the array "addresses".
                  "addresses": "[address]", "attributes": "[attribute]", "metadata": "[?]"},
        "enums": {"location_type": {"physical", "postal", "virtual"}},
    },
    "address": {
        "required": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
        "props": {"id": S, "location_id": S, "attention": S, "address_1": S, "address_2": S, "city": S, "region": S,
                  "state_province": S, "postal_code": S, "country": S, "address_type": S,
                  "attributes": "[attribute]", "metadata": "[?]"},
        "enums": {"address_type": {"physical", "postal", "virtual"}},
    },
    "service_area": {
        "required": {"id"},
        "props": {"id": S, "service_id": S, "name": S, "description": S, "extent": S, "extent_type": S, "uri": S,
                  "attributes": "[attribute]", "metadata": "[?]"},
    },
    "service_at_location": {
        "required": {"id"},
        "props": {"id": S, "service_id": S, "location_id": S, "description": S, "phones": "[phone]",
                  "location": "{location}", "contacts": "[contact]", "schedules": "[?]",
                  "attributes": "[attribute]", "metadata": "[?]"},
    },
    "phone": {
        "required": {"id", "number"},
        "props": {"id": S, "location_id": S, "service_id": S, "organization_id": S, "contact_id": S,
                  "service_at_location_id": S, "number": S, "extension": N, "type": S, "description": S,
                  "languages": "[language]", "attributes": "[attribute]", "metadata": "[?]"},
    },
    "contact": {
        "required": {"id"},
        "props": {"id": S, "organization_id": S, "service_id": S, "service_at_location_id": S, "location_id": S,
                  "name": S, "title": S, "department": S, "email": S, "phones": "[phone]",
                  "attributes": "[attribute]", "metadata": "[?]"},
    },
    "attribute": {
        "required": {"id", "link_type"},
        "props": {"id": S, "link_id": S, "taxonomy_term_id": S, "link_type": S, "link_entity": S, "value": S,
                  "taxonomy_term": "{taxonomy_term}", "metadata": "[?]"},
    },
    "taxonomy": {
        "required": {"id", "name", "description"},
        "props": {"id": S, "name": S, "description": S, "uri": S, "metadata": "[?]"},
    },
    "taxonomy_term": {
        "required": {"id", "name", "description"},
        "props": {"id": S, "code": S, "name": S, "description": S, "parent_id": S, "taxonomy": "{taxonomy}",
                  "language": S, "taxonomy_id": S, "term_uri": S, "metadata": "[?]"},
    },
    "language": {
        "required": {"id"},
        "props": {"id": S, "service_id": S, "location_id": S, "phone_id": S, "name": S, "code": S, "note": S,
                  "attributes": "[attribute]", "metadata": "[?]"},
    },
}


def check(obj: Any, kind: str, path: str = "$") -> int:
    """Assert that `obj` is a valid HSDS `kind` (recursively); returns how many objects were checked."""
    spec = SPEC[kind]
    assert isinstance(obj, dict), f"{path}: {kind} must be an object"
    missing = spec["required"] - set(obj)
    assert not missing, f"{path}: {kind} lacks required {sorted(missing)}"
    unknown = set(obj) - set(spec["props"])
    assert not unknown, f"{path}: {kind} has fields outside HSDS: {sorted(unknown)}"
    checked = 1
    for name, value in obj.items():
        where, expected = f"{path}.{name}", spec["props"][name]
        assert value is not None, f"{where}: null (leave an empty optional field out)"
        if expected == S:
            assert isinstance(value, str), f"{where}: must be a string"
        elif expected == N:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: must be a number"
        elif expected == "[?]":
            assert value == [], f"{where}: unexpected items of a type these expectations do not model"
        elif expected == "{?}":
            raise AssertionError(f"{where}: unexpected object of a type these expectations do not model")
        elif expected.startswith("["):
            assert isinstance(value, list), f"{where}: must be an array"
            checked += sum(check(item, expected[1:-1], f"{where}[{i}]") for i, item in enumerate(value))
        else:
            checked += check(value, expected[1:-1], where)
        if name in spec.get("enums", {}):
            assert value in spec["enums"][name], f"{where}: {value!r} is not one of {sorted(spec['enums'][name])}"
    return checked


def check_page(data: Any, kind: str) -> int:
    assert set(data) == PAGE_KEYS, data.keys()
    assert isinstance(data["contents"], list) and data["size"] == len(data["contents"])
    return sum(check(item, kind, f"$.contents[{i}]") for i, item in enumerate(data["contents"]))


def is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@pytest.fixture
def partners(db: None) -> list[Any]:
    district = factories.district(code="h-district", name="Ленинский район")
    school = factories.organisation(kind="school", code="school-7", name="Школа № 7", district_obj=district,
                                    help_kinds=["pedagogical", "psychological"])
    school.address, school.phone, school.email = "г. Заречный, ул. Гагарина, д. 15", "+7 (342) 200-07-07", "s7@ex.org"
    school.save()
    Contact.objects.create(organisation=school, full_name="Смирнова Ольга", position="социальный педагог",
                           phone="+7 (342) 200-07-08")
    Agreement.objects.create(organisation=school, number="15", signed_on=dt.date(2024, 3, 1))
    police = factories.organisation(kind="police", code="police", name="ОМВД", district_obj=district,
                                    help_kinds=["legal"])
    factories.organisation(kind="ngo", code="closed", name="Закрытый фонд", active=False)
    return [school, police]


def test_meta_and_organizations(partners: list[Any]) -> None:
    client = Client()
    meta = client.get("/registry/hsds/").json()
    assert meta["version"].startswith("3.") and "openapi_url" in meta
    data = client.get("/registry/hsds/organizations").json()
    assert PAGE_KEYS <= set(data) and data["total_items"] == 2 and data["empty"] is False
    for org in data["contents"]:
        assert {"id", "name", "description"} <= set(org) and is_uuid(org["id"])
        assert org["description"]
    names = {o["name"] for o in data["contents"]}
    assert names == {"Школа № 7", "ОМВД"}


def test_full_organization_nests_services_locations_contacts(partners: list[Any]) -> None:
    client = Client()
    listing = client.get("/registry/hsds/organizations", {"full": "true"}).json()
    school = next(o for o in listing["contents"] if o["name"] == "Школа № 7")
    detail = client.get(f"/registry/hsds/organizations/{school['id']}").json()
    assert detail == school
    assert len(detail["services"]) == 2 and all(s["organization_id"] == school["id"] for s in detail["services"])
    location = detail["locations"][0]
    assert location["location_type"] in {"physical", "postal", "virtual"} and is_uuid(location["id"])
    address = location["addresses"][0]
    for key in ("address_1", "city", "state_province", "postal_code", "country", "address_type"):
        assert key in address
    assert address["country"] == "RU" and address["address_1"] == "ул. Гагарина, д. 15"
    assert detail["contacts"][0]["name"] == "Смирнова Ольга" and detail["contacts"][0]["phones"][0]["number"]
    assert any(a.get("value") == "№ 15 от 01.03.2024" for a in detail["attributes"])
    assert detail["phones"][0]["number"] == "+7 (342) 200-07-07"


def test_services_areas_and_links(partners: list[Any]) -> None:
    client = Client()
    services = client.get("/registry/hsds/services").json()
    assert services["total_items"] == 3
    for service in services["contents"]:
        assert {"id", "name", "status"} <= set(service) and service["status"] in {
            "active", "inactive", "defunct", "temporarily closed"}
    school_service = next(s for s in services["contents"] if "Школа № 7" in s["name"])
    one = client.get(f"/registry/hsds/services/{school_service['id']}").json()
    area = one["service_areas"][0]
    assert area["service_id"] == one["id"] and area["name"] == "Ленинский район"
    link = one["service_at_locations"][0]
    assert link["service_id"] == one["id"] and link["location"]["id"] == link["location_id"]
    assert one["organization"]["id"] == one["organization_id"]
    areas = client.get("/registry/hsds/service_areas").json()
    assert areas["total_items"] == 3
    locations = client.get("/registry/hsds/locations").json()
    assert locations["total_items"] == 1  # the police record has no address: no location
    sal = client.get("/registry/hsds/service_at_locations").json()
    assert sal["total_items"] == 2
    terms = client.get("/registry/hsds/taxonomy_terms").json()
    assert any(t["code"] == "legal" for t in terms["contents"])


def test_paging_filters_ids_and_missing(partners: list[Any]) -> None:
    client = Client()
    first = client.get("/registry/hsds/services", {"per_page": 2, "page": 1}).json()
    second = client.get("/registry/hsds/services", {"per_page": 2, "page": 2}).json()
    assert first["size"] == 2 and first["first_page"] and not first["last_page"] and first["total_pages"] == 2
    assert second["size"] == 1 and second["last_page"]
    org_id = next(o["id"] for o in client.get("/registry/hsds/organizations").json()["contents"]
                  if o["name"] == "ОМВД")
    only = client.get("/registry/hsds/services", {"organization_id": org_id}).json()
    assert only["total_items"] == 1
    again = client.get("/registry/hsds/organizations").json()
    assert org_id in {o["id"] for o in again["contents"]}  # ids are stable
    assert client.get("/registry/hsds/organizations/not-a-uuid").status_code == 404
    assert client.get("/registry/hsds/services", {"page": "x"}).status_code == 200


def test_partner_registry_page_filters(partners: list[Any]) -> None:
    client = Client()
    html = client.get("/registry/partners/", {"help": "legal"}).content.decode()
    assert "ОМВД" in html and "Школа № 7" not in html
    html = client.get("/registry/partners/", {"kind": "school"}).content.decode()
    assert "Школа № 7" in html and "№ 15 от 01.03.2024" in html and "Закрытый фонд" not in html


LISTS = [("/registry/hsds/organizations", "organization"), ("/registry/hsds/services", "service"),
         ("/registry/hsds/locations", "location"), ("/registry/hsds/service_at_locations", "service_at_location"),
         ("/registry/hsds/service_areas", "service_area"), ("/registry/hsds/taxonomies", "taxonomy"),
         ("/registry/hsds/taxonomy_terms", "taxonomy_term")]


@pytest.mark.parametrize("path, kind", LISTS)
def test_every_object_of_every_endpoint_follows_the_schema(partners: list[Any], path: str, kind: str) -> None:
    client = Client()
    checked = 0
    for params in ({}, {"full": "true"}):
        listing = client.get(path, {**params, "per_page": 100})
        assert listing.status_code == 200 and listing["Content-Type"].startswith("application/json")
        data = listing.json()
        checked += check_page(data, kind)
        for item in data["contents"]:
            detail = client.get(f"{path}/{item['id']}")
            assert detail.status_code == 200, f"{path}/{item['id']}"
            checked += check(detail.json(), kind, f"{path}/{item['id']}")
    assert checked >= 2


def test_full_objects_nest_every_kind(partners: list[Any]) -> None:
    """The nested documents really contain each object kind, so the recursive check covers them all."""
    seen: set[str] = set()

    def walk(obj: Any, kind: str) -> None:
        seen.add(kind)
        for name, value in obj.items():
            expected = SPEC[kind]["props"][name]
            if expected.startswith("[") and expected != "[?]":
                for item in value:
                    walk(item, expected[1:-1])
            elif expected.startswith("{") and expected != "{?}":
                walk(value, expected[1:-1])

    client = Client()
    for org in client.get("/registry/hsds/organizations", {"full": "true"}).json()["contents"]:
        walk(org, "organization")
    for service in client.get("/registry/hsds/services").json()["contents"]:
        walk(client.get(f"/registry/hsds/services/{service['id']}").json(), "service")
    assert seen == set(SPEC), set(SPEC) - seen


def test_empty_optional_fields_are_left_out(partners: list[Any]) -> None:
    client = Client()
    police = next(o for o in client.get("/registry/hsds/organizations", {"full": "true"}).json()["contents"]
                  if o["name"] == "ОМВД")
    assert "email" not in police and "website" not in police and "alternate_name" not in police
    assert police["phones"] == [] and police["locations"] == []
    service = client.get("/registry/hsds/services", {"organization_id": police["id"]}).json()["contents"][0]
    assert "url" not in service and "email" not in service and "minimum_age" not in service
    assert "null" not in client.get("/registry/hsds/services", {"full": "true"}).content.decode()


def test_taxonomy_uris_resolve(partners: list[Any]) -> None:
    client = Client()
    base = settings.PUBLIC_BASE_URL
    taxonomies = client.get("/registry/hsds/taxonomies").json()["contents"]
    assert {t["name"] for t in taxonomies} == {"help-kinds", "organisation-kinds", "agreements"}
    for item in taxonomies:
        assert item["uri"].startswith(base)
        assert client.get(item["uri"][len(base):]).json() == item
    terms = client.get("/registry/hsds/taxonomy_terms", {"per_page": 100}).json()["contents"]
    for term in terms:
        assert term["term_uri"].startswith(base)
        assert client.get(term["term_uri"][len(base):]).json() == term
        assert client.get(term["taxonomy"]["uri"][len(base):]).status_code == 200
        assert term["taxonomy_id"] == term["taxonomy"]["id"]
    org = client.get("/registry/hsds/organizations", {"full": "true"}).json()["contents"][0]
    for attribute in org["attributes"]:
        term = client.get(f"/registry/hsds/taxonomy_terms/{attribute['taxonomy_term_id']}")
        assert term.status_code == 200 and term.json() == attribute["taxonomy_term"]
    assert client.get("/registry/hsds/taxonomies/nope").status_code == 404
    assert client.get("/registry/hsds/taxonomy_terms/nope").status_code == 404
