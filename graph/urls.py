"""The partner workspace (mounted at /workspace/ by portal/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from graph import workspace

app_name = "graph"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", workspace.measure_list, name="measures"),
    path("measures/<str:measure_id>/", workspace.measure_detail, name="measure"),
    path("measures/<str:measure_id>/<str:action>/", workspace.measure_action, name="measure-action"),
]
