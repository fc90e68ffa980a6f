"""Wagtail admin of the registries: benefactor moderation, needs and offers of help."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.accounts.admin_views import request_viewer
from portal.community import admin_views
from portal.community.selectors import may_moderate_registries
from portal.core.admin_menu import register_menu_item


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    urls = [
        path("benefactors/", admin_views.benefactors, name="benefactors"),
        path("benefactors/<int:pk>/", admin_views.benefactor, name="benefactor"),
        path("needs/", admin_views.needs, name="needs"),
        path("offers/", admin_views.offers, name="offers"),
        path("offers/<int:pk>/", admin_views.offer, name="offer"),
    ]
    return [path("community/", include((urls, "community_admin"), namespace="community_admin"))]


def _moderates_registries(request: HttpRequest) -> bool:
    return may_moderate_registries(request_viewer(request))


def _works_on_cases(request: HttpRequest) -> bool:
    return request_viewer(request).is_staff_reader


register_menu_item(_("Benefactors"), "community_admin:benefactors", shown=_moderates_registries, icon_name="group",
                   order=260)
register_menu_item(_("Needs of families"), "community_admin:needs", shown=_works_on_cases, icon_name="list-ul",
                   order=261)
register_menu_item(_("Offers of help"), "community_admin:offers", shown=_works_on_cases, icon_name="pick", order=262)
