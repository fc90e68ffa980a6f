"""Wagtail admin: the audit log, read-only (admins and supervisors)."""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.accounts.selectors import viewer_for_user
from portal.audit.models import AuditEvent
from portal.core.viewer import Role


class AuditPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user: Any, action: str) -> bool:
        return action == "view" and bool(user.is_active) and (
            user.is_superuser or viewer_for_user(user).has_role(Role.ADMIN, Role.SUPERVISOR))

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["verb"]  # never rendered: the policy refuses add/change/delete
    list_display = ["at", "actor_name", "actor_organisation", "action", "verb", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "verb", "object_id", "object_repr"]


register_permission_policy(AuditEvent, AuditPolicy(AuditEvent))


@hooks.register("register_admin_viewset")
def register_audit() -> ModelViewSet:
    return AuditEventViewSet("audit")
