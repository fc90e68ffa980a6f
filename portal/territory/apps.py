from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "portal.territory"
    label = "territory"
