"""Caching of the public side: whole anonymous pages, and the site and chrome every page needs.

**Generation.** Every key below includes a generation, a random value kept in the shared cache
(`CACHES["default"]`: Redis in production, so all processes see it). Publishing, unpublishing, moving or
deleting a page, and saving or deleting anything public pages are built from (the site, the portal settings,
view restrictions, locales, the registries, consultations, the territory, consents — see `WATCHED_APPS`),
replaces it, once now and once when the transaction commits, so no process serves the old content after the
change is visible. Changes that bypass model signals (bulk updates) are bounded by `PUBLIC_PAGE_CACHE_SECONDS`.

**Site** (`site_for_request`): the Wagtail site of a host and port, kept per generation, and handed to Wagtail
(`request._wagtail_site`) so it does not look the site up again.

**Chrome** (`cms.templatetags.portal_chrome`): the site name, menu and hotline of a site in a language, kept per
generation; only the active menu item is worked out per request.

**Pages** (`PublicPageCacheMiddleware`): a Wagtail page answered 200 to an anonymous GET (no session cookie, no
Authorization header) is kept per host, path with query string and language, and served from the cache without
touching the database. Never kept: anything for a signed-in visitor (or one with a session), a response that
sets a cookie other than the CSRF cookie, a private or no-store response, and a page with a POST form of its
own (more than the language switch of the chrome) unless the response says its forms are the same for every
visitor but for the CSRF token (`response.page_cache_forms = True`: the consultations page's empty question form;
a form showing what a visitor typed or its errors is a POST answer, never kept). The CSRF tokens and the CSP
nonce of the inline styles are put in per request: a copy served from the cache gets this visitor's own token
and a fresh nonce, so no token or nonce is ever shared between visitors.

A new consultations question that is not published (a citizen asking) changes no public page, so it starts no
new generation: the public form cannot be used to empty the cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

GENERATION_KEY = "cms:public:generation"
#: Apps whose rows public pages are built from: any save or delete there starts a new generation.
WATCHED_APPS = frozenset({"wagtailcore", "cms", "community", "consultations", "partners", "territory",
                          "wagtailimages", "wagtaildocs", "wagtailredirects"})
WATCHED_MODELS = frozenset({"cases.consent"})  # a withdrawn publication consent hides a need at once
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_SKIPPED_HEADERS = {"set-cookie", "content-length", "content-security-policy",
                    "content-security-policy-report-only", "x-request-id"}


def timeout() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300))


# --- Generation -------------------------------------------------------------------------------------------------

def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY) or "none"
    return str(value)


def _generation_of(request: HttpRequest | None) -> str:
    """The generation, read once per request."""
    if request is None:
        return generation()
    value = getattr(request, "_cms_generation", None)
    if value is None:
        value = generation()
        request._cms_generation = value  # type: ignore[attr-defined]
    return value


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def invalidate() -> None:
    """Start a new generation now and again once the current transaction commits (a request served in
    between may have cached what was visible before the commit); the second one is registered once per
    transaction, however many rows it changes."""
    _new_generation()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _new_generation for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_new_generation, robust=True)


#: Models whose new rows are public only in the given status (anything else created is not shown yet).
PUBLIC_WHEN_CREATED = {"consultations.question": ("status", "published")}


def _model_changed(sender: type[Model], **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or (meta.app_label not in WATCHED_APPS and meta.label_lower not in WATCHED_MODELS):
        return
    public_when = PUBLIC_WHEN_CREATED.get(meta.label_lower)
    if public_when is not None and kwargs.get("created"):
        field, value = public_when
        if getattr(kwargs.get("instance"), field, None) != value:
            return  # e.g. a question just asked: not on any public page until it is published
    invalidate()


def _page_signal(sender: Any, **kwargs: Any) -> None:
    invalidate()


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_page_signal, dispatch_uid="cms.page_cache.published")
    page_unpublished.connect(_page_signal, dispatch_uid="cms.page_cache.unpublished")
    post_page_move.connect(_page_signal, dispatch_uid="cms.page_cache.moved")
    post_save.connect(_model_changed, dispatch_uid="cms.page_cache.saved")
    post_delete.connect(_model_changed, dispatch_uid="cms.page_cache.deleted")


# --- Site ---------------------------------------------------------------------------------------------------------

def site_for_request(request: HttpRequest) -> Any:
    """Wagtail's `Site.find_for_request`, kept per host, port and generation."""
    from wagtail.models import Site

    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
        port = request.get_port()
    except Exception:  # a malformed Host header: let Wagtail answer as it would
        return Site.find_for_request(request)
    key = f"cms:site:{_generation_of(request)}:{hostname}:{port}"
    found = cache.get(key)
    if found is None:
        site = Site.find_for_request(request)
        cache.set(key, ("site", site), timeout())
    else:
        site = found[1]
        request._wagtail_site = site  # type: ignore[attr-defined]
    return site


def cached(key: str, build: Callable[[], Any], request: HttpRequest | None = None) -> Any:
    """`build()` kept under `key` for this generation."""
    full = f"cms:{_generation_of(request)}:{key}"
    value = cache.get(full)
    if value is None:
        value = build()
        cache.set(full, value, timeout())
    return value


