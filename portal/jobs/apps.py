from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from portal.jobs import metrics, registry  # in ready(): they load the job models

        registry.connect_signals()
        metrics.register()
        autodiscover_modules("jobs")  # every app's jobs.py declares its jobs and periodic schedules
