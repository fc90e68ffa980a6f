"""GET filters of the public registries and the HSDS feed: malformed input (a NUL byte, which PostgreSQL
cannot compare, or over-long text) gets a clear message and a 400, never a 500; valid filters still apply."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from portal.community import services
from portal.community.models import Benefactor
from portal.testing import factories

REFUSED = "Некоторые фильтры содержат недопустимые символы"


@pytest.fixture
def registry(make_case: Any, editor: Any) -> Any:
    district = make_case().district
    factories.organisation(kind="ngo", code="fund-a", name="Фонд «Альфа»", district_obj=district,
                           help_kinds=["material"])
    benefactor = services.sign_up_benefactor(kind="individual", name="Сергей Волков", email="volkov@example.org",
                                             phone="", help_kinds=["social"], district_id=district.pk,
                                             consent_processing=True, consent_publication=True)
    services.approve_benefactor(viewer=editor, benefactor_id=benefactor.pk)
    return district


PAGES = ["/registry/partners/", "/registry/benefactors/", "/registry/needs/"]
PARAMS = {"/registry/partners/": ["q", "district", "help", "kind"],
          "/registry/benefactors/": ["q", "district", "help", "kind"],
          "/registry/needs/": ["q", "district", "help", "status", "urgency"]}


@pytest.mark.parametrize("page, param", [(page, param) for page in PAGES for param in PARAMS[page]])
@pytest.mark.parametrize("value", ["\x00", "abc\x00def"])
def test_nul_in_a_filter_is_refused_with_a_message(registry: Any, page: str, param: str, value: str) -> None:
    response = Client().get(page, {param: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert REFUSED in html and 'role="alert"' in html
    assert response.context["filters"][param] == ""  # the refused filter is not applied


def test_over_long_text_is_refused_and_valid_filters_still_apply(registry: Any) -> None:
    response = Client().get("/registry/partners/", {"q": "я" * 201, "kind": "ngo"})
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert [o.code for o in response.context["organisations"]] == ["fund-a"]
    benefactors = Client().get("/registry/benefactors/", {"q": "\x00", "district": registry.code})
    assert benefactors.status_code == 400
    assert [b.name for b in benefactors.context["benefactors"]] == ["Сергей Волков"]


def test_good_filters_are_not_refused(registry: Any) -> None:
    for page in PAGES:
        response = Client().get(page, {"q": "Фонд", "district": registry.code})
        assert response.status_code == 200 and REFUSED not in response.content.decode()


HSDS = ["/registry/hsds/organizations", "/registry/hsds/locations", "/registry/hsds/services",
        "/registry/hsds/service_at_locations", "/registry/hsds/service_areas"]


@pytest.mark.parametrize("path", HSDS)
@pytest.mark.parametrize("param", ["search", "organization_id", "taxonomy_term_id"])
def test_hsds_refuses_nul_with_a_json_error(registry: Any, path: str, param: str) -> None:
    response = Client().get(path, {param: "\x00"})
    assert response.status_code == 400
    assert response.json() == {"error": "bad_request",
                               "message": "A query parameter contains characters that are not allowed or is too "
                                          "long."}


def test_hsds_search_still_works(registry: Any) -> None:
    found = Client().get("/registry/hsds/organizations", {"search": "Альфа"}).json()
    assert [o["name"] for o in found["contents"]] == ["Фонд «Альфа»"]


@pytest.mark.parametrize("path", ["/registry/hsds/organizations/%00", "/registry/hsds/services/%00",
                                  "/registry/hsds/locations/%00", "/registry/hsds/taxonomies/%00",
                                  "/registry/hsds/taxonomy_terms/%00", "/registry/needs/%00/help/"])
def test_nul_in_a_path_is_not_found(registry: Any, path: str) -> None:
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("field", ["name", "contact_person", "email", "phone", "description", "district", "kind",
                                   "help_kinds"])
def test_nul_in_the_benefactor_form_is_a_form_error(registry: Any, field: str) -> None:
    data = {"kind": "individual", "name": "Елена", "email": "elena@example.org", "help_kinds": ["social"],
            "district": registry.pk, "consent_processing": "on", field: "a\x00b"}
    response = Client().post("/registry/benefactors/", data)
    assert response.status_code == 400 and response.context["form"].errors
    assert not Benefactor.objects.filter(name="Елена").exists()


def test_nul_in_the_offer_form_is_a_form_error(make_case: Any) -> None:
    worlds = [make_case() for _ in range(3)]
    needs = [services.publish_need(viewer=w.coordinator, case_id=w.case.pk, help_kind="material", urgency="soon",
                                   summary="Нужны продукты") for w in worlds]
    need = needs[0]
    for field in ("name", "email", "phone", "message"):
        data = {"name": "Иван", "email": "ivan@example.org", "consent": "on", field: "a\x00b"}
        response = Client().post(f"/registry/needs/{need.pk}/help/", data)
        assert response.status_code == 400 and field in response.context["form"].errors
    assert not need.offers.exists()
