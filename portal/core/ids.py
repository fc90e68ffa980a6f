"""Reading the id of a stored object from what a caller sent (a URL segment, a form field, an API argument)."""

from __future__ import annotations

from django.utils.functional import Promise

from portal.core.errors import NotFound

#: The largest id a database integer key holds (bigint): a larger number names nothing, and must not reach
#: the database (PostgreSQL refuses it with an error rather than finding nothing).
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The positive integer id `value` spells (an int, or digits with optional spaces), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def require_id(value: object, not_found: str | Promise) -> int:
    """`parse_id`, or NotFound with the message for a missing object (a malformed id names nothing)."""
    number = parse_id(value)
    if number is None:
        raise NotFound(not_found)
    return number
