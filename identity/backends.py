"""Authentication backend for users signed in through Keycloak (single sign-on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest

from identity.accounts import sync_user
from portal.core.viewer import Viewer


class KeycloakBackend(ModelBackend):
    """Authenticates only a verified token's identity (`viewer` + `claims`), never a password.

    The local emergency superuser signs in through Django's `ModelBackend` (listed after this one).
    Permissions come from `ModelBackend` (groups named after the realm roles).
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        viewer: Viewer | None = kwargs.get("viewer")
        claims: Mapping[str, Any] | None = kwargs.get("claims")
        if viewer is None or claims is None or viewer.is_anonymous:
            return None
        user = sync_user(viewer=viewer, claims=claims)
        return user if self.user_can_authenticate(user) else None


class LocalSignInThrottle(AxesStandaloneBackend):
    """django-axes' lockout check, for password sign-ins only (the local emergency sign-in at /admin/login/).

    Listed first: a username locked out from an address (too many wrong passwords) is refused before any
    password is checked, the right one too, until the cool-off ends. Single sign-on (`viewer` + `claims`, no
    password) is never throttled here: Keycloak protects its own login form. Lockouts are audited
    (`identity.apps`) and answered by `identity.views.locked_out` (429, Retry-After)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if password is None or request is None:  # no request: not a web sign-in (test client, shell)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
