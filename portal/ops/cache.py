"""The shared cache: rate limits, throttles and caches that every portal process must see alike.

`CACHE_URL` chooses the backend (read by portal/settings.py):

- unset or `locmem://`  — local memory: one process only (`portal demo`, a single `portal serve`);
- `redis://host:6379/0`, `rediss://…`, `unix:///path/redis.sock` — Redis (production choice:
  atomic counters, expiry done by the server, no write load on the database primary);
- `db://` — Django's database cache in the `portal_cache` table (created by `migrate`): shared
  through the database, no extra server, but counters are read-modify-write (not atomic).

`portal serve --workers N` (N > 1) without `CACHE_URL` gives its workers `db://`, so limits stay
shared even on the embedded default. Measured comparison: benchmarks/results/cache.md.

Redis being down must not take the portal down: `ResilientRedisCache` answers a failed call as
a cache miss (a rate limit then lets the request through), logs it at most once a minute per
process and counts it in `portal_cache_errors_total`.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from portal.ops import metrics

DATABASE_CACHE_TABLE = "portal_cache"
KEY_PREFIX = "portal"

logger = logging.getLogger("portal.ops.cache")


class CacheConfigError(ValueError):
    pass


def caches_from_url(url: str) -> dict[str, dict[str, Any]]:
    """Django's CACHES for a CACHE_URL (see the module docstring)."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else "locmem"
    if scheme == "locmem":
        default: dict[str, Any] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    elif scheme in {"redis", "rediss", "unix"}:
        default = {
            "BACKEND": "portal.ops.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "health_check_interval": 30},
        }
    elif scheme == "db":
        default = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": DATABASE_CACHE_TABLE}
    else:
        raise CacheConfigError(f"CACHE_URL must start with redis://, rediss://, unix://, db:// or locmem://, "
                               f"got {url.split(':', 1)[0]!r}")
    default["KEY_PREFIX"] = KEY_PREFIX
    return {"default": default}


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that answers like an empty cache while Redis is unreachable."""

    _last_logged = 0.0

    def _failed(self, operation: str, exc: BaseException) -> None:
        metrics.CACHE_ERRORS.inc()
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged > 60:
            ResilientRedisCache._last_logged = now
            logger.warning("cache unavailable, answering as a miss", extra={"operation": operation,
                                                                            "error": exc.__class__.__name__})

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _connection_errors() as exc:
            self._failed("get", exc)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)
        except _connection_errors() as exc:
            self._failed("get_many", exc)
            return {}

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except _connection_errors() as exc:
            self._failed("add", exc)
            return True

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _connection_errors() as exc:
            self._failed("set", exc)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except _connection_errors() as exc:
            self._failed("set_many", exc)
            return list(data)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _connection_errors() as exc:
            self._failed("incr", exc)
            return delta

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except _connection_errors() as exc:
            self._failed("touch", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except _connection_errors() as exc:
            self._failed("delete", exc)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except _connection_errors() as exc:
            self._failed("delete_many", exc)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except _connection_errors() as exc:
            self._failed("has_key", exc)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except _connection_errors() as exc:
            self._failed("clear", exc)
