"""Wagtail admin registries of cases, measures, signals and persons, scoped to the signed-in staff member.

The case workspace (`portal.casework`: dashboard, case and person cards, lists, the lifecycle actions) is where
staff work; these generic, read-only registries stay for their filters and addresses, out of the menu: a case
or person opened here goes to its card in the workspace, and the inspect pages of signals and measures offer
the workspace's lifecycle actions. Rows are never edited as forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.permissions import register_permission_policy

from portal.accounts.admin_views import ReadOnlyPolicy, ScopedIndexView, ScopedInspectView, request_viewer
from portal.audit.admin_views import AuditedModelViewSet
from portal.cases import selectors
from portal.cases.models import Case, Measure, Person, Signal
from portal.casework import actions
from portal.casework.cards import category_labels, need_labels
from portal.core.viewer import Viewer
from portal.territory.models import District


class WorkflowInspectView(ScopedInspectView):
    """Inspect page with the actions the object's status allows (and, for a case, its measures)."""

    template_name = "casework/registries_inspect.html"
    workflow_kind = ""

    def get_field_display_value(self, field_name: str, field: Any) -> Any:
        """Times in the portal's time zone (as in the lists, not UTC), need circumstances and categories by their
        names, and a dash for nothing."""
        value = getattr(self.object, field_name, None)
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "d.m.Y H:i")
        if field_name == "need_circumstances":
            return "; ".join(need_labels(value)) or "—"
        if field_name == "categories":
            return "; ".join(category_labels(value)) or "—"
        if value in (None, "", []):
            return "—"
        return super().get_field_display_value(field_name, field)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        card = _workspace_card(self.object)
        return HttpResponseRedirect(card) if card else response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = request_viewer(self.request)
        context["workflow_actions"] = actions.offered_actions(viewer, self.workflow_kind, self.object)
        context["case_measures"] = None
        if isinstance(self.object, Case):
            today = timezone.localdate()
            measures = list(selectors.measures_for(viewer).filter(case=self.object)
                            .select_related("organisation").order_by("deadline", "id"))
            for measure in measures:
                measure.overdue_now = measure.is_overdue(today)  # type: ignore[attr-defined]
            context["case_measures"] = measures
        return context


def _workspace_card(obj: Model) -> str | None:
    """A case or a person is shown by its card in the case workspace."""
    if isinstance(obj, Case):
        return reverse("casework:case", kwargs={"pk": obj.pk})
    if isinstance(obj, Person):
        return reverse("casework:person", kwargs={"pk": obj.pk})
    return None


def _scoped(selector: Callable[[Viewer], QuerySet[Any]], kind: str) -> tuple[type, type]:
    index = type("Index", (ScopedIndexView,), {"scoped_queryset": staticmethod(selector)})
    inspect = type("Inspect", (WorkflowInspectView,), {"scoped_queryset": staticmethod(selector),
                                                       "workflow_kind": kind})
    return index, inspect


class CaseFilterSet(WagtailFilterSet):
    district = django_filters.ModelChoiceFilter(field_name="precinct__district", queryset=District.objects.all(),
                                                label=_("district"))
    review_due = django_filters.BooleanFilter(method="filter_review_due", label=_("interim review due"))

    class Meta:
        model = Case
        fields = ["status", "level", "institution"]

    def filter_review_due(self, queryset: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return queryset
        due = queryset.filter(selectors.due_for_review(timezone.localdate()))
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class MeasureFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    district = django_filters.ModelChoiceFilter(field_name="case__precinct__district",
                                                queryset=District.objects.all(), label=_("district"))

    class Meta:
        model = Measure
        fields = ["status", "kind", "organisation"]

    def filter_overdue(self, queryset: QuerySet[Measure], name: str, value: bool | None) -> QuerySet[Measure]:
        return queryset if value is None else selectors.filter_measures(queryset, overdue=value)


class _ReadOnlyViewSet(AuditedModelViewSet):
    """Listed and inspected only; an add, edit or delete posted anyway is refused by the policy and audited."""

    inspect_view_enabled = True
    copy_view_enabled = False
    #: Wagtail's default would register the model in its reference index when the admin URLs load, connecting a
    #: post_save receiver that re-reads the saved row and its index entries on every save of a case, measure,
    #: signal or person (two to four statements more in each service, e.g. `fulfilMeasure`); these rows are
    #: never a page's or a snippet's reference target.
    add_to_reference_index = False
    form_fields = ["id"]  # never rendered: the policy refuses add/change


class CaseViewSet(_ReadOnlyViewSet):
    model = Case
    icon = "folder-open-inverse"
    index_view_class, inspect_view_class = _scoped(selectors.cases_for, "case")
    list_display = ["code", "status", "institution", "precinct", "registered_on", "ends_on", "review_due_on"]
    filterset_class = CaseFilterSet
    search_fields = ["code"]
    inspect_view_fields = ["code", "status", "level", "institution", "precinct", "registered_on", "started_on",
                           "ends_on", "review_due_on", "closed_on", "outcome", "results", "recommendations",
                           "reasons"]


class MeasureViewSet(_ReadOnlyViewSet):
    model = Measure
    icon = "tasks"
    index_view_class, inspect_view_class = _scoped(selectors.measures_for, "measure")
    list_display = ["task", "status", "organisation", "deadline", "done_on"]
    filterset_class = MeasureFilterSet
    search_fields = ["task", "case__code"]
    inspect_view_fields = ["case", "task", "content", "kind", "deadline", "place", "organisation",
                           "responsible_person", "status", "result", "done_on", "not_fulfilled_reason",
                           "cancel_reason"]


class SignalViewSet(_ReadOnlyViewSet):
    model = Signal
    icon = "warning"
    index_view_class, inspect_view_class = _scoped(selectors.signals_for, "signal")
    list_display = ["__str__", "source", "status", "received_at"]
    inspect_view_fields = ["source", "received_at", "reporter", "reporter_organisation", "address", "precinct",
                           "institution", "summary", "urgency", "status", "inspected_on", "inspection_findings",
                           "need_circumstances", "dismissal_reason"]
    list_filter = ["source", "status"]
    search_fields = ["summary"]


class PersonViewSet(_ReadOnlyViewSet):
    model = Person
    icon = "user"
    index_view_class, inspect_view_class = _scoped(selectors.persons_for, "person")
    list_display = ["full_name", "birth_date", "household"]
    search_fields = ["last_name", "first_name"]
    inspect_view_fields = ["last_name", "first_name", "middle_name", "birth_date", "sex", "phone", "household",
                           "relation", "categories"]


for _model in (Case, Measure, Signal, Person):
    register_permission_policy(_model, ReadOnlyPolicy(_model))


def viewsets() -> list[_ReadOnlyViewSet]:
    """Out of the menu: the workspace's «Social support» menu links to its own lists and to the measures."""
    return [CaseViewSet("cases"), MeasureViewSet("measures"), SignalViewSet("signals"), PersonViewSet("persons")]
