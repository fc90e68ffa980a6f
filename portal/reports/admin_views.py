"""Wagtail admin «Отчёты»: the list of reports with deadlines and submission status, each report as tables and
charts, downloads, submitting; the survey of families whose programme ended. Thin: the selectors compute and
scope, the services submit and record; a refusal is a message on the page, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.admin_views import request_viewer
from portal.cases.access import scoped_cases
from portal.cases.models import Case, NeedCircumstance
from portal.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.reports import exports, selectors, services
from portal.reports.figures import Table
from portal.reports.models import ReportKind, SurveyInvitation, SurveyResponse
from portal.reports.periods import current_month, current_quarter, month_period, quarter_period


def _reader(request: HttpRequest) -> Viewer:
    viewer = request_viewer(request)
    if not selectors.may_read_reports(viewer):
        raise DjangoPermissionDenied
    return viewer


def _recent_periods(kind: str, today: dt.date) -> list[str]:
    if kind == ReportKind.QUARTERLY:
        quarter = current_quarter(today)
        found = [quarter]
        for _step in range(3):
            previous = found[-1].first - dt.timedelta(days=1)
            found.append(quarter_period(previous.year, (previous.month - 1) // 3 + 1))
        return [p.code for p in found]
    month = current_month(today)
    found = [month]
    for _step in range(5):
        previous = found[-1].first - dt.timedelta(days=1)
        found.append(month_period(previous.year, previous.month))
    return [p.code for p in found]


def index(request: HttpRequest) -> HttpResponse:
    """Reports with the deadline of each recent period and whether it was submitted (and by whom)."""
    viewer = request_viewer(request)
    if not selectors.may_read_reports(viewer) and viewer.has_role(Role.OFFICER):
        return HttpResponseRedirect(reverse("reports_admin:survey"))  # an officer's part: the survey
    viewer = _reader(request)
    today = timezone.localdate()
    scope = "" if viewer.has_role(Role.ADMIN, Role.SUPERVISOR) else viewer.institution_code or ""
    submitted = {(s.kind, s.period, s.scope): s for s in selectors.submissions_for(viewer)}
    sections = []
    for kind in (ReportKind.MONTHLY, ReportKind.QUARTERLY):
        periods = []
        for code in _recent_periods(kind, today):
            period = selectors.period_for(kind, code)
            done = submitted.get((kind, code, scope))
            periods.append({"code": code, "label": period.label, "deadline": period.deadline,
                            "finished": period.is_finished(today), "submission": done,
                            "overdue": period.is_finished(today) and done is None and period.deadline < today})
        sections.append({"kind": kind, "label": kind.label, "periods": periods})
    return TemplateResponse(request, "reports/index.html", {
        "sections": sections, "scope": scope, "today": today, "month": current_month(today).code,
        "previous_month": _recent_periods(ReportKind.MONTHLY, today)[1],
        "submissions": selectors.submissions_for(viewer).order_by("-submitted_at")[:20],
        "may_submit": viewer.has_role(Role.ADMIN, Role.COORDINATOR),
        "institutions": selectors.institutions().filter(active=True).order_by("name")
        if viewer.has_role(Role.ADMIN, Role.SUPERVISOR) else [],
    })


def _report_args(request: HttpRequest) -> dict[str, Any]:
    return {"institution": request.GET.get("institution") or None, "district": request.GET.get("district") or None}


def report(request: HttpRequest, kind: str) -> HttpResponse:
    viewer = _reader(request)
    if kind not in ReportKind.values:
        raise Http404
    period = request.GET.get("period") or ""
    fresh = request.GET.get("fresh") == "1"
    context: dict[str, Any] = {"kind": kind, "kind_label": ReportKind(kind).label, "period": period,
                               "fresh": fresh, **_report_args(request)}
    try:
        found = selectors.get_report(viewer=viewer, kind=kind, period=period or None, fresh=fresh,
                                     **_report_args(request))
    except ValidationFailed as error:
        context["field_error"] = {"field": error.field, "message": error.message}
        return TemplateResponse(request, "reports/report.html", context, status=400)
    except NotFound as error:
        context["error"] = error.message
        return TemplateResponse(request, "reports/report.html", context, status=404)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    query = request.GET.copy()
    query.pop("fresh", None)
    context.update({
        "report": found, "period": found.period, "query": query.urlencode(),
        "as_of": timezone.localtime(found.as_of_moment),
        "submitted_at": timezone.localtime(dt.datetime.fromisoformat(found.submitted_at)) if found.submitted_at
        else None,
        "deadline": dt.date.fromisoformat(found.deadline) if found.deadline else None,
        "charts": [chart.__dict__ for chart in found.charts],
        "tables": [_display(table) for table in found.tables],
        "may_submit": viewer.has_role(Role.ADMIN, Role.COORDINATOR) and not found.draft and not found.submitted_at
        and not fresh,
        "formats": exports.FORMATS,
    })
    return TemplateResponse(request, "reports/report.html", context)


def _display(table: Table) -> dict[str, Any]:
    """A table as cells (value, is it a number) in column order, for the template."""
    def cells(row: dict[str, Any]) -> list[tuple[Any, bool]]:
        return [(_number(row.get(c.key)), c.kind != "text") for c in table.columns]

    return {"key": table.key, "title": table.title, "columns": table.columns,
            "rows": [cells(row) for row in table.rows], "total": cells(table.total) if table.total else None}


def _number(value: Any) -> Any:
    """Russian decimal comma for shares and means on the page (files keep numbers as numbers)."""
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else value


def download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The shared version of a report as a file (small cells hidden where the report requires it)."""
    viewer = _reader(request)
    if kind not in ReportKind.values or fmt not in exports.FORMATS:
        raise Http404
    try:
        found = selectors.get_report(viewer=viewer, kind=kind, period=request.GET.get("period") or None,
                                     fresh=request.GET.get("fresh") == "1", shared=True, **_report_args(request))
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("reports_admin:index"))
    response = HttpResponse(exports.render(found, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(found, fmt)}"'
    return response


@require_POST
def submit(request: HttpRequest, kind: str) -> HttpResponse:
    viewer = request_viewer(request)
    period = request.POST.get("period", "")
    try:
        done = services.submit_report(viewer=viewer, kind=kind, period=period,
                                      institution=request.POST.get("institution") or None,
                                      district=request.POST.get("district") or None)
        messages.success(request, _("The report for %(period)s is submitted.") % {"period": done.period})
    except DomainError as error:
        messages.error(request, error.message)
    target = reverse("reports_admin:report", args=[kind]) + f"?period={period}"
    if request.POST.get("institution"):
        target += f"&institution={request.POST['institution']}"
    return HttpResponseRedirect(target)


def survey(request: HttpRequest) -> HttpResponse:
    """Families whose programme ended: issue the one-time link, or enter answers from paper or a phone call."""
    viewer = request_viewer(request)
    if not viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.OFFICER):
        raise DjangoPermissionDenied
    closed = (scoped_cases(viewer, Case.objects.filter(status=Case.Status.CLOSED))
              .exclude(pk__in=SurveyResponse.objects.values("case_id")).order_by("-closed_on")[:100])
    invitations = {i.case_id: i for i in SurveyInvitation.objects.filter(case__in=list(closed))}
    labels = dict(NeedCircumstance.choices)
    rows = [{"case": case, "invitation": invitations.get(case.pk),
             "circumstances": [(c, labels.get(c, c)) for c in case.need_circumstances or []]} for case in closed]
    return TemplateResponse(request, "reports/survey_admin.html", {
        "rows": rows, "now": timezone.now(), "channels": [c for c in SurveyResponse.Channel.choices if c[0] != "link"],
    })


