"""Web sign-in through Keycloak (OIDC authorization code + PKCE S256) and the session's Viewer.

Other apps use two functions:

* `viewer_for_request(request) -> Viewer` — who is acting in this request: built from the
  session's access token (verified by `identity.keycloak.verify_access_token`) for a single
  sign-on session, from the Django user (`portal.accounts.selectors.viewer_for_user`) for a
  local sign-in (emergency superuser, demo passwords), anonymous otherwise.
* `access_token_for(request) -> str | None` — the session's current access token, e.g. to call
  `/graphql` with `Authorization: Bearer …` on the user's behalf.

The session keeps the access, refresh and id tokens under `SESSION_TOKENS`; the
`identity.middleware.TokenRefreshMiddleware` refreshes the access token shortly before it expires.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from jwcrypto import jwk
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from identity.keycloak import TokenRejected, verify_access_token
from portal.accounts.selectors import viewer_for_user
from portal.core.viewer import Viewer

logger = logging.getLogger("identity")
security_log = logging.getLogger("identity.security")

SESSION_TOKENS = "identity.tokens"
SESSION_PENDING = "identity.pending"
#: How long a started sign-in (state, nonce, PKCE verifier) stays valid.
PENDING_TTL_SECONDS = 600
#: Parallel sign-ins kept per session (several tabs).
MAX_PENDING = 5
SCOPE = "openid profile email"
WELL_KNOWN_TTL_SECONDS = 300
_REQUEST_VIEWER = "_identity_viewer"


class PortalOpenID(KeycloakOpenID):
    """`KeycloakOpenID` whose discovery document is cached for a few minutes (one GET per sign-in otherwise)."""

    _well_known: dict[str, Any] | None = None
    _well_known_at: float = 0.0

    def well_known(self) -> dict:
        now = time.monotonic()
        if self._well_known is None or now - self._well_known_at > WELL_KNOWN_TTL_SECONDS:
            self._well_known = super().well_known()
            self._well_known_at = now
        return self._well_known


_clients: dict[str, PortalOpenID] = {}
_clients_lock = threading.Lock()


def realm_server_url() -> str:
    """Base URL of the Keycloak server (without `/realms/...`), as the portal's server reaches it.

    From settings only, never from the request: the Host header must not choose where the server sends its
    own requests (discovery, token, JWKS). The development realm is reached at IDENTITY_DEVREALM_URL, else at
    the base of its issuer (PUBLIC_BASE_URL, which `portal demo --port` sets)."""
    if settings.KEYCLOAK_URL:
        return settings.KEYCLOAK_URL.rstrip("/")
    if getattr(settings, "IDENTITY_DEVREALM_URL", ""):
        return settings.IDENTITY_DEVREALM_URL.rstrip("/")
    return settings.DEVREALM_ISSUER.rsplit("/realms/", 1)[0].rstrip("/")


def openid_client() -> PortalOpenID:
    """The `portal-web` client (confidential) against Keycloak or the development realm."""
    base = realm_server_url() + "/"  # python-keycloak joins paths with urljoin: keep the slash
    key = f"{base}|{settings.KEYCLOAK_REALM}|{settings.KEYCLOAK_CLIENT_ID}"
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = PortalOpenID(server_url=base, realm_name=settings.KEYCLOAK_REALM,
                                  client_id=settings.KEYCLOAK_CLIENT_ID,
                                  client_secret_key=settings.KEYCLOAK_CLIENT_SECRET or None, timeout=15)
            _clients[key] = client
    return client


def browser_url(request: HttpRequest, url: str) -> str:
    """A realm URL the browser is sent to. The development realm is served by the portal itself on every
    address it answers (ALLOWED_HOSTS), so the browser stays on the origin it uses (its cookies, and the
    callback on that origin, stay valid); only the browser goes there, never the server. Keycloak, or a
    development realm at its own address (IDENTITY_DEVREALM_URL): unchanged."""
    if settings.KEYCLOAK_URL or getattr(settings, "IDENTITY_DEVREALM_URL", ""):
        return url
    own = urlsplit(request.build_absolute_uri("/"))  # get_host(): ALLOWED_HOSTS checked
    parts = urlsplit(url)
    return urlunsplit((own.scheme, own.netloc, parts.path, parts.query, parts.fragment))


def reset_clients() -> None:
    """Forget cached clients (tests switch servers)."""
    with _clients_lock:
        _clients.clear()


# --- Redirect targets -----------------------------------------------------------


def safe_next(request: HttpRequest, candidate: str | None, default: str | None = None) -> str:
    """`candidate` when it stays on this site, `default` (LOGIN_REDIRECT_URL) otherwise."""
    fallback = default or settings.LOGIN_REDIRECT_URL or "/"
    if not candidate:
        return fallback
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    security_log.warning("sign-in: refused off-site next=%r", candidate[:200])
    return fallback


def callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("identity:callback"))


def logged_out_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("identity:logged-out"))


def authorization_url(client: KeycloakOpenID, *, redirect_uri: str, state: str, nonce: str, code_challenge: str,
                      prompt: str | None = None) -> str:
    """python-keycloak 7.1 `auth_url` with PKCE S256 (it does not URL-encode its arguments: we do)."""
    url = client.auth_url(redirect_uri=quote(redirect_uri, safe=""), scope=quote(SCOPE, safe=""), state=state,
                          nonce=nonce, code_challenge=code_challenge, code_challenge_method="S256")
    if prompt:
        url += "&prompt=" + quote(prompt, safe="")
    return url


# --- Tokens in the session -------------------------------------------------------


def store_tokens(request: HttpRequest, tokens: Mapping[str, Any], *, previous: Mapping[str, Any] | None = None) -> None:
    now = time.time()
    previous = previous or {}
    refresh_expires_in = int(tokens.get("refresh_expires_in") or 0)
    request.session[SESSION_TOKENS] = {
        "access_token": tokens["access_token"],
        "refresh_token": tokens.get("refresh_token") or previous.get("refresh_token", ""),
        "id_token": tokens.get("id_token") or previous.get("id_token", ""),
        "expires_at": now + int(tokens.get("expires_in") or 0),
        # 0 = the refresh token does not expire on its own (offline sessions).
        "refresh_expires_at": (now + refresh_expires_in) if refresh_expires_in else 0,
    }
    request.__dict__.pop(_REQUEST_VIEWER, None)


def session_tokens(request: HttpRequest) -> dict[str, Any] | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    tokens = session.get(SESSION_TOKENS)
    return tokens if isinstance(tokens, dict) and tokens.get("access_token") else None


def access_token_for(request: HttpRequest) -> str | None:
    """The signed-in session's current (unexpired) access token, or None."""
    user = getattr(request, "user", None)
    tokens = session_tokens(request)
    if tokens is None or user is None or not user.is_authenticated:
        return None
    if float(tokens.get("expires_at", 0)) <= time.time():
        return None
    return str(tokens["access_token"])


