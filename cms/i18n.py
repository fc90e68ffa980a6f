"""Translated pages (Wagtail localisation) with a Russian fallback.

Every page has its Russian original (the default locale) and may have an English translation
(same ``translation_key``, in the English tree under the English home page). Both have the same
URL: the language cookie decides which one is served (``Page.route_for_request`` starts from the
localised home page). Where the English tree has no (live) translation, routing falls back to the
Russian tree (:class:`LocalizedRoutingMixin`), lists show the Russian page, and the templates mark
that content ``lang="ru"`` (``{% page_lang page %}``) so that screen readers switch voice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation
from wagtail.models import Locale, Page

#: Locale rows by language code (None: no row), and language codes by locale id; the table changes only when
#: a language is added, and every save or delete of a Locale empties both (`forget_locales`).
_locales: dict[str, Locale | None] = {}
_languages: dict[int, str] = {}


def forget_locales(**kwargs: Any) -> None:
    _locales.clear()
    _languages.clear()


def _locale_for(language_code: str) -> Locale | None:
    if language_code not in _locales:
        try:
            _locales[language_code] = Locale.objects.get_for_language(language_code)
        except (LookupError, Locale.DoesNotExist):
            _locales[language_code] = None
    return _locales[language_code]


def active_locale() -> Locale | None:
    """The Locale of the active language, or None when it has no Locale row (no translations)."""
    return _locale_for(translation.get_language() or settings.LANGUAGE_CODE)


def default_locale() -> Locale | None:
    return _locale_for(settings.LANGUAGE_CODE)


def language_of(locale_id: int) -> str:
    """The language code of a locale id (one query per locale and process)."""
    if locale_id not in _languages:
        _languages.update(Locale.objects.values_list("id", "language_code"))
    return _languages.get(locale_id, "")


def original_of(page: Page) -> Page:
    """The page in the default (Russian) locale, or the page itself when it is the original or has none."""
    default = default_locale()
    if default is None or page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page


def localize_pages(pages: Iterable[Page]) -> list[Page]:
    """Each page replaced by its live translation in the active language where one exists (one query)."""
    pages = list(pages)
    locale = active_locale()
    if locale is None or not pages:
        return pages
    keys = {page.translation_key for page in pages if page.locale_id != locale.pk}
    if not keys:
        return pages
    translated = {
        page.translation_key: page
        for page in Page.objects.live().public().filter(translation_key__in=keys, locale=locale).specific()
    }
    return [page if page.locale_id == locale.pk else translated.get(page.translation_key, page) for page in pages]


def localized_children(page: Page, *, in_menu: bool = False) -> list[Page]:
    """Live public children of the page's original, in tree order, each in the active language if translated.

    The Russian tree is the reference: a page added only in Russian still shows (in Russian) on the
    English side.
    """
    children = original_of(page).get_children().live().public().order_by("path")
    if in_menu:
        children = children.in_menu()
    return localize_pages(children.specific())


def content_language(page: Any) -> str:
    """The page's language code when it differs from the active language (a fallback), else ''."""
    if not isinstance(page, Page) or page.locale_id is None:
        return ""
    page_language = language_of(page.locale_id)
    active = translation.get_language() or settings.LANGUAGE_CODE
    if page_language.split("-")[0] == active.split("-")[0]:
        return ""
    return page_language


class LocalizedRoutingMixin:
    """Routing below a translated page falls back to the original's children.

    ``Page.route_for_request`` starts at the home page in the active language; a child that has no
    live translation is then looked up under the Russian original, so every Russian page keeps its
    URL on the English side (served in Russian, marked ``lang="ru"``).
    """

    def route(self, request: HttpRequest, path_components: Sequence[str]) -> Any:
        try:
            return super().route(request, path_components)  # type: ignore[misc]
        except Http404:
            if not path_components:
                raise
            original = original_of(self)
            if original.pk == self.pk:  # type: ignore[attr-defined]
                raise
            return original.specific.route(request, path_components)
