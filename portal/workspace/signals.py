"""«Мои сигналы» in the partner workspace: the signals the partner's organisation reported and their status
(received, being checked, confirmed, not confirmed) — the loop closed for a school or the police, who are also
told by e-mail when a status changes (portal.notifications). Never the findings, the persons or the case."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.notifications.selectors import reported_signals
from portal.partners.models import Organisation
from portal.workspace.views import Refusal, _page, _reader


@require_GET
def signal_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    if not viewer.is_partner:
        return _page(request, "workspace/refused.html", {}, refusal=Refusal(
            "forbidden", _("Only partner organisations see the signals they reported here.")))
    return _page(request, "workspace/signals.html", {
        "organisation": Organisation.objects.filter(pk=viewer.organisation_id or 0).first(),  # a partner has one
        "display_name": viewer.audit_name, "signals": reported_signals(viewer=viewer)})
