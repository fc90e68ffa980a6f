"""Wagtail admin: Background jobs (queue and failures), Outgoing e-mail, Working-day calendar exceptions."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.core.models import CalendarDay


class CalendarDayViewSet(SnippetViewSet):
    model = CalendarDay
    icon = "date"
    menu_label = _("Working-day calendar")
    list_display = ["date", "working", "note"]
    list_filter = ["working"]
    add_to_admin_menu = False


register_snippet(CalendarDayViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    from portal.jobs import admin_views

    urls = [
        path("", admin_views.jobs, name="jobs"),
        path("<uuid:job_id>/", admin_views.job_detail, name="job"),
        path("<uuid:job_id>/retry/", admin_views.job_retry, name="job_retry"),
        path("mail/", admin_views.outgoing_mail, name="mail"),
        path("mail/<int:mail_id>/retry/", admin_views.mail_retry, name="mail_retry"),
    ]
    return [path("jobs/", include((urls, "jobs_admin"), namespace="jobs_admin"))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.is_superuser)


@hooks.register("register_settings_menu_item")
def register_jobs_menu_item() -> MenuItem:
    return SuperuserMenuItem(_("Background jobs"), reverse("jobs_admin:jobs"), icon_name="cogs", order=900)


@hooks.register("register_settings_menu_item")
def register_mail_menu_item() -> MenuItem:
    return SuperuserMenuItem(_("Outgoing e-mail"), reverse("jobs_admin:mail"), icon_name="mail", order=901)
