"""Test helpers: access tokens signed with the development realm's key (used by other packages' tests)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from jwcrypto import jwk, jws, jwt

from identity.devrealm.app import user as realm_user
from identity.devrealm.keys import signing_key
from identity.keycloak import expected_issuer
from identity.realm.clients import GATEWAY_CLIENT_ID, WEB_CLIENT_ID, stable_id


def _demo_user(username: str) -> dict[str, Any] | None:
    return realm_user(username)


def issue_token(*, username: str | None = None, roles: tuple[str, ...] | list[str] = (),
                groups: tuple[str, ...] | list[str] = (), audience: str | list[str] | None = GATEWAY_CLIENT_ID,
                expires_in: int = 300, not_before: int | None = None, issuer: str | None = None,
                alg: str = "RS256", kid: str | None = None, extra: dict[str, Any] | None = None,
                key: jwk.JWK | None = None, omit: tuple[str, ...] | list[str] = ()) -> str:
    """An access token like the development realm issues. A demo `username` without roles/groups takes
    them from the realm file. `alg="none"` builds an unsigned token; `alg="HS256"` with `key` an oct key;
    `omit` drops claims (e.g. ("iss",) for a token without an issuer)."""

    account = _demo_user(username) if username else None
    if account is not None and not roles and not groups:
        roles = [r for r in account.get("realmRoles", []) if r != "default-roles-portal"]
        groups = account.get("groups", [])
    now = int(time.time())
    name = f"{account.get('firstName', '')} {account.get('lastName', '')}".strip() if account else (username or "")
    claims: dict[str, Any] = {
        "iss": issuer or expected_issuer(), "iat": now, "exp": now + expires_in, "jti": str(uuid.uuid4()),
        "sub": account["id"] if account else stable_id("user", username or "anonymous"), "typ": "Bearer",
        "azp": WEB_CLIENT_ID, "sid": str(uuid.uuid4()), "scope": "openid profile email",
        "preferred_username": username or "", "name": name, "realm_access": {"roles": list(roles)},
        "groups": list(groups),
    }
    if audience is not None:
        claims["aud"] = [audience, "account"] if isinstance(audience, str) else list(audience)
    if not_before is not None:
        claims["nbf"] = not_before
    claims.update(extra or {})
    for name in omit:
        claims.pop(name, None)
    if alg == "none":
        import base64
        import json

        def b64(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    signer = key or signing_key()
    header = {"alg": alg, "typ": "JWT", "kid": kid if kid is not None else getattr(signer, "kid", None)}
    token = jwt.JWT(header=header, claims=claims)
    if alg == "HS256":  # jwcrypto refuses HS256 by default: allow it explicitly to forge the attack token
        signed = jws.JWS(token.claims)
        signed.allowed_algs = ["HS256"]
        signed.add_signature(signer, alg="HS256", protected=header)
        return signed.serialize(compact=True)
    token.make_signed_token(signer)
    return token.serialize()


def bearer(username: str, **kwargs: Any) -> dict[str, str]:
    """`{"Authorization": "Bearer <token>"}` for a demo user."""
    return {"Authorization": f"Bearer {issue_token(username=username, **kwargs)}"}


def realm_file_for(tmp_path: Any, *bases: str) -> Any:
    """A copy of the realm file whose portal-web client also accepts the test servers' addresses."""
    import json

    from django.conf import settings as django_settings

    realm = json.loads(django_settings.KEYCLOAK_REALM_FILE.read_text(encoding="utf-8"))
    for registered in realm["clients"]:
        if registered["clientId"] == "portal-web":
            registered["redirectUris"] = [*registered.get("redirectUris", []), *(f"{b}/*" for b in bases)]
            attributes = registered.setdefault("attributes", {})
            uris = [u for u in attributes.get("post.logout.redirect.uris", "").split("##") if u]
            attributes["post.logout.redirect.uris"] = "##".join([*uris, *(f"{b}/*" for b in bases)])
    path = tmp_path / "portal-realm.json"
    path.write_text(json.dumps(realm, ensure_ascii=False), encoding="utf-8")
    return path
