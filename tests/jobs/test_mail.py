"""Every e-mail goes through the queue (portal.core.mail): with the mail relay down nothing is lost, the message
is tried again on the next run and marked sent only once a real SMTP server (aiosmtpd) took it — once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from portal.core import mail
from portal.core.models import OutboundMail
from tests.jobs.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return [str(message_from_bytes(envelope.content, policy=policy.default)["Subject"]).strip()
                for envelope in self.messages]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "portal.ops.mail.MeteredEmailBackend"  # as in production (tests default to locmem)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


def _queue(subject: str, captured: Any) -> OutboundMail:
    with captured(execute=True):
        queued = mail.send_mail(to=["specialist@example.org"], subject=subject, body="Текст письма")
    assert queued is not None
    return queued


def _pass_time(queued: OutboundMail) -> None:
    OutboundMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_smtp_down_nothing_lost_retried_and_sent_once(smtp: SmtpServer, django_capture_on_commit_callbacks: Any,
                                                      ) -> None:
    queued = _queue("Письмо при упавшей почте", django_capture_on_commit_callbacks)  # the job ran at commit
    queued.refresh_from_db()
    assert queued.status == OutboundMail.Status.PENDING and queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error  # what the administrator sees in the mail list
    assert queued.next_attempt_at > timezone.now()  # backoff: not tried again at once
    assert mail.deliver_due() == {"sent": 0, "failed": 0}

    _pass_time(queued)
    assert mail.deliver_due() == {"sent": 0, "failed": 1}  # still down: kept, attempt 2
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutboundMail.Status.PENDING, 2)

    smtp.start()
    _pass_time(queued)
    assert mail.deliver_due() == {"sent": 1, "failed": 0}
    queued.refresh_from_db()
    assert queued.status == OutboundMail.Status.SENT and queued.sent_at is not None and queued.last_error == ""
    _pass_time(queued)
    assert mail.deliver_due() == {"sent": 0, "failed": 0}
    assert mail.deliver(queued.pk) is False  # a late duplicate delivery job sends nothing
    assert smtp.inbox.subjects() == ["Письмо при упавшей почте"]  # exactly once


@pytest.mark.django_db
def test_relay_stopped_then_started_again(smtp: SmtpServer, django_capture_on_commit_callbacks: Any) -> None:
    smtp.start()
    first = _queue("Первое", django_capture_on_commit_callbacks)
    smtp.stop()
    second = _queue("Второе", django_capture_on_commit_callbacks)
    assert OutboundMail.objects.get(pk=first.pk).status == OutboundMail.Status.SENT
    assert OutboundMail.objects.get(pk=second.pk).status == OutboundMail.Status.PENDING
    smtp.start()
    _pass_time(second)
    mail.deliver_due()
    assert smtp.inbox.subjects() == ["Первое", "Второе"]


@pytest.mark.django_db
def test_given_up_after_the_last_attempt_and_sent_again_on_request(smtp: SmtpServer, settings: Any,
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    settings.MAIL_MAX_ATTEMPTS = 2
    queued = _queue("Не доставлено", django_capture_on_commit_callbacks)
    _pass_time(queued)
    mail.deliver_due()
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutboundMail.Status.FAILED, 2)
    _pass_time(queued)
    assert mail.deliver_due() == {"sent": 0, "failed": 0}  # given up: only an administrator sends it again
    smtp.start()
    assert mail.retry_now(queued.pk) is True
    assert mail.deliver_due() == {"sent": 1, "failed": 0}
    assert smtp.inbox.subjects() == ["Не доставлено"]


@pytest.mark.django_db
def test_a_sender_that_died_mid_send_is_replaced(smtp: SmtpServer, settings: Any) -> None:
    smtp.start()
    stuck = OutboundMail.objects.create(recipients=["a@example.org"], subject="Застряло", body="b",
                                        status=OutboundMail.Status.SENDING, next_attempt_at=timezone.now(),
                                        claimed_at=timezone.now() - timedelta(minutes=11), attempts=1)
    assert mail.deliver_due()["sent"] == 1
    stuck.refresh_from_db()
    assert stuck.status == OutboundMail.Status.SENT and stuck.attempts == 2


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail(to=["a@example.org"], subject="s", body="b")
        raise RuntimeError
    assert not OutboundMail.objects.exists()


@pytest.mark.django_db
def test_empty_and_duplicate_addresses() -> None:
    assert mail.send_mail(to=["", "  "], subject="s", body="b") is None
    queued = mail.send_mail(to=["a@example.org", "a@example.org", "b@example.org"], subject="s", body="b")
    assert queued is not None and queued.recipients == ["a@example.org", "b@example.org"]


def test_no_code_sends_mail_but_the_queue() -> None:
    """Django's send functions and EmailMessage.send are called only by portal.core.mail (and the mail backends)."""
    allowed = {ROOT / "portal/core/mail.py", ROOT / "portal/ops/mail.py", ROOT / "portal/demo/mail.py"}
    offenders = []
    for folder in ("portal", "graph", "cms", "search", "identity"):
        for path in (ROOT / folder).rglob("*.py"):
            if path in allowed or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                        "send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_messages"):
                    owner = ast.unparse(node.func.value)
                    if owner != "mail":  # portal.core.mail.send_mail via `from portal.core import mail`
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
