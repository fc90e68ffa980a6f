"""Demo content: every page type exists with Russian content, and a second run adds nothing."""

from __future__ import annotations

import pytest
from wagtail.models import Page, Revision, Site

from cms.demo import URGENT_SERVICES, load_demo
from cms.models import (
    BookletPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OfficerFinderPage,
    PortalSettings,
    ServiceInfoPage,
    UrgentServicesPage,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return Page.objects.count(), Revision.objects.count(), Site.objects.count(), PortalSettings.objects.count()


def test_demo_builds_the_site_tree_with_every_page_type() -> None:
    load_demo(verbose=False)
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    # Wagtail's welcome page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
    for model in (ServiceInfoPage, UrgentServicesPage, NewsIndexPage, BookletPage, OfficerFinderPage):
        page = model.objects.child_of(home).get()
        assert page.live and page.show_in_menus
    assert ServiceInfoPage.objects.count() == 2
    assert NewsPage.objects.live().count() >= 3
    urgent = UrgentServicesPage.objects.get()
    services = urgent.services()
    assert len(services) == 11 == len(URGENT_SERVICES)
    assert [s["number"] for s in services] == list(range(1, 12))
    assert "временного жилого помещения" in services[0]["title"]
    assert len(home.quick_links) >= 3


def test_demo_is_idempotent() -> None:
    load_demo(verbose=False)
    first = _counts()
    load_demo(verbose=False)
    assert _counts() == first


def test_demo_keeps_pages_edited_by_editors() -> None:
    load_demo(verbose=False)
    booklet = BookletPage.objects.get()
    booklet.title = "Буклет, исправленный редактором"
    booklet.save_revision().publish()
    load_demo(verbose=False)
    assert BookletPage.objects.get().title == "Буклет, исправленный редактором"


@pytest.mark.parametrize("path", ["/", "/services/", "/services/families/", "/urgent/", "/news/",
                                  "/news/novyi-portal/", "/booklet/", "/officer/"])
def test_demo_pages_render_in_russian(client, path: str) -> None:
    load_demo(verbose=False)
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ru">' in body
    assert "8-800-300-12-34" in body  # hotline in the footer
    assert "<h1" in body


def test_booklet_is_printable(client) -> None:
    load_demo(verbose=False)
    body = client.get("/booklet/").content.decode()
    assert 'media="print"' in body and "cms/print.css" in body
    assert "data-print" in body
