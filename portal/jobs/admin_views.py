"""Administrators' view of background work (Wagtail admin → Background jobs): the job queue with its failures
and their tracebacks (a failed job can be run again), and the outgoing-mail queue with delivery errors (a
message can be sent again). Superusers only: tracebacks and addresses are for those who run the portal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.core import mail
from portal.core.jobs import deliver_mail
from portal.core.models import OutboundMail
from portal.jobs import enqueue_on_commit, selectors


def _require_superuser(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def jobs(request: HttpRequest) -> HttpResponse:
    _require_superuser(request)
    status = request.GET.get("status", "")
    if status not in TaskResultStatus.values:
        status = ""
    page = Paginator(selectors.jobs(status or None), 50).get_page(request.GET.get("page"))
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return TemplateResponse(request, "jobs/jobs.html", {
        "page": page, "status": status, "statuses": TaskResultStatus.choices, "counts": counts,
        "backlog": selectors.backlog(), "now": timezone.now(),
    })


def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    _require_superuser(request)
    row = get_object_or_404(DBTaskResult, id=job_id)
    return TemplateResponse(request, "jobs/job_detail.html", {"job": row, "attempts": len(row.worker_ids)})


@require_POST
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    """Run a failed job again (same arguments), now."""
    _require_superuser(request)
    DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None)
    return HttpResponseRedirect(reverse("jobs_admin:job", args=[job_id]))


def outgoing_mail(request: HttpRequest) -> HttpResponse:
    _require_superuser(request)
    status = request.GET.get("status", "")
    if status not in OutboundMail.Status.values:
        status = ""
    found = OutboundMail.objects.all()
    if status:
        found = found.filter(status=status)
    page = Paginator(found.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    counts = dict(OutboundMail.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return TemplateResponse(request, "jobs/mail.html", {
        "page": page, "status": status, "statuses": OutboundMail.Status.choices,
        "summary": [(value, label, counts.get(value, 0)) for value, label in OutboundMail.Status.choices],
    })


@require_POST
def mail_retry(request: HttpRequest, mail_id: int) -> HttpResponse:
    """Send a message given up (or waiting) at the next delivery run."""
    _require_superuser(request)
    if mail.retry_now(mail_id):
        enqueue_on_commit(deliver_mail, mail_id)
    return HttpResponseRedirect(reverse("jobs_admin:mail") + f"?status={OutboundMail.Status.PENDING}")


__all__ = ["job_detail", "job_retry", "jobs", "mail_retry", "outgoing_mail"]
