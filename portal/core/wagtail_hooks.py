"""Admin-wide additions of the portal core."""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_css")
def draftail_list_counters() -> str:
    """Nested ordered-list counters of the rich-text editor as a file (its own inline <style> is refused by the CSP)."""
    return format_html('<link rel="stylesheet" href="{}">', static("portal-core/draftail-csp.css"))
