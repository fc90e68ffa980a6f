"""`portal remind --date` (a bad date: exit code 2 and a message), delivery through the mail queue with the relay
down (retried, marked sent once delivered, the failure visible to an administrator), and two `portal worker`
processes on PostgreSQL running the daily job at once: no message is sent twice."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal import cli
from portal.core.mail import deliver_due
from portal.core.models import OutboundMail
from portal.notifications.models import Channel, Notification
from portal.notifications.services import run_daily
from tests.jobs.conftest import WorkerProcess
from tests.notifications.world import approve, assign, build

ROOT = Path(__file__).resolve().parents[2]


def _portal(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBUG": "1", "PORTAL_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


def test_remind_refuses_a_bad_date_with_exit_code_2(tmp_path: Path) -> None:
    for bad in ("2026-02-30", "yesterday", "02.03.2026"):
        done = _portal("remind", "--date", bad, tmp_path=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "YYYY-MM-DD" in done.stderr and bad in done.stderr
    with pytest.raises(SystemExit) as exited:
        cli.main(["remind", "--date", "13/2026"])
    assert exited.value.code == 2


@pytest.mark.django_db(transaction=True)  # the command closes the connections when it ends, as `portal` does
def test_remind_runs_the_ladder_for_a_date_once(capsys: pytest.CaptureFixture[str]) -> None:
    world = build(registered_on=dt.date(2026, 1, 10))
    assign(world, "m", deadline=dt.date(2026, 2, 26))
    approve(world)
    cli.main(["remind", "--date", "2026-03-02"])
    first = capsys.readouterr().out
    assert "measure_overdue: 4" in first, first
    cli.main(["remind", "--date", "2026-03-02"])
    assert "Notifications sent: 0 (nothing new)" in capsys.readouterr().out


@pytest.mark.django_db
def test_smtp_down_retried_sent_once_and_failure_visible(settings: Any, admin_client: Client) -> None:
    world = build(registered_on=dt.date(2026, 1, 10))
    assign(world, "m", deadline=dt.date(2026, 2, 26))
    approve(world)
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RelayDown"
    run_daily(dt.date(2026, 3, 2))
    queued = OutboundMail.objects.filter(kind="notifications.measure_overdue")
    assert queued.count() == 3
    assert deliver_due(limit=100, stop_after_failures=100) == {"sent": 0, "failed": 3}
    assert set(queued.values_list("status", flat=True)) == {OutboundMail.Status.PENDING}
    assert all("relay down" in error for error in queued.values_list("last_error", flat=True))
    # The administrator sees the failure in the list of outgoing e-mail.
    page = admin_client.get("/admin/jobs/mail/")
    assert page.status_code == 200 and "relay down" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    OutboundMail.objects.update(next_attempt_at=timezone.now())
    assert deliver_due(limit=100) == {"sent": 3, "failed": 0}
    assert deliver_due(limit=100) == {"sent": 0, "failed": 0}
    assert set(queued.values_list("status", flat=True)) == {OutboundMail.Status.SENT}
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "kuznetsova@example.org", "partner7@example.org", "school7@example.org"]


class RelayDown:
    """A mail backend whose relay refuses every connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("relay down")

    def open(self) -> None:
        raise ConnectionRefusedError("relay down")

    def close(self) -> None:
        pass


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message_twice(start_worker: Callable[..., WorkerProcess],
                                                       settings: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the database on PostgreSQL")
    world = build(registered_on=dt.date(2026, 1, 10))
    for number in range(40):
        assign(world, f"m{number}", deadline=dt.date(2026, 2, 26) + dt.timedelta(days=number % 20))
    approve(world)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from portal.notifications.jobs import daily_notifications

    for _copy in range(6):  # the same day's run asked for six times (a retried job, a catch-up, the scheduler)
        daily_notifications.enqueue()
    workers = [start_worker("--no-scheduler"), start_worker("--no-scheduler")]
    from django_tasks_db.models import DBTaskResult

    daily = DBTaskResult.objects.filter(task_path=daily_notifications.module_path)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if daily.filter(status="SUCCESSFUL").count() >= 6 and not DBTaskResult.objects.filter(
                status__in=["READY", "RUNNING"]).exists():
            break
        time.sleep(0.5)
    for worker in workers:
        worker.process.terminate()
        worker.process.wait(timeout=60)
    assert daily.filter(status="SUCCESSFUL").count() == 6, [w.output()[-2000:] for w in workers]
    rows = Notification.objects.exclude(channel=Channel.NONE).exclude(kind="measure_assigned")
    assert rows.count() > 40
    keys = list(rows.values_list("key", "channel", "recipient"))
    assert len(keys) == len(set(keys))
    emails = rows.filter(channel=Channel.EMAIL)
    assert OutboundMail.objects.filter(kind__startswith="notifications.").exclude(
        kind="notifications.measure_assigned").count() == emails.count()
    # Each message was handed to the relay once: the delivery jobs ran on both workers, none sent one twice.
    assert emails.filter(mail__status=OutboundMail.Status.SENT).count() == emails.count()
