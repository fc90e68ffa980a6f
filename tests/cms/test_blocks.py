"""StreamField blocks: every StructBlock has an icon, a template and a preview, and renders."""

from __future__ import annotations

import inspect

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail import blocks

from cms import blocks as cms_blocks

STRUCT_BLOCKS = [
    obj for _, obj in inspect.getmembers(cms_blocks, inspect.isclass)
    if issubclass(obj, blocks.StructBlock) and obj.__module__ == cms_blocks.__name__
]


def test_all_struct_blocks_are_collected() -> None:
    names = {cls.__name__ for cls in STRUCT_BLOCKS}
    assert {"StepsBlock", "DocumentsBlock", "ContactsBlock", "FAQBlock", "UrgentServiceBlock",
            "QuickLinkBlock", "BookletSectionBlock"} <= names


@pytest.mark.parametrize("block_class", STRUCT_BLOCKS, ids=lambda cls: cls.__name__)
def test_struct_block_meta_has_icon_template_and_preview(block_class: type[blocks.StructBlock]) -> None:
    block = block_class()
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.meta.template.startswith("cms/blocks/")
    assert block.get_description()
    assert block.meta.preview_value
    assert block.is_previewable


@pytest.mark.django_db
@pytest.mark.parametrize("block_class", STRUCT_BLOCKS, ids=lambda cls: cls.__name__)
def test_preview_value_renders_with_its_texts(block_class: type[blocks.StructBlock]) -> None:
    block = block_class()
    value = block.get_preview_value()
    html = block.render(value)
    # Every non-empty text of the preview value shows up in the HTML.
    for key, raw in block.meta.preview_value.items():
        if isinstance(raw, str) and raw and not raw.startswith("<") and key not in {"level", "tone", "url"}:
            assert raw in html, (key, raw)
    assert "{{" not in html and "{%" not in html


@pytest.mark.django_db
def test_steps_block_renders_an_ordered_list_of_all_steps() -> None:
    block = cms_blocks.StepsBlock()
    value = block.to_python({"heading": "Порядок", "steps": [
        {"title": "Первый шаг", "text": "<p>Позвонить</p>"}, {"title": "Второй шаг", "text": ""}]})
    html = block.render(value)
    assert html.count('class="steps__item"') == 2
    assert "<ol" in html and "Позвонить" in html


@pytest.mark.django_db
def test_faq_answers_are_collapsible_and_urgent_service_has_anchor() -> None:
    faq = cms_blocks.FAQBlock()
    html = faq.render(faq.get_preview_value())
    assert html.count("<details") == 2 and "<summary>" in html
    urgent = cms_blocks.UrgentServiceBlock()
    html = urgent.render(urgent.to_python({"number": 7, "title": "Консультирование", "description": "<p>x</p>",
                                           "who_can_get": "", "how_to_get": ""}))
    assert 'id="urgent-7"' in html and "7." in html


@pytest.mark.django_db
def test_quick_link_prefers_the_chosen_page(site_tree) -> None:
    from cms.models import OfficerFinderPage

    block = cms_blocks.QuickLinkBlock()
    finder = OfficerFinderPage.objects.get()
    html = block.render(block.to_python({"title": "Найти", "text": "", "page": finder.pk, "url": "/other/"}))
    assert 'href="/officer/"' in html
    html = block.render(block.to_python({"title": "Спросить", "text": "", "page": None, "url": "/consultations/"}))
    assert 'href="/consultations/"' in html


@pytest.mark.django_db
def test_admin_block_preview_uses_the_portal_stylesheet() -> None:
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-editor-1")
    client = Client()
    client.force_login(user)
    block = cms_blocks.ServiceStreamBlock().child_blocks["steps"]
    response = client.get("/admin/block-preview/", {"id": block.definition_prefix})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cms/portal.css" in body
    assert "Как встать на социальное сопровождение" in body
