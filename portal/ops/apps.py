from __future__ import annotations

from django.apps import AppConfig

from portal.core.network import parse_networks


class OpsConfig(AppConfig):
    """Operations: shared cache table, backups, metrics, structured logs, request ids of jobs."""

    name = "portal.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from portal.ops import job_context  # in ready(): it loads django_tasks_db and this app's models

        try:
            parse_networks(settings.INTERNAL_NETWORKS)
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        job_context.connect_signals()  # jobs run under the request id of the request that enqueued them
        from portal.headers import nonce_wagtail_choosers  # in ready(): wagtail's admin is loaded by now

        nonce_wagtail_choosers()  # the admin's inline scripts carry the CSP nonce
