"""The job runner's own housekeeping: finished jobs are kept for a while (administrators read failures),
then removed; so are delivered e-mails (their text may name the person they were sent to)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.core.models import OutboundMail
from portal.jobs.registry import job, periodic


@periodic(cron="30 3 * * *")
@job()
def prune_finished() -> dict[str, int]:
    now = timezone.now()
    successful, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_SUCCESSFUL_DAYS),
    ).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_FAILED_DAYS),
    ).delete()
    mail, _ = OutboundMail.objects.filter(
        status=OutboundMail.Status.SENT, sent_at__lt=now - timedelta(days=settings.MAIL_KEEP_SENT_DAYS),
    ).delete()
    return {"successful_jobs": successful, "failed_jobs": failed, "sent_mail": mail}
