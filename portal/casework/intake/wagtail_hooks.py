"""The intake's entry in the admin menu: register a signal and the signals one registered — for operators
(whose only work this is), officers and coordinators. The rest of the workspace's menu is `portal.casework`'s."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from portal.accounts.admin_views import request_viewer
from portal.core.viewer import Role

INTAKE_ROLES = (Role.OPERATOR, Role.OFFICER, Role.COORDINATOR)


class IntakeMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request_viewer(request).has_role(*INTAKE_ROLES)


class IntakeMenu(SubmenuMenuItem):
    def is_shown(self, request: Any) -> bool:
        return request_viewer(request).has_role(*INTAKE_ROLES)


@hooks.register("register_admin_menu_item")
def intake_menu() -> MenuItem:
    items = [
        IntakeMenuItem(_("Register a signal"), reverse("casework:signal_new"), icon_name="plus", order=10),
        IntakeMenuItem(_("Signals I registered"), reverse("casework:my_signals"), icon_name="list-ul", order=20),
    ]
    return IntakeMenu(_("Signal intake"), Menu(items=items), icon_name="warning", order=190)
