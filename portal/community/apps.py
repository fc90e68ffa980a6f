from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "portal.community"
    label = "community"
