"""Wagtail admin: the moderation queue, topics and specialists (routing rules)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.consultations.models import Specialist, Topic


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
    from portal.consultations import admin_views

    urls = [
        path("", admin_views.queue, name="queue"),
        path("<int:pk>/", admin_views.detail, name="detail"),
    ]
    return [path("consultations/queue/", include((urls, "consultations_admin"), namespace="consultations_admin"))]


class QueueMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        from portal.accounts.selectors import viewer_for_user
        from portal.consultations.services import moderated_topic_ids

        viewer = viewer_for_user(request.user)
        return bool(moderated_topic_ids(viewer)) or Specialist.objects.filter(user_id=viewer.user_id).exists()


@hooks.register("register_admin_menu_item")
def register_queue_menu_item() -> MenuItem:
    return QueueMenuItem(_("Consultations"), reverse("consultations_admin:queue"), icon_name="help", order=250)
