"""Mounts the case workspace inside the Wagtail admin (under /admin/casework/) and puts it in the admin menu."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from portal.accounts.admin_views import request_viewer
from portal.casework import actions, cases_urls, intake_urls, registries


@hooks.register("register_admin_urls")
def register_casework_urls() -> list:
    return [
        path("casework/", include((intake_urls.urlpatterns + cases_urls.urlpatterns, "casework"),
                                  namespace="casework")),
        # The lifecycle actions' former address (bookmarks, older links): the same view.
        path("cases-workflow/<str:kind>/<int:pk>/<slug:action>/", actions.ActionView.as_view(),
             name="cases_workflow"),
    ]


class StaffMenuItem(MenuItem):
    """Shown to staff who read cases (officers, coordinators, supervisors, admins)."""

    def is_shown(self, request: Any) -> bool:
        return request_viewer(request).is_staff_reader


class SocialSupportMenu(SubmenuMenuItem):
    def is_shown(self, request: Any) -> bool:
        return request_viewer(request).is_staff_reader


@hooks.register("register_admin_menu_item")
def casework_menu() -> MenuItem:
    items = [
        StaffMenuItem(_("My work"), reverse("casework:dashboard"), icon_name="home", order=10),
        StaffMenuItem(_("Cases"), reverse("casework:cases"), icon_name="folder-open-inverse", order=20),
        StaffMenuItem(_("Persons"), reverse("casework:persons"), icon_name="user", order=30),
        StaffMenuItem(_("Signals"), reverse("casework:signals"), icon_name="warning", order=40),
        StaffMenuItem(_("Measures"), reverse("measures:index"), icon_name="tasks", order=50),
    ]
    return SocialSupportMenu(_("Social support"), Menu(items=items), icon_name="folder-open-inverse", order=200)


@hooks.register("register_admin_viewset")
def register_registries() -> list[Any]:
    return registries.viewsets()
