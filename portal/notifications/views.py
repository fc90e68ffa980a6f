"""The in-app notification list (/notifications/), notification settings (opt-outs per kind and channel) and
the benefactors' «stop these messages» link. Thin: the selectors and services decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.selectors import viewer_for_user
from portal.core.errors import ValidationFailed
from portal.notifications import selectors, services
from portal.notifications.messages import render
from portal.notifications.models import PERSONAL_CHANNELS, Channel, Kind

PAGE = 100


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    rows = list(selectors.inbox(viewer=viewer)[:PAGE])
    language = get_language()
    items = [{"row": row, "message": render(row.kind, {**row.params, "link": row.link}, language=language)}
             for row in rows]
    return TemplateResponse(request, "notifications/list.html", {
        "items": items, "unread": selectors.unread_count(viewer=viewer)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    value = request.POST.get("notification", "")
    services.mark_read(viewer=viewer, notification_id=int(value) if value.isdigit() else None)
    return HttpResponseRedirect(reverse("notifications:list"))


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    error = ""
    saved = False
    status = 200
    if request.method == "POST":
        # A box ticked means «send me this»; every box left empty is an opt-out.
        wanted = {tuple(value.split(":", 1)) for value in request.POST.getlist("receive") if ":" in value}
        opt_outs = {(str(kind), str(channel)) for kind in selectors.PERSONAL_KINDS for channel in PERSONAL_CHANNELS
                    if (str(kind), str(channel)) not in wanted}
        try:
            services.set_opt_outs(viewer=viewer, opt_outs=opt_outs)
            saved = True
        except ValidationFailed as failure:
            error, status = str(failure.message), 400
    current = selectors.opted_out(viewer=viewer)
    rows = [{"kind": kind, "label": Kind(kind).label,
             "channels": [{"value": f"{kind}:{channel}", "label": Channel(channel).label,
                           "on": (str(kind), str(channel)) not in current} for channel in PERSONAL_CHANNELS]}
            for kind in selectors.PERSONAL_KINDS]
    return TemplateResponse(request, "notifications/settings.html",
                            {"rows": rows, "saved": saved, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
def stop_needs_digest(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners follow links), POST stops the digest."""
    valid = services.benefactor_from_token(token) is not None
    stopped = request.method == "POST" and valid and services.unsubscribe_benefactor(token=token)
    return TemplateResponse(request, "notifications/stop.html",
                            {"valid": valid, "stopped": stopped, "posted": request.method == "POST"},
                            status=200 if valid else 404)
