"""The partner workspace (рабочее место партнёра) at /workspace/: "Мои мероприятия".

Pages are rendered on the server; every read and change goes through the GraphQL gateway — the same schema,
limits, error mapping and rate limit as `/graphql` — so there is no second API.

Who is asking is found exactly as `/graphql` finds it: the single sign-on session's access token is verified
by `graph.context.viewer_from_token` (identity's `verify_access_token`, the function behind the gateway's
bearer check), so a refused or expired token is refused here too, with the same message (HTTP 401). A local
sign-in without a token (emergency superuser, demo password) acts as its Django user, as on the portal's
other pages.

The operation is then executed in-process by the gateway's schema rather than posted to `/graphql` over
HTTP: a deliberate choice that saves a second HTTP hop per page, since the token path, the schema, its
extensions and the error mapping are the very same.

A conflict (someone else changed the measure) is shown with the measure's current state carried by the
gateway's `conflict` error. Error codes map to HTTP statuses: bad input 400, token refused 401, not allowed
403, not found 404, conflict 409, rate limit 429, someone else holding the rows (`try_again`) 503 with
`Retry-After`, and 500 only for an internal error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from graph.context import GraphContext, TokenError, viewer_from_token
from portal.core.viewer import Viewer

PAGE_SIZE = 50
STATUSES = ("assigned", "accepted", "fulfilled", "not_fulfilled", "cancelled")

LIST_QUERY = """query Workspace($first: Int, $after: String, $filter: MeasureFilter) {
  viewer { displayName organisation { name } }
  myMeasures(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id version task kindLabel deadline status statusLabel overdue isOpen caseCode place }
  }
}"""

DETAIL_QUERY = """query WorkspaceMeasure($id: ID!) {
  measure(id: $id) {
    id version task content kindLabel deadline place status statusLabel overdue isOpen canReport result doneOn
    notFulfilledReason cancelReason responsiblePerson caseCode organisation { name }
    recipient { sharedFields firstName lastName middleName birthDate phone address district }
    history { at actionLabel verb actorName actorOrganisation refused refusedLabel
              changes { field label beforeLabel afterLabel } }
    comments { author authorOrganisation text createdAt }
  }
}"""

MUTATIONS = {
    "accept": "mutation($id: ID!, $version: Int!) { acceptMeasure(id: $id, version: $version) { id status } }",
    "fulfil": """mutation($id: ID!, $version: Int!, $result: String!, $doneOn: Date) {
      fulfilMeasure(id: $id, version: $version, result: $result, doneOn: $doneOn) { id status } }""",
    "not-fulfilled": """mutation($id: ID!, $version: Int!, $reason: String!) {
      reportMeasureNotFulfilled(id: $id, version: $version, reason: $reason) { id status } }""",
    "comment": "mutation($id: ID!, $text: String!) { commentMeasure(id: $id, text: $text) { id } }",
}

#: HTTP status of a page by the gateway's error code; any code not listed is an internal error (500).
STATUS_OF_CODE = {
    "bad_user_input": 400, "validation_failed": 400, "graphql_validation": 400, "graphql_parse_failed": 400,
    "query_too_complex": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
    "invalid_transition": 409, "rate_limited": 429, "try_again": 503, "internal_error": 500,
}


def status_of(code: str) -> int:
    return STATUS_OF_CODE.get(code, 500)


def _with_retry_after(response: HttpResponse, error: dict[str, Any] | None) -> HttpResponse:
    """`Retry-After` on a 503 "try again" page (the seconds the gateway's error asks for)."""
    extensions = (error or {}).get("extensions") or {}
    if response.status_code == 503 and extensions.get("code") == "try_again":
        response["Retry-After"] = str(int(extensions.get("retryAfter") or 5))
    return response


@dataclass
class GatewayAnswer:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error(self) -> dict[str, Any] | None:
        return self.errors[0] if self.errors else None

    @property
    def code(self) -> str:
        return str(((self.error or {}).get("extensions") or {}).get("code", "")) if self.errors else ""


def session_viewer(request: HttpRequest) -> Viewer:
    """The session's Viewer, found as `/graphql` finds a bearer's: the single sign-on session's access token
    verified by `viewer_from_token` (raises TokenError when refused or expired). A local sign-in without a
    token acts as its Django user; no sign-in is anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Viewer.anonymous()
    from identity.web import session_tokens

    tokens = session_tokens(request)
    if tokens is None:
        from portal.accounts.selectors import viewer_for_user

        return viewer_for_user(user)
    return viewer_from_token(str(tokens["access_token"]))


def call_gateway(request: HttpRequest, viewer: Viewer, query: str,
                 variables: dict[str, Any] | None = None) -> GatewayAnswer:
    """Execute one operation of the gateway's schema for the Viewer, in the request's language."""
    from graph.schema import schema

    context = GraphContext(viewer=viewer, language=translation.get_language() or "ru", request=None,
                           client=request.META.get("REMOTE_ADDR", ""), inline=True)
    result = async_to_sync(schema.execute)(query, variable_values=variables, context_value=context)
    return GatewayAnswer(data=result.data, errors=[error.formatted for error in result.errors or []])


def _signed_in(request: HttpRequest) -> Viewer | HttpResponse:
    """The Viewer of a signed-in session, or the response: sign in first (anonymous), or the token's refusal
    (401 with the gateway's message)."""
    try:
        viewer = session_viewer(request)
    except TokenError as refused:
        return render(request, "graph/workspace_refused.html", {
            "error": {"message": refused.message, "extensions": {"code": "unauthenticated", "reason": refused.reason}},
            "login_url": f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}",
        }, status=401)
    if viewer.is_anonymous:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return viewer


def _filters(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The list's filter from the query string: (GraphQL MeasureFilter, values for the form)."""
    status = [s for s in request.GET.getlist("status") if s in STATUSES]
    overdue = request.GET.get("overdue") == "1"
    due_before_raw = request.GET.get("due_before", "").strip()
    text = request.GET.get("text", "").strip()[:200]
    wanted: dict[str, Any] = {}
    if status:
        wanted["status"] = [s.upper() for s in status]
    if overdue:
        wanted["overdue"] = True
    due_before = None
    if due_before_raw:
        try:
            due_before = dt.date.fromisoformat(due_before_raw)
            wanted["dueBefore"] = due_before.isoformat()
        except ValueError:
            due_before = None
    if text:
        wanted["text"] = text
    form = {"status": status, "overdue": overdue, "due_before": due_before.isoformat() if due_before else "",
            "text": text.replace("\x00", "")}
    return wanted, form


def _as_date(value: Any) -> Any:
    """An ISO date of the gateway as a date (templates then show it localized); anything else unchanged."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _as_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    """Мои мероприятия: the organisation's measures, filtered, overdue highlighted."""
    viewer = _signed_in(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    wanted, form = _filters(request)
    after = request.GET.get("after") or None
    answer = call_gateway(request, viewer, LIST_QUERY, {"first": PAGE_SIZE, "after": after, "filter": wanted or None})
    page = (answer.data or {}).get("myMeasures")
    for node in (page or {}).get("nodes") or []:
        node["deadline"] = _as_date(node.get("deadline"))
    viewer_info = (answer.data or {}).get("viewer") or {}
    query_without_after = request.GET.copy()
    query_without_after.pop("after", None)
    return _with_retry_after(render(request, "graph/workspace_list.html", {
        "page": page, "error": answer.error, "form": form, "status_choices": _status_labels(),
        "viewer_info": viewer_info, "base_query": query_without_after.urlencode(),
    }, status=200 if page is not None else status_of(answer.code)), answer.error)


def _status_labels() -> list[tuple[str, str]]:
    from portal.cases.models import Measure

    return [(str(value), str(label)) for value, label in Measure.Status.choices]


def _detail(request: HttpRequest, viewer: Viewer, measure_id: str, *, status: int = 200,
            **extra: Any) -> HttpResponse:
    answer = call_gateway(request, viewer, DETAIL_QUERY, {"id": measure_id})
    measure = (answer.data or {}).get("measure")
    if measure is not None:
        _for_people(measure)
    conflict = extra.get("conflict")
    if conflict:
        conflict["doneOn"] = _as_date(conflict.get("doneOn"))
    context = {"measure": measure, "error": answer.error, "today": timezone.localdate().isoformat(), **extra}
    if measure is None:
        status = status_of(answer.code)
    action_error = extra.get("action_error") or {}
    refusal = answer.error if measure is None else {"extensions": {"code": action_error.get("code"),
                                                                    "retryAfter": action_error.get("retryAfter")}}
    return _with_retry_after(render(request, "graph/workspace_detail.html", context, status=status), refusal)


def _for_people(measure: dict[str, Any]) -> None:
    """Dates and times of the measure as date/datetime objects, so that the templates localize them."""
    for name in ("deadline", "doneOn"):
        measure[name] = _as_date(measure.get(name))
    for event in measure.get("history") or []:
        event["at"] = _as_datetime(event.get("at"))
    for comment in measure.get("comments") or []:
        comment["createdAt"] = _as_datetime(comment.get("createdAt"))


@require_GET
def measure_detail(request: HttpRequest, measure_id: str) -> HttpResponse:
    viewer = _signed_in(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    return _detail(request, viewer, measure_id)


@require_POST
def measure_action(request: HttpRequest, measure_id: str, action: str) -> HttpResponse:
    """Accept / fulfil / report not fulfilled / comment through the gateway's mutations."""
    viewer = _signed_in(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    if action not in MUTATIONS:
        return _detail(request, viewer, measure_id, status=400, action_error={"message": _("Unknown action.")})
    variables: dict[str, Any] = {"id": measure_id}
    if action != "comment":
        try:
            variables["version"] = int(request.POST.get("version", ""))
        except ValueError:
            return _detail(request, viewer, measure_id, status=400,
                           action_error={"message": _("The form is out of date. Reload the page.")})
    if action == "fulfil":
        variables["result"] = request.POST.get("result", "")
        done_on = request.POST.get("done_on", "").strip()
        variables["doneOn"] = done_on or None
        if done_on:
            try:
                dt.date.fromisoformat(done_on)
            except ValueError:
                return _detail(request, viewer, measure_id, status=400, form_values=request.POST,
                               action_error={"message": _("Enter the date as YYYY-MM-DD."), "field": "done_on"})
    elif action == "not-fulfilled":
        variables["reason"] = request.POST.get("reason", "")
    elif action == "comment":
        variables["text"] = request.POST.get("text", "")
    answer = call_gateway(request, viewer, MUTATIONS[action], variables)
    if answer.errors:
        error = answer.error or {}
        extensions = error.get("extensions") or {}
        conflict = extensions.get("current") if extensions.get("code") == "conflict" else None
        return _detail(request, viewer, measure_id, status=status_of(answer.code), form_values=request.POST,
                       action_error={"message": error.get("message", ""), "code": extensions.get("code"),
                                     "field": extensions.get("field"), "retryAfter": extensions.get("retryAfter")},
                       conflict=conflict)
    done = {
        "accept": _("The measure is accepted."),
        "fulfil": _("The measure is marked fulfilled."),
        "not-fulfilled": _("The measure is reported not fulfilled."),
        "comment": _("The comment is added."),
    }[action]
    messages.success(request, done)
    return HttpResponseRedirect(reverse("graph:measure", args=[measure_id]))
