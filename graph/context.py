"""Request context of the gateway: who is asking (the Viewer), in which language, and the
request-scoped dataloaders (one instance of each loader class per request, see `GraphContext.loader`).

The Viewer comes from `Authorization: Bearer <token>` verified by `identity.keycloak`; no header
means anonymous; a rejected token is answered with HTTP 401 by `graph.app` before any resolver
runs. Tests may inject a Viewer directly (`GraphContext.for_viewer`) and call the schema in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import get_supported_language_variant, gettext
from django.utils.translation.trans_real import parse_accept_lang_header

from identity.keycloak import TokenRejected, cached_viewer, verify_access_token
from portal.core.viewer import Viewer

L = TypeVar("L")


class TokenError(Exception):
    """The bearer token was refused; `graph.app` answers 401 with `message`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class GraphContext:
    viewer: Viewer
    language: str = field(default_factory=lambda: settings.LANGUAGE_CODE)
    request: Any = None
    response: Any = None
    #: Client address (rate limit key of anonymous callers).
    client: str = ""
    #: In-process test mode: units of work run in the caller's thread (the test transaction's
    #: connection) and connections are not closed.
    inline: bool = False
    #: The operation is a mutation: its units of work run in the gateway's write pool (graph.threads).
    writing: bool = False

    _loaders: dict[Any, Any] = field(default_factory=dict, repr=False, init=False)

    def loader(self, kind: Callable[[GraphContext], L]) -> L:
        """This request's instance of the dataloader class `kind` (created on first use), so that every field
        of one answer shares its batches and cache."""
        found = self._loaders.get(kind)
        if found is None:
            found = self._loaders[kind] = kind(self)
        return found

    @classmethod
    def for_viewer(cls, viewer: Viewer, *, language: str | None = None, inline: bool = True) -> GraphContext:
        """Test hook: a context for a given Viewer, without HTTP."""
        return cls(viewer=viewer, language=language or settings.LANGUAGE_CODE, inline=inline)


def bearer_token(headers: Any) -> str | None:
    """The token of an `Authorization: Bearer …` header; '' for a malformed header, None for none."""
    raw = headers.get("authorization")
    if raw is None:
        return None
    scheme, _, token = raw.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()


def viewer_from_token(token: str | None) -> Viewer:
    """Verify the token (sync: may fetch the key set and read the database). Raises TokenError."""
    if token is None:
        return Viewer.anonymous()
    if token == "":
        raise TokenError("malformed", gettext("The Authorization header must be 'Bearer <access token>'."))
    try:
        return verify_access_token(token)
    except TokenRejected as rejected:
        raise TokenError(str(getattr(rejected, "reason", "rejected")),
                         str(getattr(rejected, "message", "") or rejected)) from rejected


def known_viewer(token: str | None) -> Viewer | None:
    """The Viewer of a token verified shortly before (kept in process, see `identity.viewer_cache`): answered
    without a thread hop; None when the token must be verified (`viewer_from_token`, in the read pool)."""
    return cached_viewer(token) if token else None


def request_language(headers: Any, cookies: dict[str, str]) -> str:
    """The explicit language choice (cookie of /i18n/setlang/), then Accept-Language, then Russian."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in supported:
        return chosen
    for code, _quality in parse_accept_lang_header(headers.get("accept-language", "") or ""):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
