"""E-mail through the configured backend, counted: `portal_email_sent_total` and
`portal_email_failures_total` (settings.EMAIL_BACKEND is this class; the real backend is
settings.EMAIL_DELIVERY_BACKEND, from the EMAIL_BACKEND environment variable)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from portal.ops import metrics

logger = logging.getLogger("portal.ops.mail")


class MeteredEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.delivery = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self) -> bool | None:
        return self.delivery.open()

    def close(self) -> None:
        self.delivery.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        messages = list(email_messages)
        try:
            sent = int(self.delivery.send_messages(messages) or 0)
        except Exception as exc:
            metrics.EMAIL_FAILURES.inc(len(messages))
            logger.warning("e-mail not delivered", extra={"messages": len(messages), "error": exc.__class__.__name__})
            raise
        metrics.EMAIL_SENT.inc(sent)
        if sent < len(messages):  # fail_silently backends report fewer messages sent
            metrics.EMAIL_FAILURES.inc(len(messages) - sent)
        return sent
