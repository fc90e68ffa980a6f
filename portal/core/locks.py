"""A wait for a lock that the database gave up (someone else is changing the same rows): a transient refusal
that every adapter answers with "try again in a few seconds", never an internal error."""

from __future__ import annotations

#: Seconds a caller is asked to wait after a lock timeout (`Retry-After`, the gateway's `retryAfter`).
RETRY_AFTER_SECONDS = 5

#: SQLSTATEs of a wait the database gave up: lock_not_available (lock_timeout), query_canceled
#: (statement_timeout), deadlock_detected, serialization_failure.
_RETRY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def is_lock_timeout(error: BaseException) -> bool:
    """Whether `error` (or an error it was raised from) is a lock wait the database ended: PostgreSQL's
    lock_timeout / statement_timeout / deadlock, SQLite's "database is locked", or no pooled connection free."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in _RETRY_SQLSTATES:
            return True
        text = str(current).lower()
        kind = type(current).__name__
        if kind == "OperationalError" and ("database is locked" in text or "database table is locked" in text):
            return True
        if kind == "PoolTimeout":
            return True
        current = current.__cause__ or current.__context__
    return False
