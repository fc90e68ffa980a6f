from django.apps import AppConfig

from portal.core import sqlite


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self) -> None:
        sqlite.connect()
