"""Screens of the case workspace: the case card, the person card, the lists and the dashboard."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts.admin_views import request_viewer
from portal.cases.models import Category, NeedCircumstance
from portal.core.errors import NotFound
from portal.core.viewer import Viewer

_NEEDS = dict(NeedCircumstance.choices)
_CATEGORIES = dict(Category.choices)


def need_labels(codes: list[str] | None) -> list[str]:
    """Need circumstances (обстоятельства нуждаемости) by their names, never codes."""
    return [str(_NEEDS.get(code, code)) for code in codes or []]


def category_labels(codes: list[str] | None) -> list[str]:
    return [str(_CATEGORIES.get(code, code)) for code in codes or []]


class WorkspaceView(WagtailAdminTemplateMixin, TemplateView):
    """A page of the workspace: the signed-in staff member's Viewer, and a domain "not found" as a 404."""

    header_icon = "folder-open-inverse"
    request: HttpRequest

    @property
    def viewer(self) -> Viewer:
        return request_viewer(self.request)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().get(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error.message)) from None

    def parent_crumbs(self) -> list[dict[str, Any]]:
        """The pages above this one, below the dashboard."""
        return []

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return workspace_crumbs(self.parent_crumbs(), self.get_page_title(),
                                dashboard=getattr(self.request.resolver_match, "url_name", None) != "dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["workspace_title"] = _("Social support")
        return context


def workspace_crumbs(parents: list[dict[str, Any]], title: str, *, dashboard: bool = True) -> list[dict[str, Any]]:
    """Breadcrumbs Home › My work › … › this page: the visible title of a workspace page."""
    items: list[dict[str, Any]] = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
    if dashboard:
        items.append({"url": reverse("casework:dashboard"), "label": _("My work")})
    return [*items, *parents, {"url": "", "label": title}]
