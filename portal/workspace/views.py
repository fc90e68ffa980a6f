"""The partner workspace (рабочее место партнёра) at /workspace/: "Мои мероприятия".

A server-rendered adapter: each page reads through the domain's measure selectors and each action is one call of
the measure services, for the Viewer of the session — the same doors the GraphQL gateway uses, so the scope,
the states, the version checks and the audit trail are the domain's, not this app's.

Who is asking is found as `/graphql` finds it: the single sign-on session's access token is verified by
identity's `verify_access_token` (the function behind the gateway's bearer check), so a refused or expired token
is refused here too, with the same message (HTTP 401). A local sign-in without a token (emergency superuser,
demo password) acts as its Django user, as on the portal's other pages.

Refusals become pages with the status a person's browser and a script understand: bad input 400, token refused
401, not allowed 403, not found 404, conflict and impossible transition 409 (a conflict shows the measure's
current state), someone else holding the rows 503 with `Retry-After`, and 500 only for an internal error.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from identity.keycloak import TokenRejected, verify_access_token
from identity.web import session_tokens
from portal.accounts.selectors import viewer_for_user
from portal.audit import services as audit
from portal.cases import selectors, services
from portal.cases.access import may_execute_measure
from portal.cases.history import history_entries
from portal.cases.models import Measure
from portal.core.errors import Conflict, DomainError
from portal.core.locks import RETRY_AFTER_SECONDS, is_lock_timeout
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.workspace.forms import ACTION_FORMS, MeasureFilterForm

logger = logging.getLogger("portal.workspace")

PAGE_SIZE = 50
#: Most entries of a measure's history and of its comments shown (the newest).
MAX_HISTORY = 200
MAX_COMMENTS = 200

#: HTTP status of a page by the refusal's code.
STATUS_OF_CODE = {"bad_user_input": 400, "validation_failed": 400, "unauthenticated": 401, "forbidden": 403,
                  "not_found": 404, "conflict": 409, "invalid_transition": 409, "try_again": 503,
                  "internal_error": 500}

UNEXPECTED = gettext_lazy("Unexpected error. It has been logged; please try again later.")
TRY_AGAIN = gettext_lazy("Someone else is changing the same data right now. Try again in a few seconds.")
READERS_ONLY = gettext_lazy("Only partner organisations and social-support staff see measures.")
DONE = {
    "accept": gettext_lazy("The measure is accepted."),
    "fulfil": gettext_lazy("The measure is marked fulfilled."),
    "not-fulfilled": gettext_lazy("The measure is reported not fulfilled."),
    "return": gettext_lazy("The measure is returned to the coordinator."),
    "comment": gettext_lazy("The comment is added."),
}


class Refusal(Exception):
    """A refusal to show on the page: a code (see STATUS_OF_CODE), a message for people, the field it is about."""

    def __init__(self, code: str, message: str, *, field: str | None = None, conflict: Measure | None = None
                 ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.conflict = conflict

    @property
    def status(self) -> int:
        return STATUS_OF_CODE.get(self.code, 500)

    def as_context(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}

    @classmethod
    def of(cls, error: BaseException) -> Refusal:
        """The refusal for a domain error, a lock the database gave up waiting for, or anything unexpected
        (logged with its traceback; its text never reaches the page)."""
        if isinstance(error, Refusal):
            return error
        if isinstance(error, DomainError):
            return cls(error.code, error.message, field=getattr(error, "field", None),
                       conflict=error.current if isinstance(error, Conflict) else None)
        if isinstance(error, DatabaseError | TimeoutError) and is_lock_timeout(error):
            return cls("try_again", str(TRY_AGAIN))
        logger.error("workspace: unexpected error", exc_info=error)
        return cls("internal_error", str(UNEXPECTED))


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, refusal: Refusal | None = None,
          status: int | None = None) -> HttpResponse:
    response = render(request, template, {**context, "error": refusal.as_context() if refusal else None},
                      status=status or (refusal.status if refusal else 200))
    if refusal is not None and refusal.code == "try_again":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- Who is asking -------------------------------------------------------------------------------------------------

def session_viewer(request: HttpRequest) -> Viewer:
    """The session's Viewer: the single sign-on session's access token verified like a bearer token of /graphql
    (raises TokenRejected when refused or expired); a local sign-in without a token acts as its Django user; no
    sign-in is anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Viewer.anonymous()
    tokens = session_tokens(request)
    if tokens is None:
        return viewer_for_user(user)
    return verify_access_token(str(tokens["access_token"]))


