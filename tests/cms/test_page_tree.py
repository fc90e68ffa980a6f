"""Parent/child rules of the public page types, both ways."""

from __future__ import annotations

import pytest
from django.apps import apps
from wagtail.models import Page

from cms.models import (
    OPTIONAL_HOME_SUBPAGE_TYPES,
    BookletPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OfficerFinderPage,
    ServiceInfoPage,
    UrgentServicesPage,
)

pytestmark = pytest.mark.django_db

HOME_CHILDREN = {ServiceInfoPage, UrgentServicesPage, NewsIndexPage, BookletPage, OfficerFinderPage}


def test_home_page_lives_only_under_the_root() -> None:
    assert HomePage.allowed_parent_page_models() == [Page]
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root)


def test_home_page_children_include_own_and_installed_part_b_pages() -> None:
    allowed = set(HomePage.allowed_subpage_models())
    assert HOME_CHILDREN <= allowed
    assert NewsPage not in allowed and HomePage not in allowed
    for name in OPTIONAL_HOME_SUBPAGE_TYPES:
        app_label, model_name = name.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        assert model in allowed, name


@pytest.mark.parametrize("model", sorted(HOME_CHILDREN, key=lambda m: m.__name__))
def test_home_children_are_created_only_under_home(site_tree: HomePage, model: type[Page]) -> None:
    root = Page.get_first_root_node()
    assert HomePage in model.allowed_parent_page_models()
    assert not model.can_create_at(root)
    news_index = NewsIndexPage.objects.get()
    assert not model.can_create_at(news_index)


def test_news_pages_only_under_a_news_index(site_tree: HomePage) -> None:
    news_index = NewsIndexPage.objects.get()
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert NewsPage.can_create_at(news_index)
    assert not NewsPage.can_create_at(site_tree)
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]
    assert NewsPage.allowed_subpage_models() == []


def test_service_info_pages_nest(site_tree: HomePage) -> None:
    services = ServiceInfoPage.objects.get(slug="services")
    assert ServiceInfoPage.can_create_at(services)
    assert set(ServiceInfoPage.allowed_parent_page_models()) == {HomePage, ServiceInfoPage}
    assert ServiceInfoPage.allowed_subpage_models() == [ServiceInfoPage]


@pytest.mark.parametrize("model", [UrgentServicesPage, BookletPage, OfficerFinderPage])
def test_leaf_pages_have_no_children(model: type[Page]) -> None:
    assert model.allowed_subpage_models() == []


@pytest.mark.parametrize("model", [UrgentServicesPage, OfficerFinderPage])
def test_single_instance_pages_cannot_be_added_twice(site_tree: HomePage, model: type[Page]) -> None:
    assert model.objects.child_of(site_tree).count() == 1
    assert not model.can_create_at(site_tree)


def test_a_second_news_index_is_allowed_but_not_a_news_page_under_home(site_tree: HomePage) -> None:
    assert NewsIndexPage.can_create_at(site_tree)
    assert not NewsPage.can_create_at(site_tree)


@pytest.mark.parametrize("model", sorted(HOME_CHILDREN, key=lambda m: m.__name__))
def test_editors_can_open_the_add_and_edit_forms(client, site_tree: HomePage, model: type[Page]) -> None:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("editor", "e@example.org", "pw-editor-1"))
    label = model._meta.model_name
    if model.can_create_at(site_tree):
        assert client.get(f"/admin/pages/add/cms/{label}/{site_tree.pk}/").status_code == 200
    else:  # single-instance pages: adding a second one is refused
        assert client.get(f"/admin/pages/add/cms/{label}/{site_tree.pk}/").status_code in {302, 403}
    existing = model.objects.child_of(site_tree).first()
    assert client.get(f"/admin/pages/{existing.pk}/edit/").status_code == 200
