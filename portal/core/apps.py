from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self) -> None:
        from portal.core import sqlite

        sqlite.connect()
        from portal.headers import nonce_wagtail_choosers

        nonce_wagtail_choosers()  # the admin's inline scripts carry the CSP nonce
