"""English versions of the pages (Wagtail localisation) with a Russian fallback marked lang="ru"."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Locale, Page

from cms.demo import load_demo
from cms.models import HomePage, NewsPage, ServiceInfoPage

pytestmark = pytest.mark.django_db


def _english_site() -> HomePage:
    from cms.demo_en import load_demo as load_english

    load_demo(verbose=False)
    load_english(verbose=False)
    return HomePage.objects.get(locale__language_code="en")


def _in_english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def _lang_of(html: str, text: str) -> str | None:
    """The lang attribute of the innermost element that starts right before `text`, if any."""
    match = re.search(r"<(\w+)([^>]*)>\s*" + re.escape(text), html)
    assert match, f"{text!r} not found"
    lang = re.search(r'\blang="([^"]+)"', match.group(2))
    return lang.group(1) if lang else None


def test_demo_ships_english_versions_of_the_main_pages() -> None:
    home = _english_site()
    english = Locale.objects.get(language_code="en")
    russian_home = HomePage.objects.get(locale__language_code="ru")
    assert home.translation_key == russian_home.translation_key and home.live
    titles = set(Page.objects.filter(locale=english).live().values_list("title", flat=True))
    assert {"Social support", "How to get social support", "Urgent social services",
            "Find your district social officer", "News"} <= titles
    # News items are left in Russian: they show the fallback.
    assert not NewsPage.objects.filter(locale=english).exists()


def test_english_demo_is_idempotent() -> None:
    from cms.demo_en import load_demo as load_english

    _english_site()
    count = Page.objects.count()
    load_english(verbose=False)
    assert Page.objects.count() == count


def test_english_page_at_the_same_address(client) -> None:
    _english_site()
    _in_english(client)
    body = client.get("/services/").content.decode()
    assert '<html lang="en">' in body
    assert "How to get social support" in body and "Documents you will need" in body
    assert "Как получить социальное сопровождение" not in body
    # Menu and page titles are English too.
    assert ">Urgent social services</a>" in body and ">News</a>" in body
    assert _lang_of(body, "How to get social support</h1>") is None
    assert "<title>How to get social support — Social support</title>" in body


def test_russian_fallback_is_marked_lang_ru(client) -> None:
    _english_site()
    _in_english(client)
    response = client.get("/news/novyi-portal/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert _lang_of(body, "Заработал портал социального сопровождения</h1>") == "ru"
    # The English news index lists the Russian items, marked as Russian.
    index = client.get("/news/").content.decode()
    assert re.search(r'<li class="news-item" lang="ru">\s*<h2><a href="/news/novyi-portal/">', index)


def test_untranslated_page_in_the_menu_is_marked_lang_ru(client) -> None:
    home = _english_site()
    russian_home = home.get_translation(Locale.objects.get(language_code="ru"))
    extra = ServiceInfoPage(title="Только по-русски", slug="tolko-po-russki", show_in_menus=True)
    russian_home.add_child(instance=extra)
    extra.save_revision().publish()
    _in_english(client)
    body = client.get("/").content.decode()
    assert re.search(r'<a href="/tolko-po-russki/" lang="ru">Только по-русски</a>', body)
    assert client.get("/tolko-po-russki/").status_code == 200


def test_russian_visitor_sees_russian_pages_only(client) -> None:
    _english_site()
    body = client.get("/services/").content.decode()
    assert '<html lang="ru">' in body and "Как получить социальное сопровождение" in body
    assert "How to get social support" not in body
    assert ' lang="' not in body.split("<body>", 1)[1].replace(' lang="ru"', "").replace(' lang="en"', "")


def test_without_translations_english_chrome_over_russian_pages(client) -> None:
    """No English page at all (a fresh site): everything falls back, content marked lang="ru"."""
    load_demo(verbose=False)
    _in_english(client)
    body = client.get("/urgent/").content.decode()
    assert '<html lang="en">' in body and "Hotline" in body
    assert _lang_of(body, "Срочные социальные услуги</h1>") == "ru"


def test_untranslated_consultations_page_is_marked_lang_ru(client) -> None:
    from portal.consultations.pages import ConsultationsPage

    load_demo(verbose=False)
    home = HomePage.objects.get()
    page = ConsultationsPage(title="Вопрос специалисту", slug="vopros-spetsialistu", intro="Задайте вопрос.")
    home.add_child(instance=page)
    page.save_revision().publish()
    _in_english(client)
    body = client.get("/vopros-spetsialistu/").content.decode()
    assert '<html lang="en">' in body and "Ask a question" in body  # the form is English chrome
    assert '<h1 lang="ru">Вопрос специалисту</h1>' in body
    assert '<p class="lead" lang="ru">Задайте вопрос.</p>' in body


def test_editor_translates_a_page_in_the_admin(client) -> None:
    """Editors have the translate permission and may edit the English tree (as on the Russian one)."""
    from django.contrib.auth.models import User

    from identity.accounts import ensure_role_groups
    from portal.core.viewer import Role

    home = _english_site()
    groups = ensure_role_groups()
    editor = User.objects.create_user("editor.t", is_staff=True)
    editor.groups.add(groups[Role.EDITOR])
    client.force_login(editor)
    news = ServiceInfoPage.objects.get(slug="families", locale__language_code="ru")
    extra = ServiceInfoPage(title="Новая страница", slug="novaya")
    news.get_parent().add_child(instance=extra)
    extra.save_revision().publish()
    english = Locale.objects.get(language_code="en")
    response = client.post(f"/admin/translation/submit/page/{extra.pk}/", {"locales": [english.pk]})
    assert response.status_code == 302
    translated = extra.get_translation(english)
    assert translated.get_parent().specific.title == "How to get social support"
    edit = client.get(f"/admin/pages/{translated.pk}/edit/")
    assert edit.status_code == 200
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200


@pytest.mark.parametrize(("model_path", "slug", "title"), [
    ("portal.community.pages.NeedsRegistryPage", "nuzhdy-semei", "Нужды семей"),
    ("portal.community.pages.BenefactorsRegistryPage", "reestr-blagotvoritelei", "Реестр благотворителей"),
    ("portal.community.pages.PartnersRegistryPage", "reestr-partnerov", "Реестр субъектов взаимодействия"),
])
def test_untranslated_registry_pages_are_marked_lang_ru(client, model_path: str, slug: str, title: str) -> None:
    from django.utils.module_loading import import_string

    load_demo(verbose=False)
    home = HomePage.objects.get()
    page = import_string(model_path)(title=title, slug=slug, intro="Вступление.")
    home.add_child(instance=page)
    page.save_revision().publish()
    _in_english(client)
    body = client.get(f"/{slug}/").content.decode()
    assert '<html lang="en">' in body
    assert f'<h1 lang="ru">{title}</h1>' in body and '<p class="lead" lang="ru">Вступление.</p>' in body


def test_content_locales_migration_creates_the_english_locale() -> None:
    """The admin's "Translate" action needs the target Locale: cms 0002 creates one per content language."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cms.migrations.0002_content_locales")
    Locale.objects.filter(language_code="en").delete()
    migration.create_locales(apps, None)
    migration.create_locales(apps, None)  # idempotent
    assert sorted(Locale.objects.values_list("language_code", flat=True)) == ["en", "ru"]
