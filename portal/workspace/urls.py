"""The partner workspace (mounted at /workspace/ by portal/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.workspace import performance, report_family, signals, views

app_name = "workspace"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.measure_list, name="measures"),
    path("performance/", performance.performance, name="performance"),
    path("report-family/", report_family.report_family, name="report-family"),
    path("signals/", signals.signal_list, name="signals"),
    path("measures/<str:measure_id>/", views.measure_detail, name="measure"),
    path("measures/<str:measure_id>/<str:action>/", views.measure_action, name="measure-action"),
]
