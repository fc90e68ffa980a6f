"""Anti-spam for public forms: a honeypot field and a rate limit per client (Django cache).

Shared by every public form (consultations, the registries of `community`).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

#: Name of the honeypot input: hidden from people (CSS + aria-hidden), filled in by naive bots.
HONEYPOT_FIELD = "website"


def client_key(request: HttpRequest) -> str:
    """A stable, non-reversible key for the client (IP address; the proxy's header only when trusted).

    Behind the trusted proxy, the rightmost X-Forwarded-For address is the one that proxy saw: the
    addresses to its left were sent by the client and can be forged to dodge the rate limit."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    if getattr(settings, "PUBLIC_FORMS_TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = forwarded[-1]
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def _limit(scope: str) -> tuple[int, int]:
    limits: dict[str, tuple[int, int]] = getattr(settings, "PUBLIC_FORM_RATE_LIMITS", {})
    return limits.get(scope, (5, 3600))


def rate_limited(request: HttpRequest, scope: str) -> bool:
    """True when this client has already used up its submissions of `scope` in the window."""
    count, _window = _limit(scope)
    return int(cache.get(f"ratelimit:{scope}:{client_key(request)}", 0)) >= count


def count_submission(request: HttpRequest, scope: str) -> None:
    _count, window = _limit(scope)
    key = f"ratelimit:{scope}:{client_key(request)}"
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def honeypot_filled(data: object) -> bool:
    value = data.get(HONEYPOT_FIELD, "") if hasattr(data, "get") else ""
    return bool(str(value).strip())
