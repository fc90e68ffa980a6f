"""URLs of the intake flow: signal → check and inspection act → application and consent →
household and persons → registration → programme and its approval."""

from __future__ import annotations

from django.urls import URLPattern, path

from portal.casework.intake import views

urlpatterns: list[URLPattern] = [
    path("signals/new/", views.SignalCreateView.as_view(), name="signal_new"),
    path("signals/mine/", views.MySignalsView.as_view(), name="my_signals"),
    path("signals/<int:pk>/", views.SignalView.as_view(), name="signal"),
    path("signals/<int:pk>/act/", views.InspectionActView.as_view(), name="signal_act"),
    path("households/new/", views.HouseholdCreateView.as_view(), name="household_new"),
    path("households/<int:pk>/", views.HouseholdView.as_view(), name="household"),
    path("households/<int:pk>/application/", views.ApplicationCreateView.as_view(), name="application_new"),
    path("applications/<int:pk>/", views.ApplicationView.as_view(), name="application"),
    path("cases/<int:pk>/programme/", views.ProgrammeView.as_view(), name="programme"),
]
