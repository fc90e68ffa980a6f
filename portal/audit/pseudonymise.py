"""Pseudonymising the audit events of an anonymised person (152-FZ): the events stay — who did what, when, to
which object — but the object's name becomes a stable pseudonym and the personal values in `changes` become
"***" (the keys stay: the trail still says *that* a last name or an address was changed).

This is the only change the append-only trail allows (migration 0004): on PostgreSQL through the SECURITY DEFINER
function `audit_pseudonymise`, whose trigger check lets only `object_repr` and `changes` change; on SQLite,
which has no roles (the file's permissions are the boundary), by lifting the UPDATE trigger inside the same
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from portal.audit.db import AUDIT_TABLE, SQLITE_TRIGGERS

REDACTED = "***"


def _redacted(changes: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    def blank(value: Any) -> Any:
        if isinstance(value, list):
            return [item if item is None else REDACTED for item in value]
        return REDACTED

    return {key: blank(value) if key in fields else value for key, value in changes.items()}


def pseudonymise_events(*, object_type: str, object_ids: Sequence[int | str], pseudonym: str | None,
                        fields: Sequence[str]) -> int:
    """Rewrite the events of these objects: `object_repr` → `pseudonym` (None keeps it), the values of `fields`
    in `changes` → "***". Returns the number of events rewritten. Runs in the caller's transaction."""
    ids = [str(object_id) for object_id in object_ids]
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT audit_pseudonymise(%s, %s, %s, %s)", [object_type, ids, pseudonym, list(fields)])
            return int(cursor.fetchone()[0])
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"audit pseudonymisation on {connection.vendor}")
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT id, object_repr, changes FROM {AUDIT_TABLE} "
                       f"WHERE object_type = %s AND object_id IN ({placeholders})", [object_type, *ids])
        rows = cursor.fetchall()
        update_trigger = next(sql for name, sql in SQLITE_TRIGGERS if name.endswith("_update"))
        update_name = next(name for name, _sql in SQLITE_TRIGGERS if name.endswith("_update"))
        cursor.execute(f'DROP TRIGGER IF EXISTS "{update_name}"')
        try:
            for event_id, repr_, changes in rows:
                loaded = json.loads(changes) if isinstance(changes, str) else (changes or {})
                cursor.execute(f"UPDATE {AUDIT_TABLE} SET object_repr = %s, changes = %s WHERE id = %s",
                               [repr_ if pseudonym is None else pseudonym[:255],
                                json.dumps(_redacted(loaded, fields), ensure_ascii=False), event_id])
        finally:
            cursor.execute(update_trigger)
        return len(rows)
