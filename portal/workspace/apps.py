from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The partner workspace (рабочее место партнёра) at /workspace/: a server-rendered adapter over the domain's
    measure selectors and services."""

    name = "portal.workspace"
    label = "workspace"
