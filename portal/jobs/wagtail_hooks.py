"""Wagtail admin: Background jobs (queue and failures), Outgoing e-mail, Working-day calendar exceptions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.core.admin_menu import SETTINGS_MENU, register_menu_item
from portal.core.models import CalendarDay
from portal.jobs import admin_views


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
    urls = [
        path("", admin_views.jobs, name="jobs"),
        path("<uuid:job_id>/", admin_views.job_detail, name="job"),
        path("<uuid:job_id>/retry/", admin_views.job_retry, name="job_retry"),
        path("mail/", admin_views.outgoing_mail, name="mail"),
        path("mail/<int:mail_id>/retry/", admin_views.mail_retry, name="mail_retry"),
    ]
    return [path("jobs/", include((urls, "jobs_admin"), namespace="jobs_admin"))]


def _superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser)


register_menu_item(_("Background jobs"), "jobs_admin:jobs", shown=_superuser, icon_name="cogs", order=900,
                   menu=SETTINGS_MENU)
register_menu_item(_("Outgoing e-mail"), "jobs_admin:mail", shown=_superuser, icon_name="mail", order=901,
                   menu=SETTINGS_MENU)
