"""Authentication backend for users signed in through Keycloak (single sign-on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from portal.core.viewer import Viewer


class KeycloakBackend(ModelBackend):
    """Authenticates only a verified token's identity (`viewer` + `claims`), never a password.

    The local emergency superuser signs in through Django's `ModelBackend` (listed after this one).
    Permissions come from `ModelBackend` (groups named after the realm roles).
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> AbstractBaseUser | None:
        viewer: Viewer | None = kwargs.get("viewer")
        claims: Mapping[str, Any] | None = kwargs.get("claims")
        if viewer is None or claims is None or viewer.is_anonymous:
            return None
        from identity.accounts import sync_user

        user = sync_user(viewer=viewer, claims=claims)
        return user if self.user_can_authenticate(user) else None
