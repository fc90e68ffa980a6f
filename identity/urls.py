"""URL routes of this app (mounted at /accounts/ by portal/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from identity import views

app_name = "identity"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("logout/", views.logout, name="logout"),
    path("logged-out/", views.logged_out, name="logged-out"),
    path("profile/", views.profile, name="profile"),
]
