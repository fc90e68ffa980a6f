from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region «Заречный край» and its loaders (part of the composition root: it may import
    every layer, and nothing imports it but the `portal` command and the tests)."""

    name = "portal.demo"
    label = "demo"
    verbose_name = "Demo region"
