"""Building blocks for the Wagtail admin of the domain apps.

The admin stays thin: lists are scoped by the signed-in user's Viewer through the
selectors, forms save through the services (so rules and audit records apply), and a
refused change comes back as a form error in the user's language instead of a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from wagtail.admin.views import generic
from wagtail.permission_policies.base import ModelPermissionPolicy

from portal.accounts.selectors import viewer_for_user
from portal.core.errors import DomainError
from portal.core.viewer import Viewer


def request_viewer(request: HttpRequest) -> Viewer:
    return viewer_for_user(getattr(request, "user", None))


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Staff may list and inspect; changes happen only through the workflow (gateway/services)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action != "view":
            return False
        return bool(user.is_active and (user.is_superuser or viewer_for_user(user).is_staff_reader))

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


class ScopedIndexView(generic.IndexView):
    """Index whose rows come from a selector taking the Viewer."""

    scoped_queryset: Callable[[Viewer], QuerySet[Any]] | None = None

    def get_base_queryset(self) -> QuerySet[Any]:
        queryset = super().get_base_queryset()
        if self.scoped_queryset is None:
            return queryset
        selector = type(self).scoped_queryset
        assert selector is not None
        return selector(request_viewer(self.request)).filter(pk__in=queryset.values("pk"))


class ScopedInspectView(generic.InspectView):
    scoped_queryset: Callable[[Viewer], QuerySet[Any]] | None = None

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Model:
        obj = super().get_object(queryset)
        selector = type(self).scoped_queryset
        if selector is not None and not selector(request_viewer(self.request)).filter(pk=obj.pk).exists():
            from django.http import Http404

            raise Http404
        return obj


class _ServiceFormMixin:
    """Turn a DomainError raised by a service into a form error."""

    request: HttpRequest

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except DomainError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, error.message)
            self.produced_error_message = error.message
            return self.form_invalid(form)  # type: ignore[attr-defined]


class ServiceCreateView(_ServiceFormMixin, generic.CreateView):
    """`create(viewer, cleaned_data) -> instance` does the work."""

    create: Callable[[Viewer, dict[str, Any]], Model]

    def save_instance(self) -> Model:
        return type(self).create(request_viewer(self.request), self.form.cleaned_data)


class ServiceEditView(_ServiceFormMixin, generic.EditView):
    """`update(viewer, instance, changed cleaned_data) -> instance` does the work."""

    update: Callable[[Viewer, Any, dict[str, Any]], Model]  # the instance: the view's model

    def save_instance(self) -> Model:
        changed = {name: self.form.cleaned_data[name] for name in self.form.changed_data}
        original = type(self.object).objects.get(pk=self.object.pk)
        return type(self).update(request_viewer(self.request), original, changed)
