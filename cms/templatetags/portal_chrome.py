"""The site chrome shared by every page (header navigation, hotline in the footer).

`{% site_chrome as chrome %}` works on Wagtail pages and on plain Django views alike:
it finds the Wagtail site for the request and never fails the page when the site tree
or the settings row is missing (an empty database still renders).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cms import page_cache
from cms.i18n import content_language
from cms.i18n import localized_children as children_of
from cms.models import PortalSettings

register = template.Library()
logger = logging.getLogger(__name__)

_CACHE_ATTR = "_portal_site_chrome"


def _default_chrome() -> dict[str, Any]:
    defaults = {field.name: field.default for field in PortalSettings._meta.get_fields()
                if field.name.startswith(("hotline", "contact"))}
    return {
        "default_title": _("Social support"),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "home_url": "/",
        "menu": [],
        "current_path": "",
        **defaults,
    }


def _site_part(request: HttpRequest, site: Any) -> dict[str, Any]:
    """What the chrome takes from the site (name, home URL, menu, hotline) in the active language: the same
    for every request to the site, so kept per generation (cms.page_cache)."""
    part: dict[str, Any] = {"site_name": site.site_name or settings.WAGTAIL_SITE_NAME}
    root = site.root_page
    part["home_url"] = root.get_url(request) or "/"
    menu = []
    # Menu pages of the Russian tree, each as its translation in the active language where one
    # exists; an untranslated title is marked with its language.
    for page in children_of(root, in_menu=True):
        url = page.get_url(request)
        if url:
            menu.append({"title": page.title, "url": url, "lang": content_language(page)})
    part["menu"] = menu
    portal_settings = PortalSettings.for_site(site)
    for field in PortalSettings._meta.get_fields():
        if field.name.startswith(("hotline", "contact")):
            part[field.name] = getattr(portal_settings, field.name)
    return part


def build_chrome(request: HttpRequest | None) -> dict[str, Any]:
    """Site name, home URL, menu pages and hotline for a request (defaults without a site)."""
    chrome = _default_chrome()
    if request is None:
        chrome["hotline_tel"] = re.sub(r"[^\d+]", "", chrome["hotline_phone"])
        return chrome
    chrome["current_path"] = request.path
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    try:
        site = page_cache.site_for_request(request)
        if site is not None:
            part = page_cache.cached(f"chrome:{site.pk}:{active}", lambda: _site_part(request, site), request)
            for key, value in part.items():
                if key.startswith(("hotline", "contact")):
                    chrome[key] = value or chrome[key]
                elif key == "menu":
                    chrome["menu"] = [{**item, "active": request.path.startswith(item["url"])
                                       and item["url"] != part["home_url"]} for item in value]
                else:
                    chrome[key] = value
    except Exception:  # the chrome must never break a page
        logger.exception("site chrome could not be built; using defaults")
    chrome["hotline_tel"] = re.sub(r"[^\d+]", "", chrome["hotline_phone"])
    # The portal settings (hotline hours, address) are written in the site's language: marked as such
    # when the visitor reads another one.
    chrome["settings_lang"] = settings.LANGUAGE_CODE if active != settings.LANGUAGE_CODE else ""
    if chrome["settings_lang"]:
        # The site's name (in <title>) is a Russian setting too: in another language, the translated name.
        chrome["site_name"] = str(chrome["default_title"])
    return chrome


@register.simple_tag(takes_context=True)
def site_chrome(context: template.Context) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return build_chrome(None)
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = build_chrome(request)
        setattr(request, _CACHE_ATTR, cached)
    return cached


@register.simple_tag
def page_lang(page: Any) -> SafeString:
    """` lang="ru"` on an element showing a page's own text when that page is not in the active language
    (an untranslated page shown on the English side); nothing otherwise."""
    language = content_language(page)
    return format_html(' lang="{}"', language) if language else SafeString("")


@register.simple_tag
def error_links(form: Any) -> list[dict[str, str]]:
    """(field id, message) for every error of every field, in the form's order: the error summary's links."""
    from django.forms.widgets import ChoiceWidget

    links = []
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, ChoiceWidget) and getattr(widget, "input_type", "") in ("radio", "checkbox"):
            target = f"{bound.auto_id}_0"  # radio buttons / checkboxes: the first option
        else:
            target = bound.id_for_label or bound.auto_id
        for message in bound.errors:
            links.append({"id": target, "message": str(message)})
    return links


@register.simple_tag
def localized_children(page: Any) -> list[Any]:
    """Live public children of a page (of its Russian original), each in the active language if translated."""
    return children_of(page)
