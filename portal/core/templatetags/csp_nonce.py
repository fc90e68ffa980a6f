"""`{% csp_nonce %}`: the Content-Security-Policy nonce of the current request, also where a template has no
`request` in its context (form widgets, admin panels). See `portal.headers`."""

from __future__ import annotations

from django import template

from portal.headers import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    return current_nonce()
