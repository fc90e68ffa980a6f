"""Administrators see the job queue with its failures (traceback, run again) and the outgoing mail with delivery
errors (send again) in the Wagtail admin; other staff do not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.core.models import OutboundMail
from portal.jobs.worker import run
from tests.jobs import sample_jobs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue", "runs_table")]


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


@pytest.fixture
def editor_client() -> Client:
    user = User.objects.create_user("editor", password="x")
    group, _created = Group.objects.get_or_create(name="editor")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


def test_failed_job_shown_with_its_error_and_run_again(superuser_client: Client) -> None:
    result = sample_jobs.record.enqueue("broken", "not a number")
    run(batch=True, scheduler=False, interval=0)
    listing = superuser_client.get("/admin/jobs/?status=FAILED", HTTP_ACCEPT_LANGUAGE="ru")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Фоновые задачи" in text and "tests.jobs.sample_jobs.record" in text and "builtins.TypeError" in text
    detail = superuser_client.get(f"/admin/jobs/{result.id}/")
    assert detail.status_code == 200 and "Traceback" in detail.content.decode()
    again = superuser_client.post(f"/admin/jobs/{result.id}/retry/")
    assert again.status_code == 302
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY and row.run_after <= timezone.now()


def test_mail_errors_shown_and_sent_again(superuser_client: Client, django_capture_on_commit_callbacks: Any) -> None:
    failed = OutboundMail.objects.create(recipients=["a@example.org"], subject="Не ушло", body="b",
                                         status=OutboundMail.Status.FAILED, attempts=30, next_attempt_at=timezone.now(),
                                         last_error="ConnectionRefusedError: [Errno 111] Connection refused")
    listing = superuser_client.get("/admin/jobs/mail/?status=failed")
    text = listing.content.decode()
    assert listing.status_code == 200 and "Не ушло" in text and "ConnectionRefusedError" in text
    assert "a@example.org" not in text  # the list shows how many recipients, not who
    with django_capture_on_commit_callbacks(execute=True):
        assert superuser_client.post(f"/admin/jobs/mail/{failed.pk}/retry/").status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutboundMail.Status.PENDING
    assert DBTaskResult.objects.filter(task_path="portal.core.jobs.deliver_mail").count() == 1


def test_other_staff_are_refused(editor_client: Client) -> None:
    sample_jobs.record.enqueue("secret-argument")
    for address in ("/admin/jobs/", "/admin/jobs/mail/"):
        response = editor_client.get(address)  # Wagtail answers PermissionDenied with a redirect to its dashboard
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or not response["Location"].startswith("/admin/jobs")
    dashboard = editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "/admin/jobs/" not in dashboard  # no menu item either


def test_readyz_component_reports_the_backlog() -> None:
    from portal.health import readiness

    sample_jobs.record.enqueue("waiting")
    _ready, report = readiness()
    jobs = report["components"]["jobs"]
    assert jobs["status"] == "ok" and jobs["due"] == 1
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=11))
    _ready, report = readiness()
    assert report["components"]["jobs"]["status"] == "degraded"
    assert report["components"]["jobs"]["error"] == "backlog_stale"


def test_metrics_report_queue_depth_and_failures() -> None:
    from portal.ops.metrics import render

    sample_jobs.record.enqueue("broken", "not a number")
    sample_jobs.record.enqueue("ok")
    run(batch=True, scheduler=False, interval=0)
    sample_jobs.record.enqueue("waiting again")
    text = render().decode()
    assert "portal_jobs_queue_depth 1.0" in text and "portal_jobs_failed 1.0" in text


def test_worker_probe_reports_a_stale_job_backlog() -> None:
    """The worker's container/systemd health check (`python -m portal.ops.probe worker`)."""
    from portal.ops.probe import worker_problems

    sample_jobs.record.enqueue("waiting")
    assert not any(problem.startswith("jobs:") for problem in worker_problems())
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=11))
    assert any(problem.startswith("jobs: backlog_stale") for problem in worker_problems())
