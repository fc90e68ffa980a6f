from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "portal.community"
    label = "community"
    verbose_name = _("Registries")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from portal.cases.models import Case, Consent, Measure
        from portal.community.signals import case_saved, consent_saved, measure_saved

        post_save.connect(measure_saved, sender=Measure, dispatch_uid="community.measure_saved")
        post_save.connect(case_saved, sender=Case, dispatch_uid="community.case_saved")
        post_save.connect(consent_saved, sender=Consent, dispatch_uid="community.consent_saved")
