"""Headless CMS at /cms/graphql (wagtail-grapple on Wagtail 8): pages, blocks, news."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from cms.models import NewsPage, ServiceInfoPage

pytestmark = pytest.mark.django_db


def query(client: Client, text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/cms/graphql", {"query": text, "variables": variables or {}},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    return payload["data"]


def test_pages_query_lists_live_public_pages(client: Client, site_tree) -> None:
    data = query(client, "{ pages(limit: 100) { id title url pageType } }")
    types = {page["pageType"] for page in data["pages"]}
    assert {"HomePage", "ServiceInfoPage", "UrgentServicesPage", "NewsIndexPage", "NewsPage", "BookletPage",
            "OfficerFinderPage"} <= types
    urls = {page["url"] for page in data["pages"]}
    assert "/officer/" in urls and "/news/novyi-portal/" in urls


def test_page_by_url_with_streamfield_blocks(client: Client, site_tree) -> None:
    data = query(client, """
      query ($path: String) { page(urlPath: $path) { title ... on ServiceInfoPage { intro body {
        blockType field
        ... on StepsBlock { heading steps { ... on StepBlock { title text } } }
        ... on DocumentsBlock { heading items { ... on DocumentItemBlock { title note } } }
        ... on ContactsBlock { contacts { ... on ContactBlock { name phone email hours } } }
        ... on FAQBlock { items { ... on QuestionBlock { question answer } } }
        ... on CalloutBlock { title text tone }
        ... on RichTextBlock { value }
      } } } }""", {"path": "/services/"})
    page = data["page"]
    expected = ServiceInfoPage.objects.get(slug="services")
    assert page["title"] == expected.title
    body = page["body"]
    assert [block["field"] for block in body] == [child.block_type for child in expected.body]
    steps = next(block for block in body if block["blockType"] == "StepsBlock")
    assert len(steps["steps"]) == len(expected.body[1].value["steps"])
    assert steps["steps"][0]["title"] == "Обратитесь к своему социальному участковому"
    assert "<p>" in steps["steps"][0]["text"]
    faq = next(block for block in body if block["blockType"] == "FAQBlock")
    assert faq["items"][0]["question"] == "Это платно?"
    contacts = next(block for block in body if block["blockType"] == "ContactsBlock")
    assert contacts["contacts"][0]["phone"] == "+7 (342) 200-10-10"


def test_page_by_slug_urgent_services(client: Client, site_tree) -> None:
    data = query(client, """{ page(slug: "urgent") { ... on UrgentServicesPage { body {
        ... on UrgentServiceBlock { number title whoCanGet howToGet description } } } } }""")
    services = [block for block in data["page"]["body"] if "number" in block]
    assert [service["number"] for service in services] == list(range(1, 12))
    assert services[10]["title"] == "Содействие в получении экстренной психологической помощи"


def test_home_page_quick_links(client: Client, site_tree) -> None:
    data = query(client, """{ page(urlPath: "/") { ... on HomePage { intro about quickLinks {
        ... on QuickLinkBlock { title text href } } } } }""")
    links = data["page"]["quickLinks"]
    assert links[0]["href"] == "/officer/"
    assert any(link["href"] == "/consultations/" for link in links)


def test_news_list_newest_first(client: Client, site_tree) -> None:
    data = query(client, '{ newsPages(order: "-date") { title date intro url } }')
    dates = [item["date"] for item in data["newsPages"]]
    assert len(dates) == NewsPage.objects.live().count()
    assert dates == sorted(dates, reverse=True)


def test_unpublished_and_private_pages_are_not_exposed(client: Client, site_tree) -> None:
    draft = NewsPage.objects.get(slug="blagotvoriteli")
    draft.unpublish()
    private = NewsPage.objects.get(slug="sotsialnyi-lift")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD,
                                       password="secret")
    data = query(client, "{ newsPages { slug } pages(limit: 100) { slug } }")
    slugs = {item["slug"] for item in data["newsPages"]} | {item["slug"] for item in data["pages"]}
    assert "blagotvoriteli" not in slugs and "sotsialnyi-lift" not in slugs
    assert "novyi-portal" in slugs


def test_settings_hotline(client: Client, site_tree) -> None:
    data = query(client, '{ setting(name: "PortalSettings") { ... on PortalSettings { hotlinePhone } } }')
    assert data["setting"]["hotlinePhone"] == "8-800-300-12-34"


def test_no_mutations_and_bad_queries_are_errors_not_500(client: Client, site_tree) -> None:
    response = client.post("/cms/graphql", {"query": "{ nope }"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]
    response = client.post("/cms/graphql", {"query": 'mutation { x }'}, content_type="application/json")
    assert response.status_code == 400


def test_graphiql_only_in_debug(client: Client, settings) -> None:
    assert settings.DEBUG is False
    response = client.get("/cms/graphql", HTTP_ACCEPT="text/html")
    assert b"graphiql" not in response.content.lower()


def _nested(depth: int) -> str:
    """A query `depth` fields deep: pages { children { children { ... { id } } } }."""
    inner = "id"
    for _ in range(depth - 2):
        inner = f"children {{ {inner} }}"
    return f"{{ pages {{ {inner} }} }}"


def _errors(client: Client, text: str) -> list[dict[str, Any]]:
    response = client.post("/cms/graphql", {"query": text}, content_type="application/json")
    assert response.status_code in (200, 400)
    return response.json().get("errors") or []


def test_query_depth_is_limited(client: Client, site_tree, settings) -> None:
    settings.GRAPHQL_MAX_DEPTH = 6
    assert _errors(client, _nested(6)) == []
    errors = _errors(client, _nested(7))
    assert [e["extensions"]["code"] for e in errors] == ["QUERY_TOO_DEEP"]
    assert "7" in errors[0]["message"] and "6" in errors[0]["message"]
    # Fragments are expanded, and a fragment cycle neither hangs nor crashes the endpoint.
    fragmented = "{ pages { ...A } } fragment A on PageInterface { children { ...B } } " \
                 "fragment B on PageInterface { children { children { children { children { id } } } } }"
    assert [e["extensions"]["code"] for e in _errors(client, fragmented) if "extensions" in e] == ["QUERY_TOO_DEEP"]
    cyclic = "{ pages { ...A } } fragment A on PageInterface { children { ...A } }"
    assert _errors(client, cyclic)


def test_aliases_are_limited(client: Client, site_tree, settings) -> None:
    settings.GRAPHQL_MAX_ALIASES = 3
    assert _errors(client, "{ a: pages { id } b: pages { id } c: pages { id } }") == []
    errors = _errors(client, "{ a: pages { id } b: pages { id } c: pages { x: id } d: pages { id } }")
    assert [e["extensions"]["code"] for e in errors] == ["TOO_MANY_ALIASES"]
    # Aliases inside a fragment count at each use.
    spread = "{ pages { ...F } more: pages { ...F } } fragment F on PageInterface { a: id b: title }"
    assert [e["extensions"]["code"] for e in _errors(client, spread)] == ["TOO_MANY_ALIASES"]


def test_default_limits_come_from_settings(client: Client, site_tree) -> None:
    from django.conf import settings

    assert settings.GRAPHQL_MAX_DEPTH >= 6 and settings.GRAPHQL_MAX_ALIASES >= 3
    assert [e["extensions"]["code"] for e in _errors(client, _nested(settings.GRAPHQL_MAX_DEPTH + 1))] == [
        "QUERY_TOO_DEEP"]
    many = " ".join(f"a{i}: pages {{ id }}" for i in range(settings.GRAPHQL_MAX_ALIASES + 1))
    assert [e["extensions"]["code"] for e in _errors(client, f"{{ {many} }}")] == ["TOO_MANY_ALIASES"]
