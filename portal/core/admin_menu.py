"""Wagtail admin menu items shown only to some people: the one helper the apps' `wagtail_hooks` use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from wagtail import hooks
from wagtail.admin.menu import MenuItem

#: The Wagtail hooks a menu item is registered under: the main menu or the Settings submenu.
MAIN_MENU = "register_admin_menu_item"
SETTINGS_MENU = "register_settings_menu_item"


class GatedMenuItem(MenuItem):
    """A menu item shown when `shown(request)` is true (hiding a link is convenience: each view checks again)."""

    def __init__(self, label: str | Promise, url: str, *, shown: Callable[[HttpRequest], bool], **kwargs: Any) -> None:
        super().__init__(label, url, **kwargs)
        self._shown = shown

    def is_shown(self, request: HttpRequest) -> bool:
        return bool(self._shown(request))


def register_menu_item(
    label: str | Promise, url_name: str, *, shown: Callable[[HttpRequest], bool], icon_name: str, order: int,
    menu: str = MAIN_MENU,
) -> None:
    """Add a gated item linking to `url_name` (reversed when the menu is built) to `menu`."""

    def item() -> MenuItem:
        return GatedMenuItem(label, reverse(url_name), shown=shown, icon_name=icon_name, order=order)

    hooks.register(menu, item)
