"""When the development realm may serve and be trusted.

Only without KEYCLOAK_URL, and only with DEBUG on or the explicit DEVREALM_ALLOW_WITHOUT_DEBUG override
(tests, demos behind a firewall). Otherwise no identity provider is configured: every bearer token is
refused and /readyz says so. Evaluated on each call, so tests can change the settings.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def allowed() -> bool:
    """DEBUG is on, or the development realm is explicitly allowed without it."""
    return bool(settings.DEBUG or getattr(settings, "DEVREALM_ALLOW_WITHOUT_DEBUG", False))


def enabled() -> bool:
    """The development realm is the identity provider: no KEYCLOAK_URL, DEVREALM_ENABLED, and allowed()."""
    return not settings.KEYCLOAK_URL and bool(getattr(settings, "DEVREALM_ENABLED", False)) and allowed()


def require_allowed() -> None:
    """Refuse to build the development realm where it must not run."""
    if settings.KEYCLOAK_URL:
        raise ImproperlyConfigured("KEYCLOAK_URL is set: the development realm is not served.")
    if not allowed():
        raise ImproperlyConfigured("The development realm runs only with DEBUG=1 or DEVREALM_ALLOW_WITHOUT_DEBUG=1.")
