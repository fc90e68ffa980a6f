"""The security headers of every response, whoever produced it.

Django pages get them from Django's own middleware (SecurityMiddleware: nosniff, Referrer-Policy,
Cross-Origin-Opener-Policy, HSTS over HTTPS; XFrameOptionsMiddleware; django-csp's CSPMiddleware with a
per-request nonce). The routes Starlette serves itself (/graphql, /healthz, /readyz, the development realm)
never pass through Django: `SecurityHeadersMiddleware` wraps the whole ASGI app and adds the same set, from
the same settings, to every response that lacks a header (a Django page's own values are kept).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from typing import Any, cast

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _policy(directives: dict[str, Iterable[Any]]) -> str:
    """A Content-Security-Policy value without nonces (responses Django did not render)."""
    parts = []
    for name, values in directives.items():
        kept = [str(value) for value in values if value is not None and repr(value) != "csp.constants.NONCE"]
        parts.append(" ".join([name, *kept]) if kept else name)
    return "; ".join(parts)


def baseline(scheme: str) -> list[tuple[str, str]]:
    """The header set every response carries (names lower-case)."""
    headers = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", settings.SECURE_REFERRER_POLICY or "same-origin"),
        ("cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or "same-origin"),
        ("x-frame-options", getattr(settings, "X_FRAME_OPTIONS", "DENY")),
        ("content-security-policy", _policy(cast(dict[str, Iterable[Any]],
                                                 settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]))),
    ]
    if scheme == "https" and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("strict-transport-security", value))
    return headers


class SecurityHeadersMiddleware:
    """Pure ASGI middleware: adds the missing security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = baseline(str(scope.get("scheme", "http")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _value in raw}
                raw += [(name.encode(), value.encode("latin-1")) for name, value in wanted
                        if name.encode() not in present]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- nonces where a template has no request (form widgets, admin panels, Wagtail's chooser widgets) ---------

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("portal_csp_request", default=None)


def current_nonce() -> str:
    """The CSP nonce of the request being handled (django-csp's `request.csp_nonce`), or "" outside one."""
    request = _request.get()
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    # str() makes django-csp generate it (a CheckableLazyObject is falsy until evaluated) and put it in the header
    return str(nonce) if nonce is not None else ""


class CurrentRequestMiddleware:
    """Django middleware (right after django-csp's): makes the request's nonce reachable by `current_nonce`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def nonce_wagtail_choosers() -> None:
    """Wagtail's chooser widgets (page, image, document, snippet) render `<script>new Chooser(…)</script>`
    from Python; give that script the request's nonce, so the admin needs no 'unsafe-inline'."""
    import json

    from django.utils.safestring import mark_safe
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser.render, "portal_nonce", False):
        return

    def render(self: Any, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        try:
            id_ = (attrs or {})["id"]
        except (KeyError, TypeError) as e:
            raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        js = self.render_js_init(id_, name, value_data)
        nonce = json.dumps(current_nonce())  # a quoted attribute value, never markup
        return mark_safe(f"{widget_html}<script nonce={nonce}>{js}</script>")

    render.portal_nonce = True  # type: ignore[attr-defined]
    BaseChooser.render = render


# --- django-csp with the policy built once ------------------------------------------------------------------------

_NONCE_SLOT = "\x00nonce\x00"
#: (report_only, with a nonce) -> the policy split where the nonce goes (one part: no nonce in it)
_policy_templates: dict[tuple[bool, bool], list[str]] = {}
_HEADER_SETTINGS = {False: "CONTENT_SECURITY_POLICY", True: "CONTENT_SECURITY_POLICY_REPORT_ONLY"}
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting in _HEADER_SETTINGS.values():
        _policy_templates.clear()


def _policy_for(nonce: str | None, report_only: bool) -> str:
    """django-csp's `build_policy` from the settings alone, built once per process (and per settings change)
    with a slot for the nonce, so a response costs a join instead of a walk over every directive."""
    key = (report_only, nonce is not None)
    parts = _policy_templates.get(key)
    if parts is None:
        parts = build_policy(nonce=_NONCE_SLOT if nonce is not None else None, report_only=report_only) \
            .split(_NONCE_SLOT)
        _policy_templates[key] = parts
    return parts[0] if len(parts) == 1 else cast(str, nonce).join(parts)


class CSPMiddleware(_DjangoCSPMiddleware):
    """django-csp's middleware, the same headers: a response without its own policy changes (the
    `csp_update`/`csp_replace`/`csp` decorators) gets the settings' policy from a template built once instead of
    django-csp rebuilding it (two `build_policy` runs over every directive, about 70 us) on every response."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if any(hasattr(response, name) for name in _PER_RESPONSE) or (
                settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for report_only, header, exempt in ((False, HEADER, "_csp_exempt"),
                                            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro")):
            policy = _policy_for(nonce, report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            config = getattr(settings, _HEADER_SETTINGS[report_only], None) or {}
            prefixes = config.get("EXCLUDE_URL_PREFIXES", None) or ()
            if not (prefixes and request.path_info.startswith(tuple(prefixes))):
                response[header] = policy
        if nonce is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
