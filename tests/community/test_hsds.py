"""The partner registry as Open Referral HSDS 3.0 JSON: every object of every endpoint, lists and single
items, is validated against the official HSDS 3.0 JSON schemas (tests/community/hsds-3.0), and the API
follows the profile of its openapi.json (paging, trailing slashes, modified_after, full/minimal)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.core.viewer import Viewer
from portal.partners.models import Agreement, Contact
from portal.testing import factories

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}

# --- The official HSDS 3.0 schemas (openreferral/specification, branch 3.0, schema/), copied beside this file
# from ../shared/hsds-3.0 so that a clean clone validates without it. Refs between them ("location.json") are
# resolved through a `referencing` registry of the files. Strict: besides the schema's own rules, no object
# may carry a property the schema does not declare (HSDS names are easy to get wrong: "fundings", "addresss").
SCHEMAS = Path(__file__).with_name("hsds-3.0")


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@functools.cache
def _registry() -> Registry:
    resources = [
        (path.relative_to(SCHEMAS).as_posix(),
         Resource.from_contents(_strict(json.loads(path.read_text(encoding="utf-8"))),
                                default_specification=DRAFT202012))
        for path in SCHEMAS.rglob("*.json") if path.name != "openapi.json"
    ]
    return Registry().with_resources(resources)


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    schema = _registry().contents(name)
    return Draft202012Validator(schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def _openapi() -> dict[str, Any]:
    return json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))


def check(obj: Any, schema: str, where: str = "$") -> int:
    """Assert that `obj` is valid against the HSDS schema file `schema` (e.g. "compiled/service.json")."""
    errors = sorted(_validator(schema).iter_errors(obj), key=lambda e: list(e.absolute_path))
    assert not errors, f"{where} against {schema}:\n" + "\n".join(
        f"  {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:10])
    return 1


def check_page(data: Any, schema: str) -> int:
    """The `Page` envelope of openapi.json (every key present and typed) with each item valid."""
    assert set(data) == PAGE_KEYS, data.keys()
    page_schema = {**_openapi()["components"]["schemas"]["Page"], "required": sorted(PAGE_KEYS - {"contents"})}
    errors = list(Draft202012Validator(page_schema).iter_errors(data))
    assert not errors, [e.message for e in errors]
    assert isinstance(data["contents"], list) and data["size"] == len(data["contents"])
    return sum(check(item, schema, f"$.contents[{i}]") for i, item in enumerate(data["contents"]))


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
    assert client.get("/registry/hsds").json() == meta
    meta_schema = _openapi()["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator(meta_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
                                       ).iter_errors(meta))
    assert not errors and {"version", "profile", "openapi_url"} <= set(meta)
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


#: (list path, schema of a list item, of an item with full=true, of the single item at path/{id}). The list
#: variants of openapi.json (compiled/*_list.json) are not published with the 3.0 schemas: a list item is
#: checked against the object's own schema (its one-to-one fields), full items and single items against
#: the compiled, fully nested schema where openapi.json names one.
ENDPOINTS = [
    ("/registry/hsds/organizations", "organization.json", "compiled/organization.json", "compiled/organization.json"),
    ("/registry/hsds/services", "service.json", "compiled/service.json", "compiled/service.json"),
    ("/registry/hsds/service_at_locations", "service_at_location.json", "compiled/service_at_location.json",
     "compiled/service_at_location.json"),
    ("/registry/hsds/locations", "location.json", "location.json", "location.json"),
    ("/registry/hsds/service_areas", "service_area.json", "service_area.json", "service_area.json"),
    ("/registry/hsds/taxonomies", "taxonomy.json", "taxonomy.json", "taxonomy.json"),
    ("/registry/hsds/taxonomy_terms", "taxonomy_term.json", "taxonomy_term.json", "taxonomy_term.json"),
]


@pytest.mark.parametrize("path, list_schema, full_schema, detail_schema", ENDPOINTS)
def test_every_object_of_every_endpoint_follows_the_official_schema(
        partners: list[Any], path: str, list_schema: str, full_schema: str, detail_schema: str) -> None:
    client = Client()
    checked = 0
    for params, schema in (({}, list_schema), ({"full": "true"}, full_schema), ({"full_service": "true"}, list_schema)):
        for variant in (path, f"{path}/"):  # the profile's paths, with or without the trailing slash
            listing = client.get(variant, {**params, "per_page": 100})
            assert listing.status_code == 200 and listing["Content-Type"].startswith("application/json"), variant
            data = listing.json()
            checked += check_page(data, schema)
            for item in data["contents"]:
                for detail_path in (f"{path}/{item['id']}", f"{path}/{item['id']}/"):
                    detail = client.get(detail_path)
                    assert detail.status_code == 200, detail_path
                    checked += check(detail.json(), detail_schema, detail_path)
    assert checked >= 8


def test_the_check_finds_what_the_schemas_forbid(partners: list[Any]) -> None:
    """The validation is real: the shape the export used to have (a taxonomy object in `taxonomy`) fails."""
    term = Client().get("/registry/hsds/taxonomy_terms").json()["contents"][0]
    with pytest.raises(AssertionError, match="taxonomy"):
        check({**term, "taxonomy": term["taxonomy_detail"]}, "taxonomy_term.json")
    with pytest.raises(AssertionError, match="fundings"):
        check({"id": str(uuid.uuid4()), "name": "x", "status": "active", "fundings": []}, "compiled/service.json")
    with pytest.raises(AssertionError, match="status"):
        check({"id": str(uuid.uuid4()), "name": "x", "status": "open"}, "service.json")


def test_full_objects_nest_every_kind(partners: list[Any]) -> None:
    """The nested documents really hold each kind of object, so the schema check covers them all."""
    client = Client()
    school = next(o for o in client.get("/registry/hsds/organizations", {"full": "true"}).json()["contents"]
                  if o["name"] == "Школа № 7")
    assert school["services"] and school["contacts"][0]["phones"] and school["phones"]
    location = school["locations"][0]
    assert location["addresses"] and location["languages"] and location["phones"]
    kinds = {a["taxonomy_term"]["taxonomy_detail"]["name"] for a in school["attributes"]}
    assert kinds == {"organisation-kinds", "agreements"}
    service = client.get(f"/registry/hsds/services/{school['services'][0]['id']}").json()
    assert service["service_areas"] and service["service_at_locations"][0]["location"]["addresses"]
    assert service["organization"]["id"] == school["id"] and service["attributes"][0]["taxonomy_term"]


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
    assert {t["name"] for t in taxonomies} == {"help-kinds", "organisation-kinds", "agreements", "service_capacity"}
    for item in taxonomies:
        assert item["uri"].startswith(base)
        assert client.get(item["uri"][len(base):]).json() == item
    terms = client.get("/registry/hsds/taxonomy_terms", {"per_page": 100}).json()["contents"]
    for term in terms:
        assert term["term_uri"].startswith(base)
        assert client.get(term["term_uri"][len(base):]).json() == term
        assert client.get(term["taxonomy_detail"]["uri"][len(base):]).status_code == 200
        assert term["taxonomy_id"] == term["taxonomy_detail"]["id"] and term["taxonomy"] == term["taxonomy_detail"][
            "name"]
    org = client.get("/registry/hsds/organizations", {"full": "true"}).json()["contents"][0]
    for attribute in org["attributes"]:
        term = client.get(f"/registry/hsds/taxonomy_terms/{attribute['taxonomy_term_id']}")
        assert term.status_code == 200 and term.json() == attribute["taxonomy_term"]
    assert client.get("/registry/hsds/taxonomies/nope").status_code == 404
    assert client.get("/registry/hsds/taxonomy_terms/nope").status_code == 404


# --- The API profile of openapi.json -------------------------------------------------------------------

def test_a_page_past_the_end_is_empty(partners: list[Any]) -> None:
    data = Client().get("/registry/hsds/services", {"page": 9, "per_page": 2}).json()
    assert data["contents"] == [] and data["size"] == 0 and data["empty"] is True
    assert data["last_page"] is True and data["first_page"] is False and data["total_items"] == 3
    first = Client().get("/registry/hsds/services", {"page": 1, "per_page": 2}).json()
    assert first["empty"] is False


def test_modified_after_follows_the_audit_trail(partners: list[Any]) -> None:
    from portal.partners import services as partner_services

    _school, police = partners
    client = Client()
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    # Loaded without an audited change: their modification time is unknown, so nothing is "modified after".
    assert client.get("/registry/hsds/services", {"modified_after": before.isoformat()}).json()["total_items"] == 0
    partner_services.update_organisation(viewer=Viewer.system("hsds-test"), organisation_id=police.pk,
                                         description="Отдел МВД")
    for params in ({"modified_after": before.isoformat()}, {"modified_after": before.date().isoformat()},
                   {"modified_after": before.strftime("%Y-%m-%dT%H:%M:%S")}):
        changed = client.get("/registry/hsds/services", params).json()
        assert [s["name"] for s in changed["contents"]] == ["Правовая помощь — ОМВД"], params
        check_page(changed, "service.json")
        assert changed["contents"][0]["last_modified"].endswith("Z")
        sal = client.get("/registry/hsds/service_at_locations", params).json()
        assert sal["total_items"] == 0  # the police record has no address: no location
        orgs = client.get("/registry/hsds/organizations", params).json()
        assert [o["name"] for o in orgs["contents"]] == ["ОМВД"]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    assert client.get("/registry/hsds/services", {"modified_after": later}).json()["total_items"] == 0
    for bad in ("вчера", "2026-13-45", "2026-02-30T10:00:00", "\x00"):
        refused = client.get("/registry/hsds/services", {"modified_after": bad})
        assert refused.status_code == 400 and refused.json()["error"] == "bad_request", bad


def test_minimal_and_full_service_variants(partners: list[Any]) -> None:
    client = Client()
    minimal = client.get("/registry/hsds/services", {"minimal": "true"}).json()
    assert minimal["total_items"] == 3 and minimal["size"] == 3 and minimal["total_pages"] == 1
    assert all(set(item) <= {"id", "modified_date"} and is_uuid(item["id"]) for item in minimal["contents"])
    full_service = client.get("/registry/hsds/organizations", {"full": "true", "full_service": "true"}).json()
    school = next(o for o in full_service["contents"] if o["name"] == "Школа № 7")
    check(school, "compiled/organization.json")
    assert school["services"][0]["service_areas"] and school["services"][0]["organization"]["id"] == school["id"]
    plain = client.get(f"/registry/hsds/organizations/{school['id']}").json()
    assert "service_areas" not in plain["services"][0]
    detail = client.get(f"/registry/hsds/organizations/{school['id']}", {"full_service": "true"}).json()
    assert detail == school
    sal = client.get("/registry/hsds/service_at_locations", {"full": "true"}).json()["contents"][0]
    assert sal["service"]["id"] == sal["service_id"] and sal["location"]["id"] == sal["location_id"]
    assert client.get(f"/registry/hsds/service_at_locations/{sal['id']}").json() == sal


def test_taxonomy_filters(partners: list[Any]) -> None:
    client = Client()
    taxonomies = {t["name"]: t["id"] for t in client.get("/registry/hsds/taxonomies").json()["contents"]}
    help_terms = client.get("/registry/hsds/taxonomy_terms", {"taxonomy_id": taxonomies["help-kinds"],
                                                              "per_page": 100}).json()
    assert help_terms["total_items"] == 8 and {t["taxonomy"] for t in help_terms["contents"]} == {"help-kinds"}
    assert client.get("/registry/hsds/taxonomy_terms", {"parent_id": help_terms["contents"][0]["id"]}).json()[
        "empty"] is True
    assert client.get("/registry/hsds/taxonomy_terms", {"top_only": "true"}).json()["total_items"] > 8
    assert client.get("/registry/hsds/taxonomies", {"search": "соглашения"}).json()["total_items"] == 1
    services = client.get("/registry/hsds/services", {"taxonomy_id": taxonomies["help-kinds"]}).json()
    assert services["total_items"] == 3
    assert client.get("/registry/hsds/services", {"taxonomy_id": taxonomies["agreements"]}).json()["empty"] is True
    legal = next(t["id"] for t in help_terms["contents"] if t["code"] == "legal")
    assert client.get("/registry/hsds/service_at_locations", {"taxonomy_term_id": legal}).json()["empty"] is True


def test_ndjson_streams_every_item_without_paging(partners: list[Any]) -> None:
    client = Client()
    response = client.get("/registry/hsds/services", {"format": "ndjson", "per_page": 1, "full": "true"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        check(json.loads(line), "compiled/service.json")
    terms = b"".join(client.get("/registry/hsds/taxonomy_terms/", {"format": "ndjson"}).streaming_content)
    assert len(terms.decode().splitlines()) == client.get("/registry/hsds/taxonomy_terms").json()["total_items"]
    refused = client.get("/registry/hsds/organizations", {"format": "xml"})
    assert refused.status_code == 400 and "format" in refused.json()["message"]
