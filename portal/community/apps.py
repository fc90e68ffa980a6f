from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "portal.community"
    label = "community"
    verbose_name = _("Registries")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from portal.cases.models import Measure
        from portal.community import search_sources
        from portal.community.signals import measure_saved
        from portal.consultations.searching import register_search_source

        post_save.connect(measure_saved, sender=Measure, dispatch_uid="community.measure_saved")
        register_search_source(search_sources.BENEFACTOR, search_sources.benefactor_document,
                               search_sources.benefactor_ids)
        register_search_source(search_sources.NEED, search_sources.need_document, search_sources.need_ids)
