"""Access-token verification on python-keycloak's `KeycloakOpenID` → a `Viewer`.

RS256 only, exact issuer, audience must contain `settings.KEYCLOAK_AUDIENCE`, exp/nbf with a small leeway,
`typ` must be "Bearer". The key set is fetched once (`certs()`), cached as a jwcrypto JWKSet and passed as
`key=` to `decode_token`; an unknown `kid` refetches it at most once per KEYCLOAK_JWKS_REFETCH_SECONDS.
Without KEYCLOAK_URL the development realm served by this portal is the issuer, and its key is read from
the key store directly (no HTTP request from the server to itself) — but only while the development realm is
enabled (DEBUG or DEVREALM_ALLOW_WITHOUT_DEBUG): otherwise no provider is configured and every token is refused.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from keycloak import KeycloakOpenID

from identity.devrealm import guard
from identity.devrealm.keys import public_jwks
from identity.viewer_cache import viewers
from portal.accounts.selectors import account_id, build_viewer
from portal.audit.services import record
from portal.core.viewer import Role, Viewer
from portal.partners.selectors import organisation_by_group

logger = logging.getLogger("portal.security")


class TokenRejected(Exception):
    """The bearer token is not acceptable; `reason` is a stable code, `message` a translatable text."""

    def __init__(self, reason: str, message: Any) -> None:
        super().__init__(str(message))
        self.reason = reason
        self.message = message


MESSAGES: dict[str, Any] = {
    "malformed": _("The access token is malformed."),
    "expired": _("The access token has expired."),
    "not_yet_valid": _("The access token is not valid yet."),
    "wrong_issuer": _("The access token was issued by an unknown issuer."),
    "wrong_audience": _("The access token is not meant for this service."),
    "bad_algorithm": _("The access token is signed with a forbidden algorithm."),
    "unknown_key": _("The access token is signed with an unknown key."),
    "bad_signature": _("The access token signature is invalid."),
    "wrong_type": _("The token is not an access token."),
    "no_organisation": _("Your partner organisation is unknown or inactive; partner access is refused."),
    "no_roles": _("Your account has no portal role or group."),
    "unavailable": _("The sign-in service is unavailable; try again later."),
    "not_configured": _("No identity provider is configured on this server; access tokens are not accepted."),
}

#: The claim a jwcrypto claim error is about ("Claim iss is missing", "Invalid 'aud' value. ...").
_CLAIM_ERROR = re.compile(r"^(?:Claim (\w+) is missing|Invalid '(\w+)' value)")
_CLAIM_REASONS = {"iss": "wrong_issuer", "aud": "wrong_audience"}


def _reject(reason: str, detail: str = "", claims: dict[str, Any] | None = None) -> TokenRejected:
    subject = (claims or {}).get("preferred_username") or (claims or {}).get("sub") or "?"
    logger.warning("token rejected: reason=%s subject=%s %s", reason, subject, detail)
    try:
        with transaction.atomic():
            record(viewer=Viewer(subject=f"token:{subject}", username=str(subject)), action="security",
                   verb="token_rejected", object_type="token", details={"reason": reason, "detail": detail[:500]})
    except Exception:
        logger.debug("audit record for rejected token failed", exc_info=True)
    return TokenRejected(reason, MESSAGES[reason])


class TokenVerifier:
    """Verifies access tokens of one realm. `key_source` returns the JWKS dict (default: `openid.certs()`)."""

    def __init__(self, *, openid: KeycloakOpenID, issuer: str, audience: str, leeway: int = 30,
                 refetch_seconds: float = 10, key_source: Callable[[], dict[str, Any]] | None = None) -> None:
        self.openid = openid
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.refetch_seconds = refetch_seconds
        self._key_source = key_source or openid.certs
        self._keys: jwk.JWKSet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self.fetches = 0

    def _fetch(self) -> None:
        keyset = jwk.JWKSet()
        for cert in self._key_source()["keys"]:
            if cert.get("use", "sig") == "sig" and cert.get("kty") == "RSA":
                keyset.add(jwk.JWK(**cert))
        self._keys, self._fetched_at = keyset, time.monotonic()
        self.fetches += 1

    def keys(self, kid: str | None = None) -> jwk.JWKSet:
        with self._lock:
            stale = self._keys is None or (kid is not None and self._keys.get_key(kid) is None
                                            and time.monotonic() - self._fetched_at >= self.refetch_seconds)
            if stale:
                try:
                    self._fetch()
                except Exception as error:
                    if self._keys is None:
                        raise _reject("unavailable", repr(error)) from error
            assert self._keys is not None
            return self._keys

    @property
    def cached(self) -> bool:
        return self._keys is not None

    def verify(self, token: str) -> dict[str, Any]:
        """Signature and claims; returns the claims or raises TokenRejected."""
        try:
            header = _header(token)
        except ValueError as error:
            raise _reject("malformed", str(error)) from error
        if header.get("alg") != "RS256":
            raise _reject("bad_algorithm", f"alg={header.get('alg')!r}")
        kid = header.get("kid")
        keys = self.keys(kid)
        if kid is not None and keys.get_key(kid) is None:
            raise _reject("unknown_key", f"kid={kid!r}")
        try:
            claims = self.openid.decode_token(
                token, validate=True, key=keys, leeway=self.leeway, algs=["RS256"], expected_type="JWS",
                check_claims={"iss": self.issuer, "exp": None, "aud": self.audience})
        except jwt.JWTExpired as error:
            raise _reject("expired", str(error)) from error
        except jwt.JWTNotYetValid as error:
            raise _reject("not_yet_valid", str(error)) from error
        except jwt.JWTMissingKey as error:  # a known kid whose key does not verify: bad signature
            reason = "bad_signature" if kid is not None or len(keys["keys"]) else "unknown_key"
            raise _reject(reason, str(error)) from error
        except jwt.JWTInvalidClaimFormat as error:  # validly signed, a claim of the wrong type
            raise _reject("malformed", str(error)) from error
        except (jwt.JWTInvalidClaimValue, jwt.JWTMissingClaim) as error:
            text = str(error)
            match = _CLAIM_ERROR.match(text)
            claim = (match.group(1) or match.group(2)) if match else ""
            raise _reject(_CLAIM_REASONS.get(claim, "malformed"), text) from error
        except (JWException, ValueError) as error:
            raise _reject("bad_signature", str(error)) from error
        except TypeError as error:  # a validly signed claim of the wrong type (e.g. "exp": "soon")
            raise _reject("malformed", f"claim of the wrong type: {error}") from error
        wrong = _wrongly_typed_claim(claims)
        if wrong:
            raise _reject("malformed", f"claim {wrong} has the wrong type", claims)
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > time.time() + self.leeway:
            raise _reject("not_yet_valid", f"nbf={nbf}", claims)
        if claims.get("typ") != "Bearer":
            raise _reject("wrong_type", f"typ={claims.get('typ')!r}", claims)
        return claims


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


#: Type checks of the claims the portal reads; a validly signed token whose claim fails one is malformed.
_CLAIM_TYPES: dict[str, Callable[[Any], bool]] = {
    "exp": _is_number, "nbf": _is_number, "iat": _is_number,
    "sub": lambda v: isinstance(v, str), "typ": lambda v: isinstance(v, str),
    "preferred_username": lambda v: isinstance(v, str), "name": lambda v: isinstance(v, str),
    "azp": lambda v: isinstance(v, str), "groups": _is_strings,
    "aud": lambda v: isinstance(v, str) or _is_strings(v),
    "realm_access": lambda v: isinstance(v, dict) and _is_strings(v.get("roles", [])),
}


def _wrongly_typed_claim(claims: Any) -> str | None:
    """The name of the first claim present with the wrong type ("claims" itself when not an object)."""
    if not isinstance(claims, dict):
        return "claims"
    for name, check in _CLAIM_TYPES.items():
        if name in claims and claims[name] is not None and not check(claims[name]):
            return name
    return None


def _header(token: str) -> dict[str, Any]:
    import base64

    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS")
    raw = parts[0] + "=" * (-len(parts[0]) % 4)
    header = json.loads(base64.urlsafe_b64decode(raw))
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header


def expected_issuer() -> str:
    if settings.KEYCLOAK_URL:
        return f"{settings.KEYCLOAK_URL}/realms/{settings.KEYCLOAK_REALM}"
    return settings.DEVREALM_ISSUER


def make_verifier(server_url: str | None = None, *, key_source: Callable[[], dict[str, Any]] | None = None,
                  issuer: str | None = None) -> TokenVerifier:
    """A verifier; `server_url` defaults to KEYCLOAK_URL (or the portal's base URL for the dev realm)."""
    url = server_url or settings.KEYCLOAK_URL or settings.PUBLIC_BASE_URL
    openid = KeycloakOpenID(server_url=url.rstrip("/") + "/", realm_name=settings.KEYCLOAK_REALM,
                            client_id=settings.KEYCLOAK_CLIENT_ID, client_secret_key=settings.KEYCLOAK_CLIENT_SECRET,
                            timeout=5)
    return TokenVerifier(openid=openid, issuer=issuer or expected_issuer(), audience=settings.KEYCLOAK_AUDIENCE,
                         leeway=getattr(settings, "KEYCLOAK_LEEWAY_SECONDS", 30),
                         refetch_seconds=getattr(settings, "KEYCLOAK_JWKS_REFETCH_SECONDS", 10), key_source=key_source)


_default: TokenVerifier | None = None
_default_lock = threading.Lock()


def default_verifier() -> TokenVerifier:
    """The verifier of the configured provider: Keycloak (KEYCLOAK_URL) or the enabled development realm.

    Neither configured (e.g. DEBUG off without DEVREALM_ALLOW_WITHOUT_DEBUG): TokenRejected("not_configured"),
    and the development realm's key is neither trusted nor created."""
    global _default
    if not settings.KEYCLOAK_URL and not guard.enabled():
        raise _reject("not_configured", "neither KEYCLOAK_URL is set nor the development realm enabled")
    with _default_lock:
        if _default is None or _default.issuer != expected_issuer():
            source = None
            if not settings.KEYCLOAK_URL:
                source = public_jwks
            _default = make_verifier(key_source=source)
        return _default


def viewer_from_claims(claims: dict[str, Any]) -> Viewer:
    """Roles from realm_access, organisation/institution from groups; the Viewer is built by
    `portal.accounts.selectors.build_viewer`, like the one of a signed-in Django user."""
    known = {role.value for role in Role}
    roles = {Role(r) for r in (claims.get("realm_access") or {}).get("roles", []) if r in known}
    groups = [g for g in claims.get("groups") or [] if isinstance(g, str)]
    organisation = institution = None
    for group in groups:
        if group.startswith("/partners/") and organisation is None:
            organisation = organisation_by_group(group)
        elif group.startswith("/institutions/") and institution is None:
            institution = organisation_by_group(group)
    if Role.PARTNER in roles and organisation is None:
        raise _reject("no_organisation", f"groups={groups}", claims)
    if not roles:
        raise _reject("no_roles", f"groups={groups}", claims)
    username = str(claims.get("preferred_username") or "")
    return build_viewer(
        subject=str(claims.get("sub") or username), username=username,
        display_name=str(claims.get("name") or username), roles=roles, organisation=organisation,
        institution=institution, user_id=account_id(username))


def cached_viewer(token: str) -> Viewer | None:
    """The Viewer `verify_access_token` keeps for this token (`identity.viewer_cache`), if any: a dictionary
    look-up, no I/O (the gateway asks in its event loop and hops to a thread only when this is None)."""
    if not token or (not settings.KEYCLOAK_URL and not guard.enabled()):
        return None
    current = _default
    if current is None or current.issuer != expected_issuer():
        return None
    return viewers.get(f"{current.issuer} {token}")


def verify_access_token(token: str, *, verifier: TokenVerifier | None = None) -> Viewer:
    """Verify a bearer access token and resolve its Viewer, or raise TokenRejected.

    The default verifier's answers are kept per token for a short time (`identity.viewer_cache`: until 30 s
    before `exp`, at most 60 s, dropped when an account, organisation or agreement changes)."""
    if verifier is not None:
        return viewer_from_claims(verifier.verify(token))
    current = default_verifier()  # refuses when no provider is configured, cached or not
    keyed = f"{current.issuer} {token}"
    if (cached := viewers.get(keyed)) is not None:
        return cached
    generation = viewers.generation
    claims = current.verify(token)
    viewer = viewer_from_claims(claims)
    viewers.put(keyed, claims, viewer, generation=generation)
    return viewer
