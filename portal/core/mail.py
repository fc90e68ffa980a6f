"""Every e-mail the portal sends goes through `send_mail` here: it writes an OutboundMail row in the caller's
transaction and a background job delivers it after the commit. No SMTP call happens inside a web request; with
the mail relay down nothing is lost — the row waits and is tried again with backoff (`deliver_due` runs every
minute) — and it is marked sent only once the relay took it. Administrators see the queue and its errors
(Admin → Background jobs → Outgoing e-mail).

Delivery claims a row (pending → sending) with a conditional UPDATE, so two workers never send the same
message; a worker that dies between the relay's acceptance and the mark leaves the row `sending`, and it is
tried again after MAIL_SENDING_TIMEOUT_MINUTES (at least once rather than never).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.core.errors import ValidationFailed
from portal.core.jobs import deliver_mail
from portal.core.models import OutboundMail
from portal.jobs import enqueue_on_commit

logger = logging.getLogger("portal.core.mail")

_captured: list[EmailMessage] | None = None


class MailNotDelivered(Exception):
    """The mail relay did not take a message (it stays queued and is tried again later)."""


def clean_email(value: str | None, *, field: str = "email", invalid: str | Promise | None = None) -> str:
    """A typed e-mail address, stripped (empty when none was given), or ValidationFailed on `field` with the
    `invalid` message (default: «Enter a valid e-mail address.»)."""
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationFailed(invalid or _("Enter a valid e-mail address."), field=field) from None
    return value


def send_mail(*, to: Sequence[str], subject: str, body: str, kind: str = "") -> OutboundMail | None:
    """Queue one e-mail to `to` (empty addresses dropped, duplicates merged). Call it inside the transaction of the
    change it reports: a rolled-back change sends nothing. Returns the queued row (None when nothing to send)."""
    recipients = [address.strip() for address in dict.fromkeys(to) if address and address.strip()]
    if not recipients:
        return None
    if _captured is not None:
        _captured.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
        return None
    mail = OutboundMail.objects.create(kind=kind[:64], recipients=recipients, subject=subject[:300], body=body,
                                       from_email=settings.DEFAULT_FROM_EMAIL, next_attempt_at=timezone.now())
    enqueue_on_commit(deliver_mail, mail.pk)
    return mail


@contextmanager
def capture_mail() -> Iterator[list[EmailMessage]]:
    """Inside the block `send_mail` queues nothing and collects the messages in the returned list (the demo
    loader keeps the e-mails to its fictitious addresses out of the queue)."""
    global _captured
    previous = _captured
    captured: list[EmailMessage] = []
    _captured = captured
    try:
        yield captured
    finally:
        _captured = previous


def capturing() -> bool:
    """True inside `capture_mail()` (the demo loader): nothing is to be sent, nor announced, from it."""
    return _captured is not None


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after attempt 1, 2, 3 …, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver(mail_id: int) -> bool:
    """Try to hand message `mail_id` to the mail relay now. True when sent by this call; False when it is not
    waiting (already sent, given up, or being sent by another worker). Raises MailNotDelivered when the relay
    refused or could not be reached (the row records the error and when it is tried next)."""
    now = timezone.now()
    claimed = OutboundMail.objects.filter(pk=mail_id, status=OutboundMail.Status.PENDING).update(
        status=OutboundMail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    mail = OutboundMail.objects.get(pk=mail_id)
    message = EmailMessage(mail.subject, mail.body, mail.from_email or settings.DEFAULT_FROM_EMAIL,
                           list(mail.recipients))
    try:
        sent = get_connection(fail_silently=False).send_messages([message])
        if not sent:
            raise MailNotDelivered("the mail backend reported the message as not sent")
    except Exception as exc:
        gave_up = mail.attempts >= int(settings.MAIL_MAX_ATTEMPTS)
        OutboundMail.objects.filter(pk=mail_id).update(
            status=OutboundMail.Status.FAILED if gave_up else OutboundMail.Status.PENDING, claimed_at=None,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000], next_attempt_at=now + retry_delay(mail.attempts))
        logger.warning("e-mail not delivered", extra={"mail_id": mail_id, "attempt": mail.attempts,
                                                       "error": exc.__class__.__name__, "gave_up": gave_up})
        raise MailNotDelivered(f"message {mail_id}: {exc.__class__.__name__}") from exc
    OutboundMail.objects.filter(pk=mail_id).update(status=OutboundMail.Status.SENT, sent_at=timezone.now(),
                                                   claimed_at=None, last_error="")
    return True


def deliver_due(*, limit: int = 200, stop_after_failures: int = 3) -> dict[str, int]:
    """Send the messages whose next attempt is due (the periodic safety net and retry run): a message whose
    sender died mid-send is waiting again after MAIL_SENDING_TIMEOUT_MINUTES. Stops after a few failures in a
    row (the relay is down: the next run tries again) rather than waiting for every message's time-out."""
    now = timezone.now()
    stale = now - timedelta(minutes=int(settings.MAIL_SENDING_TIMEOUT_MINUTES))
    OutboundMail.objects.filter(status=OutboundMail.Status.SENDING, claimed_at__lt=stale).update(
        status=OutboundMail.Status.PENDING, claimed_at=None)
    due = list(OutboundMail.objects.filter(status=OutboundMail.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    report = {"sent": 0, "failed": 0}
    failures_in_a_row = 0
    for mail_id in due:
        try:
            if deliver(mail_id):
                report["sent"] += 1
            failures_in_a_row = 0
        except MailNotDelivered:
            report["failed"] += 1
            failures_in_a_row += 1
            if failures_in_a_row >= stop_after_failures:
                break
    return report


def retry_now(mail_id: int) -> bool:
    """An administrator's «send again»: a message given up (or waiting) is due at once."""
    return bool(OutboundMail.objects.filter(
        pk=mail_id, status__in=[OutboundMail.Status.FAILED, OutboundMail.Status.PENDING],
    ).update(status=OutboundMail.Status.PENDING, next_attempt_at=timezone.now()))
