"""The public survey page of a one-time link (no sign-in): a family whose programme ended answers three questions.
Thin adapter: the service checks the link and the answers; a refusal is shown next to the field, what was typed
stays in the form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from portal.cases.models import NeedCircumstance
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.viewer import Viewer
from portal.reports import services


@never_cache
@csrf_protect
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_by_token(token)
    except NotFound as error:
        return TemplateResponse(request, "reports/survey.html", {"invalid": error.message}, status=404)
    labels = dict(NeedCircumstance.choices)
    circumstances = [(c, labels.get(c, c)) for c in invitation.case.need_circumstances or []]
    context: dict[str, object] = {"circumstances": circumstances, "errors": {}, "values": {}}
    if request.method == "POST":
        satisfaction = request.POST.get("satisfaction", "")
        resolved = request.POST.getlist("resolved")
        words = request.POST.get("own_words", "")
        context["values"] = {"satisfaction": satisfaction, "resolved": resolved, "own_words": words}
        try:
            services.answer_survey(viewer=Viewer.anonymous(), token=token,
                                   satisfaction=int(satisfaction) if satisfaction.isdigit() else 0,
                                   resolved_circumstances=resolved, own_words=words)
        except ValidationFailed as error:
            context["errors"] = {error.field or "form": error.message}
            return TemplateResponse(request, "reports/survey.html", context, status=400)
        except DomainError as error:
            return TemplateResponse(request, "reports/survey.html", {"invalid": error.message}, status=409)
        return TemplateResponse(request, "reports/survey.html", {"thanks": True})
    return TemplateResponse(request, "reports/survey.html", context)
