"""Background jobs of the portal core: e-mail delivery (portal.core.mail)."""

from __future__ import annotations

from datetime import timedelta

from portal.jobs import job, periodic


@job(priority=10)
def deliver_mail(mail_id: int) -> bool:
    """Send one queued message right after the change that queued it. A failure leaves the message waiting
    (its own backoff) for `deliver_due_mail`, and the failed run stays visible in the job list."""
    from portal.core.mail import deliver  # mail queues these jobs: at the top it would be a cycle

    return deliver(mail_id)


@periodic(every=timedelta(minutes=1))
@job()
def deliver_due_mail() -> dict[str, int]:
    """Retry messages whose next attempt is due (and any whose delivery job was lost)."""
    from portal.core.mail import deliver_due  # mail queues these jobs: at the top it would be a cycle

    return deliver_due()
