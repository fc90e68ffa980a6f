from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "portal.cases"
    label = "cases"

    def ready(self) -> None:
        from portal.cases import retention

        retention.connect_guards()  # no change of a person whose processing stopped (152-FZ art. 21)
