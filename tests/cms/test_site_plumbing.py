"""One address per public page (redirects), the favicon, error summaries, the question number, GraphiQL
served without a CDN, and no external avatar service."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from cms.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages(db: None) -> None:
    """The demo tree plus the consultations and registry pages (as their apps' demos create them)."""
    from cms.models import HomePage
    from portal.community.pages import BenefactorsRegistryPage, NeedsRegistryPage, PartnersRegistryPage
    from portal.consultations.pages import ConsultationsPage

    load_demo(verbose=False)
    home = HomePage.objects.get()
    for model, slug, title in [(ConsultationsPage, "vopros-spetsialistu", "Вопрос специалисту"),
                               (NeedsRegistryPage, "nuzhdy-semei", "Нужды семей"),
                               (BenefactorsRegistryPage, "reestr-blagotvoritelei", "Реестр благотворителей"),
                               (PartnersRegistryPage, "reestr-partnerov", "Реестр субъектов взаимодействия")]:
        page = model(title=title, slug=slug, show_in_menus=True)
        home.add_child(instance=page)
        page.save_revision().publish()


@pytest.mark.parametrize(("old", "new"), [
    ("/consultations/", "/vopros-spetsialistu/"),
    ("/consultations/?q=пособие&topic=benefits", "/vopros-spetsialistu/?q=%D0%BF%D0%BE%D1%81%D0%BE%D0%B1%D0%B8%D0%B5"
                                                 "&topic=benefits"),
    ("/registry/needs/", "/nuzhdy-semei/"),
    ("/registry/benefactors/", "/reestr-blagotvoritelei/"),
    ("/registry/partners/?kind=school", "/reestr-partnerov/?kind=school"),
])
def test_app_addresses_redirect_to_the_page(client, public_pages: None, old: str, new: str) -> None:
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_menu_and_home_link_the_canonical_pages(client, public_pages: None) -> None:
    from cms.demo_en import load_demo as load_english

    load_english(verbose=False)  # also points the quick links at the pages
    body = client.get("/").content.decode()
    for path in ("/vopros-spetsialistu/", "/nuzhdy-semei/", "/reestr-blagotvoritelei/", "/reestr-partnerov/"):
        assert f'href="{path}"' in body
    assert 'href="/consultations/"' not in body and 'href="/registry/benefactors/"' not in body


def test_posts_to_the_old_address_are_still_answered(client, public_pages: None) -> None:
    response = client.post("/consultations/", {"author_name": ""})
    assert response.status_code == 400  # the form with its errors, not a redirect that would lose the post


def test_without_a_page_the_app_address_answers_itself(client, db: None) -> None:
    load_demo(verbose=False)
    assert client.get("/consultations/").status_code == 200
    assert client.get("/registry/needs/").status_code == 200


def test_favicon_is_served(client, db: None) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_favicon_and_no_inline_script_or_style(client, public_pages: None) -> None:
    for path in ("/", "/services/", "/vopros-spetsialistu/", "/officer/"):
        body = client.get(path).content.decode()
        assert '<link rel="icon" href="/favicon.ico"' in body
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), f"inline script on {path}"
        assert " style=" not in body, f"inline style on {path}"


def test_error_summary_links_each_field_and_takes_focus(client, public_pages: None) -> None:
    from portal.consultations.models import Topic
    from portal.territory.models import District

    Topic.objects.create(name="Жильё", slug="housing")
    District.objects.create(code="t-d", name="Октябрьский район", kind="urban")
    response = client.post("/vopros-spetsialistu/", {"author_name": "", "text": ""})
    assert response.status_code == 400
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', body, re.S)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0) and "autofocus" in summary.group(0)
    for field in ("id_author_name", "id_topic", "id_district", "id_text", "id_consent"):
        assert f'href="#{field}"' in summary.group(0)
        assert f'id="{field}"' in body
    assert "Укажите имя или псевдоним." in summary.group(0)
    assert 'aria-invalid="true"' in body
    # The page's form posts without a fragment: the autofocus is not cancelled by scrolling to one.
    assert 'action="/vopros-spetsialistu/"' in body


def test_confirmation_shows_the_question_number(client, public_pages: None) -> None:
    from portal.consultations.models import Question, Topic
    from portal.territory.models import District

    topic = Topic.objects.create(name="Жильё", slug="housing")
    district = District.objects.create(code="t-d", name="Октябрьский район", kind="urban")
    response = client.post("/vopros-spetsialistu/", {
        "author_name": "Ирина", "email": "", "topic": topic.pk, "district": district.pk,
        "text": "Можно ли получить субсидию на оплату коммунальных услуг?", "consent": "on"})
    assert response.status_code == 302
    question = Question.objects.get()
    body = client.get(response["Location"]).content.decode()
    assert f"№ {question.pk}" in body and "Номер вашего вопроса" in body
    # Another visitor with the same confirmation address sees no number.
    from django.test import Client

    assert f"№ {question.pk}</strong>" not in Client().get(response["Location"]).content.decode()


def test_graphiql_page_uses_local_assets_only() -> None:
    from starlette.testclient import TestClient

    from graph.app import GatewayApp
    from graph.graphiql import graphiql_html
    from graph.schema import schema

    gateway = TestClient(GatewayApp(schema, graphql_ide="graphiql")).get("/graphql", headers={"Accept": "text/html"})
    assert gateway.status_code == 200 and "graphiql/portal-graphiql.js" in gateway.text
    for html in (graphiql_html(title="t", endpoint="/graphql"), gateway.text,
                 render_to_string("graphene/graphiql.html", {"request": None})):
        assert "https://" not in html and "http://" not in html and "unpkg" not in html and "jsdelivr" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        assert len(assets) >= 8
        for asset in assets:
            assert finders.find(asset), f"{asset} is not a static file of the portal"


def test_no_external_avatar_service() -> None:
    from wagtail.users.utils import get_gravatar_url

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert get_gravatar_url("someone@example.org") is None


def test_error_summary_links_radio_and_checkbox_groups_to_their_first_option(client, public_pages: None) -> None:
    response = client.post("/reestr-blagotvoritelei/", {"name": ""})
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', body, re.S)
    assert summary, "no error summary"
    targets = re.findall(r'href="#([^"]+)"', summary.group(0))
    assert "id_kind_0" in targets and "id_help_kinds_0" in targets
    for target in targets:
        assert f'id="{target}"' in body, f"the summary links #{target}, which is not on the page"

def test_admin_dashboard_does_not_check_for_wagtail_upgrades(client) -> None:
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("admin.t", email="admin.t@example.org", password="x"))
    body = client.get("/admin/").content.decode()
    assert "releases.wagtail.org" not in body and "w-upgrade" not in body
    assert "gravatar" not in body
