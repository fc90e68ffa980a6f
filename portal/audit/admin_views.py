"""Audited default views of the Wagtail admin.

Registries edited through Wagtail's generic views (officers, territory, partner registry) have no service of
their own for every change. These views keep the audit trail for them in one place: every create, edit and
delete made through them leaves an audit row with the values before and after, written in the transaction of
the change (so a change without its row cannot be committed), and a change the admin's permission policy refuses
leaves an attempt row. Views that call a service instead (the service audits) keep doing so; only their remaining
default views come from here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from portal.accounts.admin_views import request_viewer
from portal.audit import services as audit
from portal.audit.models import AuditEvent


def admin_verb(model: type[models.Model], operation: str) -> str:
    """`territory.officer.admin_edit`: which registry, changed how, through the admin's generic views."""
    return f"{model._meta.label_lower}.admin_{operation}"


def _fresh_snapshot(instance: models.Model) -> dict[str, Any]:
    """The stored values of the row (not the form's unsaved ones)."""
    stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    return audit.snapshot(stored)


class RefusalsAudited:
    """A change (POST) refused by the permission policy is an attempt (the GET of a refused form is not)."""

    model: type[models.Model]
    operation = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except PermissionDenied:
            if request.method == "POST":
                audit.record_attempt(viewer=request_viewer(request), verb=admin_verb(self.model, self.operation),
                                     object_type=self.model._meta.label_lower, object_id=kwargs.get("pk"),
                                     code="forbidden", message="PermissionDenied")
            raise


class AuditedCreateView(RefusalsAudited, generic.CreateView):
    operation = "create"

    def save_instance(self) -> models.Model:
        with transaction.atomic():
            instance = super().save_instance()
            audit.record_created(viewer=request_viewer(self.request), verb=admin_verb(type(instance), "create"),
                                 obj=instance)
        return instance


class AuditedEditView(RefusalsAudited, generic.EditView):
    operation = "edit"

    def save_instance(self) -> models.Model:
        with transaction.atomic():
            before = _fresh_snapshot(self.object)
            instance = self.save_audited(before)
            audit.record_changed(viewer=request_viewer(self.request), verb=admin_verb(type(instance), "edit"),
                                 obj=instance, before=before)
        return instance

    def save_audited(self, before: dict[str, Any]) -> models.Model:
        """The save itself (a subclass may add what the change implies, inside the audited transaction)."""
        return super().save_instance()


class AuditedDeleteView(RefusalsAudited, generic.DeleteView):
    operation = "delete"

    def delete_action(self) -> None:
        with transaction.atomic():
            instance = self.object
            before = _fresh_snapshot(instance)
            pk, label, text = instance.pk, instance._meta.label_lower, str(instance)[:255]
            super().delete_action()
            audit.record(viewer=request_viewer(self.request), action=AuditEvent.Action.DELETE,
                         verb=admin_verb(type(instance), "delete"), object_type=label, object_id=pk,
                         changes={name: [value, None] for name, value in before.items()
                                  if value not in (None, "", [], {})},
                         details={"object": text})


class AuditedModelViewSet(ModelViewSet):
    """A model viewset whose default add, edit and delete views leave audit rows."""

    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    delete_view_class = AuditedDeleteView
