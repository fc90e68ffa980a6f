from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "portal.community"
    label = "community"
    verbose_name = _("Registries")
