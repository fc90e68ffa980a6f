"""Mounts the case workspace inside the Wagtail admin (under /admin/casework/)."""

from __future__ import annotations

from django.urls import include, path
from wagtail import hooks

from portal.casework import cases_urls, intake_urls


@hooks.register("register_admin_urls")
def register_casework_urls() -> list:
    return [
        path("casework/", include((intake_urls.urlpatterns + cases_urls.urlpatterns, "casework"),
                                  namespace="casework")),
    ]
