"""Labels of the domain's choices that the workspace shows, kept in this app's catalogue too so that the
workspace is Russian even where the owning app's catalogue has no translation yet (the owning app's
translation wins when it has one)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = (
    gettext_noop("assigned"), gettext_noop("accepted"), gettext_noop("fulfilled"), gettext_noop("not fulfilled"),
    gettext_noop("cancelled"),
    gettext_noop("medical"), gettext_noop("psychological"), gettext_noop("pedagogical"), gettext_noop("legal"),
    gettext_noop("social"), gettext_noop("employment"), gettext_noop("material / in-kind"),
    gettext_noop("urgent social service"),
)
