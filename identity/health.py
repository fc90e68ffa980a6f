"""Readiness of the identity provider (called by /readyz; never blocks long)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from identity.devrealm import guard
from identity.devrealm.keys import signing_key
from identity.keycloak import default_verifier

NOT_CONFIGURED = "identity provider not configured"


def status() -> dict[str, Any]:
    if not settings.KEYCLOAK_URL:
        if not guard.enabled():  # checked first: never create a development key that nothing may trust
            return {"status": "down", "provider": None, "error": NOT_CONFIGURED,
                    "hint": "set KEYCLOAK_URL, or DEBUG / DEVREALM_ALLOW_WITHOUT_DEBUG for the development realm"}
        try:
            signing_key()
        except Exception as error:
            return {"status": "down", "provider": "devrealm", "error": str(error)}
        return {"status": "ok", "provider": "devrealm", "enabled": True}
    verifier = default_verifier()
    if verifier.cached:
        return {"status": "ok", "provider": "keycloak", "jwks": "cached"}
    try:
        import httpx

        response = httpx.get(f"{settings.KEYCLOAK_URL}/realms/{settings.KEYCLOAK_REALM}/protocol/openid-connect/certs",
                             timeout=2)
        response.raise_for_status()
    except Exception as error:
        return {"status": "degraded", "provider": "keycloak", "jwks": "unreachable", "error": str(error)[:200]}
    return {"status": "ok", "provider": "keycloak", "jwks": "reachable"}
