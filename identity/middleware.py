"""Keeps the single sign-on session's access token fresh (after AuthenticationMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from identity.web import SESSION_TOKENS, ensure_fresh_tokens, session_tokens


class TokenRefreshMiddleware:
    """Refreshes the access token shortly before it expires; a refused refresh signs the user out cleanly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if session_tokens(request) is not None:
            if not request.user.is_authenticated:
                request.session.pop(SESSION_TOKENS, None)
            else:
                ensure_fresh_tokens(request)
        return self.get_response(request)
