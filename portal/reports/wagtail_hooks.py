"""Wagtail admin: the «Отчёты» section (reports, their deadlines and submission, the effectiveness survey)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.accounts.admin_views import request_viewer
from portal.core.viewer import Role
from portal.reports import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    urls = [
        path("", admin_views.index, name="index"),
        path("survey/", admin_views.survey, name="survey"),
        path("survey/<int:case_id>/invite/", admin_views.survey_invite, name="survey_invite"),
        path("survey/<int:case_id>/enter/", admin_views.survey_enter, name="survey_enter"),
        path("submitted/<int:submission_id>/", admin_views.submission_detail, name="submission"),
        path("<str:kind>/", admin_views.report, name="report"),
        path("<str:kind>/submit/", admin_views.submit, name="submit"),
        path("<str:kind>/download/<str:fmt>/", admin_views.download, name="download"),
    ]
    return [path("reports/", include((urls, "reports_admin"), namespace="reports_admin"))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request_viewer(request).has_role(Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OFFICER)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item() -> MenuItem:
    return ReportsMenuItem(_("Reports"), reverse("reports_admin:index"), icon_name="table", order=450)
