"""Signing key of the development realm: RSA 2048, generated on first start, kept in the data folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings
from jwcrypto import jwk

_lock = threading.Lock()
_cache: dict[Path, jwk.JWK] = {}


def key_path() -> Path:
    return Path(settings.DEVREALM_KEY_DIR) / "signing-key.pem"


def signing_key() -> jwk.JWK:
    """The realm's private RS256 key (with `kid`), created with file mode 600 when missing."""
    path = key_path()
    with _lock:
        if path in _cache:
            return _cache[path]
        if path.exists():
            key = jwk.JWK.from_pem(path.read_bytes())
        else:
            key = jwk.JWK.generate(kty="RSA", size=2048)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.export_to_pem(private_key=True, password=None))
        public = key.export_public(as_dict=True)
        public["kid"] = key.thumbprint()
        private = key.export_private(as_dict=True)
        private.update(kid=public["kid"], alg="RS256", use="sig")
        key = jwk.JWK(**private)
        _cache[path] = key
        return key


def public_jwks() -> dict:
    public = signing_key().export_public(as_dict=True)
    return {"keys": [public]}
