"""URL routes of notifications (mounted by portal/urls.py at /notifications/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="read"),
    path("settings/", views.notification_settings, name="settings"),
    path("needs/stop/<str:token>/", views.stop_needs_digest, name="stop-needs"),
]
