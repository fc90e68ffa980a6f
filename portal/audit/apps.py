from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from portal.audit.db import ensure_sqlite_triggers


def _ensure_triggers(using: str = "default", **kwargs: Any) -> None:
    """SQLite rebuilds a table to alter it and the triggers go with the old one: put them back after migrating."""
    ensure_sqlite_triggers(connections[using])


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"

    def ready(self) -> None:
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="audit.ensure_sqlite_triggers")
