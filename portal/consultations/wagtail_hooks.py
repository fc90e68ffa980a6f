"""Wagtail admin: the moderation queue, topics and specialists (routing rules)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.accounts.admin_views import request_viewer
from portal.consultations import admin_views
from portal.consultations.models import Specialist, Topic
from portal.consultations.services import moderated_topic_ids
from portal.core.admin_menu import register_menu_item


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Consultation topics")
    list_display = ["name", "slug", "sort_order", "active"]
    add_to_admin_menu = False


class SpecialistViewSet(SnippetViewSet):
    model = Specialist
    icon = "user"
    menu_label = _("Specialists (routing)")
    list_display = ["full_name", "position", "organisation", "active"]
    list_filter = ["active", "topics", "districts"]
    add_to_admin_menu = False


register_snippet(TopicViewSet)
register_snippet(SpecialistViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    urls = [
        path("", admin_views.queue, name="queue"),
        path("<int:pk>/", admin_views.detail, name="detail"),
    ]
    return [path("consultations/queue/", include((urls, "consultations_admin"), namespace="consultations_admin"))]


def _answers_or_moderates(request: HttpRequest) -> bool:
    viewer = request_viewer(request)
    return bool(moderated_topic_ids(viewer)) or (
        viewer.user_id is not None and Specialist.objects.filter(user_id=viewer.user_id).exists())


register_menu_item(_("Consultations"), "consultations_admin:queue", shown=_answers_or_moderates, icon_name="help",
                   order=250)