@require_POST
def survey_invite(request: HttpRequest, case_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    try:
        invitation = services.issue_survey_link(viewer=viewer, case_id=case_id,
                                                agreed_to_contact=request.POST.get("agreed") == "on")
        link = request.build_absolute_uri(reverse("reports_survey", args=[invitation.token]))
        messages.success(request, _("One-time link (valid until %(date)s): %(link)s") % {
            "date": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y"), "link": link})
    except DomainError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(reverse("reports_admin:survey"))


@require_POST
def survey_enter(request: HttpRequest, case_id: int) -> HttpResponse:
    viewer = request_viewer(request)
    try:
        answered = request.POST.get("answered_on") or ""
        satisfaction = request.POST.get("satisfaction") or ""
        services.enter_survey_response(
            viewer=viewer, case_id=case_id, channel=request.POST.get("channel", ""),
            satisfaction=int(satisfaction) if satisfaction.isdigit() else 0,
            resolved_circumstances=request.POST.getlist("resolved"), own_words=request.POST.get("own_words", ""),
            answered_on=dt.date.fromisoformat(answered) if answered else None)
        messages.success(request, _("The answers are recorded."))
    except ValueError:
        messages.error(request, _("Enter the date as YYYY-MM-DD."))
    except DomainError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(reverse("reports_admin:survey"))


def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    viewer = _reader(request)
    found = selectors.submissions_for(viewer).filter(pk=submission_id).first()
    if found is None:
        raise Http404
    target = reverse("reports_admin:report", args=[found.kind]) + f"?period={found.period}"
    if found.scope:
        target += f"&{'district' if found.kind == ReportKind.PASSPORT else 'institution'}={found.scope}"
    return HttpResponseRedirect(target)

