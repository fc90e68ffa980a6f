"""Wagtail admin of the registries: benefactor moderation, needs and offers of help."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


def _viewer(request: Any) -> Any:
    from portal.accounts.selectors import viewer_for_user

    return viewer_for_user(request.user)


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        from portal.community.services import may_moderate_registries

        return may_moderate_registries(_viewer(request))


class CaseStaffMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return _viewer(request).is_staff_reader


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    from portal.community import admin_views

    urls = [
        path("benefactors/", admin_views.benefactors, name="benefactors"),
        path("benefactors/<int:pk>/", admin_views.benefactor, name="benefactor"),
        path("needs/", admin_views.needs, name="needs"),
        path("offers/", admin_views.offers, name="offers"),
        path("offers/<int:pk>/", admin_views.offer, name="offer"),
    ]
    return [path("community/", include((urls, "community_admin"), namespace="community_admin"))]


@hooks.register("register_admin_menu_item")
def benefactors_menu_item() -> MenuItem:
    return ModeratorMenuItem(_("Benefactors"), reverse("community_admin:benefactors"), icon_name="group", order=260)


@hooks.register("register_admin_menu_item")
def needs_menu_item() -> MenuItem:
    return CaseStaffMenuItem(_("Needs of families"), reverse("community_admin:needs"), icon_name="list-ul",
                             order=261)


@hooks.register("register_admin_menu_item")
def offers_menu_item() -> MenuItem:
    return CaseStaffMenuItem(_("Offers of help"), reverse("community_admin:offers"), icon_name="pick", order=262)