def _reader(request: HttpRequest) -> Viewer | HttpResponse:
    """The Viewer of a signed-in session who may see measures, or the response: sign in first (anonymous), the
    token's refusal (401 with the reason), not allowed (403)."""
    try:
        viewer = session_viewer(request)
    except TokenRejected as rejected:
        reason = str(getattr(rejected, "reason", "rejected"))
        message = str(getattr(rejected, "message", "") or rejected)
        return render(request, "workspace/refused.html", {
            "error": {"code": "unauthenticated", "reason": reason, "message": message},
            "login_url": f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}",
        }, status=401)
    if viewer.is_anonymous:
        return redirect_to_login(request.get_full_path())
    return viewer


def _may_read_measures(viewer: Viewer) -> bool:
    return viewer.is_partner or viewer.is_staff_reader


# --- Мои мероприятия ------------------------------------------------------------------------------------------------

@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    """Мои мероприятия: the organisation's measures (staff: of their cases), filtered, overdue highlighted."""
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    form = MeasureFilterForm(request.GET)
    valid = form.is_valid()
    context: dict[str, Any] = {"status_choices": [(str(v), str(label)) for v, label in Measure.Status.choices],
                               "form": form, "shown": form.shown(), "page": None,
                               "organisation": None, "display_name": viewer.display_name}
    if not _may_read_measures(viewer):
        return _page(request, "workspace/measure_list.html", context, refusal=Refusal("forbidden", str(READERS_ONLY)))
    if not valid:
        field, errors = next(iter(form.errors.items()))
        return _page(request, "workspace/measure_list.html", context,
                     refusal=Refusal("bad_user_input", str(errors[0]), field=field))
    wanted = form.cleaned_data
    offset = wanted["after"] + 1 if wanted["after"] is not None else 0
    try:
        today = selectors.today()
        rows = selectors.open_work_first(selectors.filter_measures(
            selectors.measures_for(viewer), status=wanted["status"] or None,
            overdue=True if wanted["overdue"] else None, due_before=wanted["due_before"],
            text=wanted["text"] or None, today=today))
        window = list(rows.select_related("case")[offset:offset + PAGE_SIZE + 1])
        total = rows.count()
        organisation = (Organisation.objects.filter(pk=viewer.organisation_id).values_list("name", flat=True)
                        .first() if viewer.organisation_id else None)
    except Exception as error:  # every failure is a page with its status, never a stack trace
        return _page(request, "workspace/measure_list.html", context, refusal=Refusal.of(error))
    shown = window[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("after", None)
    context.update({
        "page": {"total": total, "rows": [(measure, measure.is_overdue(today)) for measure in shown],
                 "next_after": offset + len(shown) - 1 if len(window) > PAGE_SIZE else None},
        "organisation": organisation, "base_query": query.urlencode(),
    })
    return _page(request, "workspace/measure_list.html", context)


# --- One measure ------------------------------------------------------------------------------------------------------

def _coded_forms(failed_action: str) -> list[dict[str, Any]]:
    """The two reports with a coded reason: not fulfilled, and the return of a measure the organisation cannot
    take; `active` marks the one whose refusal (and typed values) the page shows."""
    forms = [("not-fulfilled", "not-fulfilled-form", "not_fulfilled", _("Report not fulfilled"),
              _("Not fulfilled")),
             ("return", "return-form", "return_measure", _("Return"),
              _("Return the measure to the coordinator (we cannot take it)"))]
    return [{"action": action, "css": css, "name": name, "button": button, "title": title,
             "active": action == failed_action} for action, css, name, button, title in forms]


def _detail(request: HttpRequest, viewer: Viewer, measure_id: str, *, action_error: Refusal | None = None,
            form_values: Any = None, failed_action: str = "") -> HttpResponse:
    context: dict[str, Any] = {"today": timezone.localdate().isoformat(), "form_values": form_values,
                               "coded_forms": _coded_forms(failed_action),
                               "reason_codes": Measure.ReasonCode.choices,
                               "action_error": action_error.as_context() if action_error else None,
                               "conflict": action_error.conflict if action_error else None}
    try:
        measure = selectors.get_measure(viewer=viewer, measure_id=measure_id)
        recipient = selectors.shared_recipient_data(viewer=viewer, measure=measure)
        events = selectors.measure_histories(viewer=viewer, measure_ids=[measure.pk], newest=MAX_HISTORY)
        comments = selectors.measure_comments_of(viewer=viewer, measure_ids=[measure.pk], newest=MAX_COMMENTS)
    except Exception as error:  # every failure is a page with its status
        return _page(request, "workspace/measure_detail.html", {**context, "measure": None},
                     refusal=Refusal.of(error))
    context.update({
        "measure": measure, "overdue": measure.is_overdue(selectors.today()),
        "can_report": may_execute_measure(viewer, measure), "recipient": recipient,
        # The page tells what happened to the measure: the portal's own delivery notes are not part of it.
        "history": [entry for entry in history_entries(events.get(measure.pk, []), staff=not viewer.is_partner)
                    if not entry.verb.startswith("notification.")],
        "comments": comments.get(measure.pk, []),
    })
    return _page(request, "workspace/measure_detail.html", context,
                 status=action_error.status if action_error else 200)


def _with_retry_after(response: HttpResponse, refusal: Refusal) -> HttpResponse:
    if refusal.code == "try_again":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@require_GET
def measure_detail(request: HttpRequest, measure_id: str) -> HttpResponse:
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    if not _may_read_measures(viewer):
        return _page(request, "workspace/measure_detail.html", {"measure": None},
                     refusal=Refusal("forbidden", str(READERS_ONLY)))
    return _detail(request, viewer, measure_id)


def _act(viewer: Viewer, measure_pk: int, action: str, values: dict[str, Any]) -> None:
    """One service call for the action (each checks scope, state and version, and audits the attempt)."""
    if action == "accept":
        services.accept_measure(viewer=viewer, measure_id=measure_pk, version=values["version"])
    elif action == "fulfil":
        services.fulfil_measure(viewer=viewer, measure_id=measure_pk, version=values["version"],
                                result=values["result"], done_on=values["done_on"])
    elif action == "not-fulfilled":
        services.report_measure_not_fulfilled(viewer=viewer, measure_id=measure_pk, version=values["version"],
                                              reason_code=values["reason_code"], reason=values["reason"])
    elif action == "return":
        services.return_measure(viewer=viewer, measure_id=measure_pk, version=values["version"],
                                reason_code=values["reason_code"], reason=values["reason"])
    else:
        services.comment_measure(viewer=viewer, measure_id=measure_pk, text=values["text"])


@require_POST
def measure_action(request: HttpRequest, measure_id: str, action: str) -> HttpResponse:
    """Accept / fulfil / report not fulfilled / comment: the form's values to one service call; a refusal is shown
    on the detail page with what was typed, next to the field it is about."""
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return _detail(request, viewer, measure_id, action_error=Refusal("bad_user_input", _("Unknown action.")))
    if not _may_read_measures(viewer):
        audit.record_attempt(viewer=viewer, verb=f"workspace.{action}", object_type="cases.measure",
                             object_id=measure_id[:64], code="forbidden", message=str(READERS_ONLY))
        return _page(request, "workspace/measure_detail.html", {"measure": None},
                     refusal=Refusal("forbidden", str(READERS_ONLY)))
    form = form_class(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _detail(request, viewer, measure_id, form_values=request.POST, failed_action=action,
                       action_error=Refusal("bad_user_input", str(errors[0]), field=field))
    measure_pk = int(measure_id) if measure_id.isascii() and measure_id.isdecimal() and len(measure_id) < 19 else -1
    try:
        _act(viewer, measure_pk, action, form.cleaned_data)
    except Exception as error:  # every refusal is the page with its status
        refusal = Refusal.of(error)
        if refusal.code == "not_found":
            return _page(request, "workspace/measure_detail.html", {"measure": None}, refusal=refusal)
        return _with_retry_after(_detail(request, viewer, measure_id, action_error=refusal,
                                         form_values=request.POST, failed_action=action), refusal)
    messages.success(request, str(DONE[action]))
    return HttpResponseRedirect(reverse("workspace:measure", args=[measure_id]))
