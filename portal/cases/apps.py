from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "portal.cases"
    label = "cases"

    def ready(self) -> None:
        from portal.cases import retention  # models are ready only here (apps.py loads before them)

        retention.connect_guards()  # no change of a person whose processing stopped (152-FZ art. 21)
