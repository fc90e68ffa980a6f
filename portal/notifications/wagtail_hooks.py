"""Wagtail admin: «Уведомления» in the main menu for the staff who work there (the in-app list, with its unread
count, is the portal page /notifications/, which the public header also links to)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.core.admin_menu import MAIN_MENU, register_menu_item


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


register_menu_item(_("Notifications"), "notifications:list", shown=_signed_in, icon_name="mail", order=150,
                   menu=MAIN_MENU)
