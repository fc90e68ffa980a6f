"""Wagtail admin: «Уведомления» in the main menu for the staff who work there (the in-app list, with its unread
count, is the portal page /notifications/, which the public header also links to)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.core.admin_menu import MAIN_MENU, register_menu_item
from portal.notifications.models import NeedsDigestSubscription


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


register_menu_item(_("Notifications"), "notifications:list", shown=_signed_in, icon_name="mail", order=150,
                   menu=MAIN_MENU)


class NeedsDigestSubscriptionViewSet(SnippetViewSet):
    """Benefactors who asked for the e-mail digest of new needs (recorded by the registry's moderators; every
    digest carries the benefactor's own link to stop it)."""

    model = NeedsDigestSubscription
    icon = "mail"
    menu_label = _("Needs digest subscriptions")
    list_display = ["benefactor", "created_at"]
    add_to_admin_menu = False


register_snippet(NeedsDigestSubscriptionViewSet)
