"""Generic tables of the portal core: the outgoing-mail queue and the regional exceptions of the working-day
calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMail(models.Model):
    """One e-mail to send (portal.core.mail). Written in the transaction of the change it reports and sent by a
    background job; marked sent only once the mail relay took it, retried with backoff until then."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("not delivered (attempts exhausted)")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {len(self.recipients)}"


class CalendarDay(models.Model):
    """A regional exception to the Russian production calendar: an extra day off (a regional holiday) or an
    extra working day. Days not listed follow the federal calendar with its transferred days off."""

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"), help_text=_(
        "Ticked: a working day (even if the federal calendar has a day off). Unticked: a day off."))
    note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}"
