"""Wagtail admin: cases, measures, signals and persons, scoped to the signed-in staff member.

Read-only here: the workflow (registration, programme, measures, review, closing) runs
through the services via the GraphQL gateway, so every change follows the rules.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.cases import selectors
from portal.cases.models import Case, Measure, Person, Signal
from portal.core.admin_views import ReadOnlyPolicy, ScopedIndexView, ScopedInspectView


def _scoped(selector):  # type: ignore[no-untyped-def]
    index = type("Index", (ScopedIndexView,), {"scoped_queryset": staticmethod(selector)})
    inspect = type("Inspect", (ScopedInspectView,), {"scoped_queryset": staticmethod(selector)})
    return index, inspect


class _ReadOnlyViewSet(ModelViewSet):
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["id"]  # never rendered: the policy refuses add/change


class CaseViewSet(_ReadOnlyViewSet):
    model = Case
    icon = "folder-open-inverse"
    index_view_class, inspect_view_class = _scoped(selectors.cases_for)
    list_display = ["code", "status", "institution", "precinct", "registered_on", "ends_on", "review_due_on"]
    list_filter = ["status", "level", "institution"]
    search_fields = ["code"]
    inspect_view_fields = ["code", "status", "level", "institution", "precinct", "registered_on", "started_on",
                           "ends_on", "review_due_on", "closed_on", "outcome", "results", "recommendations",
                           "reasons", "version"]


class MeasureViewSet(_ReadOnlyViewSet):
    model = Measure
    icon = "tasks"
    index_view_class, inspect_view_class = _scoped(selectors.measures_for)
    list_display = ["task", "status", "organisation", "deadline", "done_on"]
    list_filter = ["status", "kind", "organisation"]
    search_fields = ["task", "case__code"]
    inspect_view_fields = ["case", "task", "content", "kind", "deadline", "place", "organisation",
                           "responsible_person", "status", "result", "done_on", "not_fulfilled_reason",
                           "cancel_reason", "version"]


class SignalViewSet(_ReadOnlyViewSet):
    model = Signal
    icon = "warning"
    index_view_class, inspect_view_class = _scoped(selectors.signals_for)
    list_display = ["__str__", "source", "status", "received_at"]
    list_filter = ["source", "status"]
    search_fields = ["summary"]


class PersonViewSet(_ReadOnlyViewSet):
    model = Person
    icon = "user"
    index_view_class, inspect_view_class = _scoped(selectors.persons_for)
    list_display = ["full_name", "birth_date", "household"]
    search_fields = ["last_name", "first_name"]
    inspect_view_fields = ["last_name", "first_name", "middle_name", "birth_date", "sex", "phone", "household",
                           "relation", "categories"]


for _model in (Case, Measure, Signal, Person):
    register_permission_policy(_model, ReadOnlyPolicy(_model))


class CasesGroup(ViewSetGroup):
    menu_label = _("Social support")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (CaseViewSet("cases"), MeasureViewSet("measures"), SignalViewSet("signals"), PersonViewSet("persons"))


@hooks.register("register_admin_viewset")
def register_cases() -> ViewSetGroup:
    return CasesGroup()
