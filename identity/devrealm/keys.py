"""Signing key of the development realm: RSA 2048, generated on first start, kept in the data folder."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from jwcrypto import jwk

_lock = threading.Lock()
_cache: dict[Path, jwk.JWK] = {}


def key_path() -> Path:
    return Path(settings.DEVREALM_KEY_DIR) / "signing-key.pem"


def _read_or_create(path: Path) -> jwk.JWK:
    """The key stored at `path`, created when missing. Several worker processes may start at once: each one
    writes its candidate key to a private temporary file and hard-links it to `path`, which succeeds for
    exactly one of them (link never replaces a file) and publishes a complete file in one step; the others
    read the winner's key. A reader therefore never sees a half-written file."""
    if path.exists():
        return jwk.JWK.from_pem(path.read_bytes())
    candidate = jwk.JWK.generate(kty="RSA", size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)  # mode 600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(candidate.export_to_pem(private_key=True, password=None))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process published its key first: use that one
            return jwk.JWK.from_pem(path.read_bytes())
    finally:
        os.unlink(temporary)
    return candidate


def signing_key() -> jwk.JWK:
    """The realm's private RS256 key (with `kid`), created with file mode 600 when missing."""
    path = key_path()
    with _lock:
        if path in _cache:
            return _cache[path]
        key = _read_or_create(path)
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
