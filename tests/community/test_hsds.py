"""The partner registry as Open Referral HSDS 3.0 JSON."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client

from portal.partners.models import Agreement, Contact
from portal.testing import factories

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


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
    assert any(a["value"] == "№ 15 от 01.03.2024" for a in detail["attributes"])
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
