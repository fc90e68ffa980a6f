"""Resource capacities in the HSDS feed: `service_capacity` attributes of the service, valid against the official
HSDS 3.0 schemas (which have no capacity object of their own), and their taxonomy terms."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.partners.models import ServiceCapacity
from portal.testing import factories
from tests.community.test_hsds import check, check_page

pytestmark = pytest.mark.django_db


def test_capacities_are_published_as_service_capacity_attributes() -> None:
    district = factories.district(code="cap", name="Ленинский район")
    shelter = factories.organisation(kind="ngo", code="shelter", name="Приют «Дом»", district_obj=district,
                                     help_kinds=["urgent", "social"])
    ServiceCapacity.objects.create(organisation=shelter, help_kind="urgent", unit="beds", maximum=20, available=4)
    client = Client()
    services = client.get("/registry/hsds/services", {"full": "true", "per_page": 100}).json()
    check_page(services, "compiled/service.json")
    by_name = {item["name"]: item for item in services["contents"]}
    urgent = next(item for name, item in by_name.items() if name.startswith("Срочн"))
    capacity = {a["taxonomy_term"]["code"]: a["value"] for a in urgent["attributes"]
                if a["link_type"] == "service_capacity"}
    assert capacity == {"beds": "20", "beds-available": "4"}
    social = next(item for name, item in by_name.items() if name.startswith("Социальн"))
    assert not [a for a in social["attributes"] if a["link_type"] == "service_capacity"]
    detail = client.get(f"/registry/hsds/services/{urgent['id']}").json()
    check(detail, "compiled/service.json")
    terms = client.get("/registry/hsds/taxonomy_terms", {"per_page": 100}).json()
    check_page(terms, "taxonomy_term.json")
    assert {"beds", "beds-available", "places", "slots"} <= {t["code"] for t in terms["contents"]
                                                             if t["taxonomy"] == "service_capacity"}