def sign_out_locally(request: HttpRequest) -> None:
    """End the Django session (tokens included) without contacting Keycloak."""
    django_logout(request)
    request.__dict__.pop(_REQUEST_VIEWER, None)


def ensure_fresh_tokens(request: HttpRequest) -> bool:
    """Refresh the access token when it expires soon. False (and signed out) when the session is over."""
    tokens = session_tokens(request)
    if tokens is None:
        return True
    now = time.time()
    margin = int(getattr(settings, "IDENTITY_REFRESH_MARGIN_SECONDS", 60))
    expires_at = float(tokens.get("expires_at", 0))
    if expires_at - margin > now:
        return True
    refresh_expires_at = float(tokens.get("refresh_expires_at") or 0)
    if not tokens.get("refresh_token") or (refresh_expires_at and refresh_expires_at <= now):
        logger.info("single sign-on session of %s ended (refresh token expired)", request.user)
        sign_out_locally(request)
        return False
    try:
        fresh = openid_client().refresh_token(tokens["refresh_token"])
    except KeycloakError as error:
        if expires_at > now and getattr(error, "response_code", None) is None:
            # Keycloak unreachable, the access token still valid: keep going, retry next request.
            logger.warning("token refresh failed, access token still valid: %s", error)
            return True
        logger.info("token refresh refused (%s): signing %s out", getattr(error, "response_code", "-"),
                    request.user)
        sign_out_locally(request)
        return False
    store_tokens(request, fresh, previous=tokens)
    return True


# --- The Viewer of a request --------------------------------------------------------


def viewer_for_request(request: HttpRequest) -> Viewer:
    """Who acts in this request (anonymous when not signed in). Cached on the request."""
    cached = request.__dict__.get(_REQUEST_VIEWER)
    if isinstance(cached, Viewer):
        return cached
    viewer = _resolve_viewer(request)
    request.__dict__[_REQUEST_VIEWER] = viewer
    return viewer


def _resolve_viewer(request: HttpRequest) -> Viewer:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Viewer.anonymous()
    if session_tokens(request) is None:
        # Local sign-in (emergency superuser, demo password): the Django user's groups and profile.
        return viewer_for_user(user)
    token = access_token_for(request)
    if token is None:
        return Viewer.anonymous()

    try:
        viewer = verify_access_token(token)
    except TokenRejected as error:
        security_log.warning("session token of user %s rejected: %s", user.pk, error)
        return Viewer.anonymous()
    return dataclasses.replace(viewer, user_id=user.pk)


# --- ID token --------------------------------------------------------------------


class IdTokenInvalid(Exception):
    pass


def verify_id_token(client: KeycloakOpenID, id_token: str, *, nonce: str) -> dict[str, Any]:
    """Check the ID token of a code exchange: RS256 signature, issuer, audience, expiry, nonce."""
    if not id_token:
        raise IdTokenInvalid("no id_token in the token response")
    try:
        keys = jwk.JWKSet()
        for cert in client.certs().get("keys", []):
            if cert.get("use", "sig") == "sig":
                keys.add(jwk.JWK(**cert))
        claims = client.decode_token(
            id_token, key=keys, algs=["RS256"], leeway=int(getattr(settings, "KEYCLOAK_LEEWAY_SECONDS", 30)),
            check_claims={"iss": client.well_known()["issuer"], "aud": client.client_id, "exp": None},
        )
    except KeycloakError:
        raise
    except Exception as error:  # jwcrypto raises many types
        raise IdTokenInvalid(f"{type(error).__name__}: {error}") from error
    if claims.get("nonce") != nonce:
        raise IdTokenInvalid("nonce mismatch")
    return claims
