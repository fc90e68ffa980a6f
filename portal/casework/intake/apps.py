from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """The intake flow of the case workspace: its own templates and translations beside `portal.casework`."""

    name = "portal.casework.intake"
    label = "casework_intake"
    verbose_name = _("Intake of signals and families")
