from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "portal.consultations"
    label = "consultations"
