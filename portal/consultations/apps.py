from __future__ import annotations

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("portal.consultations")


class ConsultationsConfig(AppConfig):
    name = "portal.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from portal.consultations import search_sources
        from portal.consultations.searching import register_search_source

        register_search_source(search_sources.KIND, search_sources.document, search_sources.all_ids)
