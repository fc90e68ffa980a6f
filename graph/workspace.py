"""The partner workspace (рабочее место партнёра) at /workspace/: "Мои мероприятия".

Pages are rendered on the server; every read and change goes through the GraphQL gateway
(the same schema, limits, error mapping and rate limit as `/graphql`), executed server-side for
the signed-in session's Viewer — there is no second API. A conflict (someone else changed the
measure) is shown with the measure's current state carried by the gateway's `conflict` error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from graph.context import GraphContext
from identity.viewer import Viewer

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
    id version task content kindLabel deadline place status statusLabel overdue isOpen result doneOn
    notFulfilledReason cancelReason responsiblePerson caseCode organisation { name }
    recipient { sharedFields firstName lastName middleName birthDate phone address district }
    history { at actionLabel verb actorName actorOrganisation refused changes { field before after } }
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
    """The signed-in session's Viewer (identity.web when present, the Django user otherwise)."""
    try:
        from identity.web import viewer_for_request  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from portal.accounts.selectors import viewer_for_user

        return viewer_for_user(getattr(request, "user", None))
    return viewer_for_request(request)


def call_gateway(request: HttpRequest, query: str, variables: dict[str, Any] | None = None) -> GatewayAnswer:
    """Execute one operation of the gateway's schema for the session's Viewer, in the request's language."""
    from graph.schema import schema

    context = GraphContext(viewer=session_viewer(request), language=translation.get_language() or "ru",
                           request=None, client=request.META.get("REMOTE_ADDR", ""), inline=True)
    result = async_to_sync(schema.execute)(query, variable_values=variables, context_value=context)
    return GatewayAnswer(data=result.data, errors=[error.formatted for error in result.errors or []])


def _login_redirect(request: HttpRequest) -> HttpResponse | None:
    viewer = session_viewer(request)
    if viewer.is_anonymous:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


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
            "text": text}
    return wanted, form


@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    """Мои мероприятия: the organisation's measures, filtered, overdue highlighted."""
    if (redirect := _login_redirect(request)) is not None:
        return redirect
    wanted, form = _filters(request)
    after = request.GET.get("after") or None
    answer = call_gateway(request, LIST_QUERY, {"first": PAGE_SIZE, "after": after, "filter": wanted or None})
    page = (answer.data or {}).get("myMeasures")
    viewer_info = (answer.data or {}).get("viewer") or {}
    query_without_after = request.GET.copy()
    query_without_after.pop("after", None)
    status_choices = [(value, label) for value, label in _status_labels()]
    return render(request, "graph/workspace_list.html", {
        "page": page, "error": answer.error, "form": form, "status_choices": status_choices,
        "viewer_info": viewer_info, "base_query": query_without_after.urlencode(),
    }, status=200 if page is not None else 403)


def _status_labels() -> list[tuple[str, str]]:
    from portal.cases.models import Measure

    return [(str(value), str(label)) for value, label in Measure.Status.choices]


def _detail(request: HttpRequest, measure_id: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    answer = call_gateway(request, DETAIL_QUERY, {"id": measure_id})
    measure = (answer.data or {}).get("measure")
    if measure is not None:
        _label_history(measure)
    context = {"measure": measure, "error": answer.error, "today": timezone.localdate().isoformat(), **extra}
    if measure is None:
        status = 404 if answer.code == "not_found" else 403
    return render(request, "graph/workspace_detail.html", context, status=status)


def _label_history(measure: dict[str, Any]) -> None:
    """Field names of the history in the reader's language (the model's verbose names)."""
    from django.core.exceptions import FieldDoesNotExist

    from portal.cases.models import Measure

    for event in measure.get("history") or []:
        for change in event.get("changes") or []:
            name = str(change.get("field", ""))
            try:
                change["label"] = str(Measure._meta.get_field(name.removesuffix("_id")).verbose_name)
            except FieldDoesNotExist:
                change["label"] = name


@require_GET
def measure_detail(request: HttpRequest, measure_id: str) -> HttpResponse:
    if (redirect := _login_redirect(request)) is not None:
        return redirect
    return _detail(request, measure_id)


@require_POST
def measure_action(request: HttpRequest, measure_id: str, action: str) -> HttpResponse:
    """Accept / fulfil / report not fulfilled / comment through the gateway's mutations."""
    if (redirect := _login_redirect(request)) is not None:
        return redirect
    if action not in MUTATIONS:
        return _detail(request, measure_id, status=400, action_error={"message": _("Unknown action.")})
    variables: dict[str, Any] = {"id": measure_id}
    if action != "comment":
        try:
            variables["version"] = int(request.POST.get("version", ""))
        except ValueError:
            return _detail(request, measure_id, status=400,
                           action_error={"message": _("The form is out of date. Reload the page.")})
    if action == "fulfil":
        variables["result"] = request.POST.get("result", "")
        done_on = request.POST.get("done_on", "").strip()
        variables["doneOn"] = done_on or None
        if done_on:
            try:
                dt.date.fromisoformat(done_on)
            except ValueError:
                return _detail(request, measure_id, status=400, form_values=request.POST,
                               action_error={"message": _("Enter the date as YYYY-MM-DD."), "field": "done_on"})
    elif action == "not-fulfilled":
        variables["reason"] = request.POST.get("reason", "")
    elif action == "comment":
        variables["text"] = request.POST.get("text", "")
    answer = call_gateway(request, MUTATIONS[action], variables)
    if answer.errors:
        error = answer.error or {}
        extensions = error.get("extensions") or {}
        conflict = extensions.get("current") if extensions.get("code") == "conflict" else None
        return _detail(request, measure_id, status=409 if conflict else 400, form_values=request.POST,
                       action_error={"message": error.get("message", ""), "code": extensions.get("code"),
                                     "field": extensions.get("field")},
                       conflict=conflict)
    done = {
        "accept": _("The measure is accepted."),
        "fulfil": _("The measure is marked fulfilled."),
        "not-fulfilled": _("The measure is reported not fulfilled."),
        "comment": _("The comment is added."),
    }[action]
    messages.success(request, done)
    return HttpResponseRedirect(reverse("graph:measure", args=[measure_id]))
