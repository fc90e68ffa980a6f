"""E-mails the demo load would send (questions routed to specialists, offers of help …) are kept
out of the console: the demo's addresses are fictitious, and a dozen full messages printed before
the banner read like errors to a newcomer. `kept_mail()` collects them; the loader prints one line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from portal.core.mail import capture_mail

_kept: list[EmailMessage] | None = None


class KeptEmailBackend(BaseEmailBackend):
    """Keeps messages in memory while `kept_mail()` is active (sends nothing)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        messages = list(email_messages)
        if _kept is not None:
            _kept.extend(messages)
        return len(messages)


@contextmanager
def kept_mail() -> Iterator[list[EmailMessage]]:
    """Inside the block every e-mail goes to the returned list instead of the configured backend."""
    global _kept
    previous_backend, previous_kept = settings.EMAIL_BACKEND, _kept
    kept: list[EmailMessage] = []
    _kept = kept
    settings.EMAIL_BACKEND = f"{__name__}.KeptEmailBackend"
    try:
        with capture_mail() as queued:  # the portal's queued e-mail (portal.core.mail) is kept too
            yield kept
            kept.extend(queued)
    finally:
        settings.EMAIL_BACKEND = previous_backend
        _kept = previous_kept


def summary(messages: Sequence[EmailMessage]) -> str:
    """One line: how many e-mails the demo would have sent, and to how many addresses."""
    recipients = {address for message in messages for address in message.recipients()}
    return (f"Demo e-mails: {len(messages)} not sent (the demo's addresses are fictitious; "
            f"{len(recipients)} recipient(s)).")
