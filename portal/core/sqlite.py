"""SQLite's LIKE folds case for ASCII only; the embedded default must match Cyrillic too.

Django's ``icontains``/``istartswith`` compile to ``LIKE ... ESCAPE '\\'`` on SQLite, so
``filter(task__icontains="ВТОРАЯ")`` would miss "Вторая" there while PostgreSQL finds it.
Every new SQLite connection gets a Unicode-aware ``like()`` with SQLite's own semantics
(``%``, ``_``, an escape character, case-insensitive), so both databases agree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created


@lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(like)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern: str | None, value: Any, escape: str | None = None) -> bool | None:
    """SQL ``value LIKE pattern [ESCAPE escape]`` (SQLite calls ``like(pattern, value, escape)``)."""
    if pattern is None or value is None:
        return None
    return _pattern(pattern, escape).fullmatch(str(value)) is not None


def install_unicode_like(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, unicode_like, deterministic=True)
    raw.create_function("like", 3, unicode_like, deterministic=True)


def connect() -> None:
    connection_created.connect(install_unicode_like, dispatch_uid="portal.core.sqlite.unicode_like")