# --- Whole pages -------------------------------------------------------------------------------------------------

def _anonymous_request(request: HttpRequest) -> bool:
    return (request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META)


def _page_key(request: HttpRequest) -> str | None:
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: the normal path answers it
        return None
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    digest = hashlib.sha256(f"{host}\n{request.path}\n{request.META.get('QUERY_STRING', '')}\n{language}"
                            .encode("utf-8", "surrogateescape")).hexdigest()
    return f"cms:page:2:{_generation_of(request)}:{digest}"  # 2: the entry's layout


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    if request.method != "GET" or response.status_code != 200 or response.streaming or match is None \
            or match.url_name != "wagtail_serve":
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    if getattr(response, "page_cache_forms", False):
        return True  # the view says: its forms are the same for every anonymous visitor but for the token
    return len(_CSRF_INPUT.findall(response.content)) <= 1  # the chrome's language switch at most


def _entry(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """What a copy is made from: the body cut where this render's CSRF tokens and CSP nonce stand (found once
    here, so a copy is a join, not a search over the whole body), and the headers as raw pairs."""
    body = response.content
    tokens = set(_CSRF_INPUT.findall(body))  # usually one: a render masks the secret once
    nonce = getattr(request, "_csp_nonce", None)
    nonce_bytes = nonce.encode() if isinstance(nonce, str) and nonce else b""
    slots = re.compile(b"|".join(re.escape(value) for value in [*tokens, *([nonce_bytes] if nonce_bytes else [])]))
    parts: list[bytes] = []
    kinds: list[str] = []  # "csrf" or "nonce": what goes after parts[i]
    start = 0
    if tokens or nonce_bytes:
        for match in slots.finditer(body):
            parts.append(body[start:match.start()])
            kinds.append("nonce" if match.group() == nonce_bytes else "csrf")
            start = match.end()
    parts.append(body[start:])
    return {"status": response.status_code, "parts": parts, "slots": kinds,
            "headers": [(name, value) for name, value in response.items() if name.lower() not in _SKIPPED_HEADERS]}


def masked_csrf_token(request: HttpRequest) -> str:
    """Django's `get_token` (the same secret, cookie renewal and token format, which `CsrfViewMiddleware`
    accepts), with the mask drawn from one read of the system's random source instead of 32 `secrets.choice`
    calls (about 150 us, and as much again for a visitor without the cookie)."""
    if settings.CSRF_USE_SESSIONS:
        return get_token(request)
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie is sent again (renewed)
    mask = _random_chars(CSRF_SECRET_LENGTH)
    index = _CSRF_INDEX
    return mask + "".join(CSRF_ALLOWED_CHARS[(index[x] + index[y]) % _CSRF_CHARS]
                          for x, y in zip(secret, mask, strict=True))


_CSRF_CHARS = len(CSRF_ALLOWED_CHARS)
_CSRF_INDEX = {char: position for position, char in enumerate(CSRF_ALLOWED_CHARS)}
_UNBIASED = 256 - 256 % _CSRF_CHARS  # bytes below this map evenly onto the alphabet
_TO_CHARS = bytes(ord(CSRF_ALLOWED_CHARS[value % _CSRF_CHARS]) for value in range(_UNBIASED)) \
    + bytes(256 - _UNBIASED)
_REJECTED = bytes(range(_UNBIASED, 256))


def _random_chars(length: int) -> str:
    """`length` characters of the CSRF alphabet, uniformly from `os.urandom` (bytes above the last whole multiple
    of the alphabet's size are dropped, so there is no modulo bias)."""
    found = b""
    while len(found) < length:
        found += os.urandom(length + 8).translate(_TO_CHARS, _REJECTED)
    return found[:length].decode("ascii")


def _replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    parts: list[bytes] = entry["parts"]
    if len(parts) == 1:
        body = parts[0]
    else:
        values: dict[str, bytes] = {}
        pieces = [parts[0]]
        for kind, part in zip(entry["slots"], parts[1:], strict=True):
            value = values.get(kind)
            if value is None:
                value = values[kind] = (masked_csrf_token(request) if kind == "csrf"
                                        else str(request.csp_nonce)).encode()  # type: ignore[attr-defined]
            pieces += (value, part)
        body = b"".join(pieces)
    response = HttpResponse(body, status=entry["status"], headers=entry["headers"])
    response["X-Page-Cache"] = "hit"
    return response


class PublicPageCacheMiddleware:
    """Serves anonymous public pages from the cache (see the module docstring). Sits after the language and
    CSRF middleware (the key needs the language; the CSRF cookie is set for a visitor without one) and before
    authentication (a hit needs no session, user or database)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _page_key(request) if _anonymous_request(request) else None
        if key is None:
            site_for_request(request)
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None:
            return _replay(request, entry)
        site_for_request(request)
        response = self.get_response(request)
        if _storable(request, response):
            cache.set(key, _entry(request, response), timeout())
            response["X-Page-Cache"] = "miss"
        return response
