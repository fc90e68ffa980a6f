"""Site-wide plumbing of the public side: the favicon and one canonical address per public page.

The consultations and the registries are Wagtail pages (editable intro, in the menu, translated)
and were also reachable at the apps' own addresses (``/consultations/``, ``/registry/needs/`` …)
with a different introduction. The app address now redirects to the live page, keeping the query
string; while no such page is published, the app's view answers as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

View = Callable[..., HttpResponse]


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    """``/favicon.ico``: browsers ask for it on every site, also on pages without a ``<link rel=icon>``."""
    path = finders.find("cms/favicon.ico")
    if not path:
        raise Http404
    return FileResponse(Path(str(path)).open("rb"), content_type="image/x-icon")


def canonical_page_url(request: HttpRequest, model_label: str) -> str | None:
    """URL of the live, public page of the given type on this request's site (None when there is none)."""
    from wagtail.models import Site

    try:
        model = apps.get_model(model_label)
    except LookupError:
        return None
    site = Site.find_for_request(request)
    # The Russian original: its translation (if any) has the same URL.
    pages = model.objects.live().public().filter(locale__language_code=settings.LANGUAGE_CODE)
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    page = pages.order_by("path").first()
    return page.get_url(request) if page is not None else None


def canonical_page_or(view: View, model_label: str) -> View:
    """``view`` for unsafe methods and while no page exists; otherwise a redirect to the page (GET, HEAD)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            url = canonical_page_url(request, model_label)
            if url and url.rstrip("/") != request.path.rstrip("/"):
                query = request.GET.urlencode()
                # 302, not 301: the target is a page editors may move or unpublish; browsers would
                # keep a permanent redirect to its old address.
                return HttpResponseRedirect(f"{url}?{query}" if query else url)
        return view(request, *args, **kwargs)

    return wrapper
