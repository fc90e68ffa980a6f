"""`{% unread_notifications as count %}`: the signed-in person's unread in-app notifications (the header)."""

from __future__ import annotations

from typing import Any

from django import template

from portal.accounts.selectors import viewer_for_user
from portal.notifications.selectors import unread_count

register = template.Library()
_CACHE_ATTR = "_unread_notifications"


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int | None:
    """None for a visitor without an account (no link is shown)."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.pk is None:  # an unsaved user has no notifications
        return None
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = unread_count(viewer=viewer_for_user(user))
        setattr(request, _CACHE_ATTR, cached)
    return int(cached)


@register.inclusion_tag("notifications/header_link.html", takes_context=True)
def notifications_link(context: template.Context) -> dict[str, Any]:
    """The header's link to the in-app list with the unread count (nothing for a visitor without an account)."""
    return {"unread": unread_notifications(context)}
