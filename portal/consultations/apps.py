from __future__ import annotations

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("portal.consultations")


class ConsultationsConfig(AppConfig):
    name = "portal.consultations"
    label = "consultations"
    verbose_name = _("Consultations")
