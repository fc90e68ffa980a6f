"""Notifications (уведомления): the log of every message the portal sent or showed, the in-app list, and each
person's opt-outs.

A message is a `Notification` row whose (key, channel, recipient) is unique: the key names what is told
(kind, object, level, date…), so a run repeated, a job retried or two workers at once never tell the same thing
to the same recipient twice — the second insert conflicts and sends nothing. An e-mail row points at the
OutboundMail that carries it (delivery, retries and failures are the mail queue's); an in-app row is the
person's list, with its read mark. Messages carry only case codes, tasks, deadlines and links: their
parameters (`params`) are rendered by the templates of `portal.notifications.messages`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MEASURE_ASSIGNED = "measure_assigned", _("measure assigned")
    MEASURE_WITHDRAWN = "measure_withdrawn", _("measure reassigned to another organisation")
    MEASURE_CANCELLED = "measure_cancelled", _("measure cancelled")
    MEASURE_DUE_SOON = "measure_due_soon", _("measure due soon")
    MEASURE_OVERDUE = "measure_overdue", _("measure overdue")
    MEASURE_ESCALATED = "measure_escalated", _("measure overdue for a week")
    OVERDUE_DIGEST = "overdue_digest", _("measures overdue for two weeks (digest)")
    NOT_NOTIFIED = "not_notified", _("organisation not notified")
    COORDINATOR_DIGEST = "coordinator_digest", _("coordinator's digest")
    QUESTION_REMINDER = "question_reminder", _("question awaiting an answer")
    QUESTION_OVERDUE = "question_overdue", _("question overdue")
    SIGNAL_STATUS = "signal_status", _("status of a reported signal")
    NEEDS_DIGEST = "needs_digest", _("new needs (digest for benefactors)")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    IN_APP = "in_app", _("in the portal")
    #: Nobody could be told (an organisation without an address): kept so the coordinator sees it.
    NONE = "none", _("not delivered: no address")


#: The channels a person may opt out of.
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.IN_APP)


class Notification(models.Model):
    """One message to one recipient on one channel (журнал уведомлений)."""

    key = models.CharField(_("key"), max_length=200,
                           help_text=_("What is told: kind, object, level, date. Never twice to one recipient."))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    #: `user:<id>`, `mail:<address>` or `org:<id>` (channel none).
    recipient = models.CharField(_("recipient"), max_length=260)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notifications")
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    day = models.DateField(_("date"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.ForeignKey("core.OutboundMail", verbose_name=_("e-mail"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    #: The run that inserted the row (a concurrent run's conflicting insert leaves it unchanged).
    run = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key", "channel", "recipient"],
                                               name="notification_once_per_recipient")]
        indexes = [models.Index(fields=["user", "channel", "read_at"]),
                   models.Index(fields=["object_type", "object_id", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class OptOut(models.Model):
    """A person does not want a kind of notification on a channel (отказ от уведомлений)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notification_opt_outs")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}/{self.channel}"


class DigestItem(models.Model):
    """An item a digest already told a recipient (a review due, a term ending, a new need…): the next digest
    brings only what is new."""

    recipient = models.CharField(_("recipient"), max_length=260)
    item = models.CharField(_("item"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    run = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        constraints = [models.UniqueConstraint(fields=["recipient", "item"], name="digest_item_once")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.item}"


class NeedsDigestSubscription(models.Model):
    """A benefactor who asked for the digest of new needs in their district and kinds of help."""

    benefactor = models.OneToOneField("community.Benefactor", verbose_name=_("benefactor"),
                                      on_delete=models.CASCADE, related_name="needs_digest")
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs digest subscription")
        verbose_name_plural = _("needs digest subscriptions")

    def __str__(self) -> str:
        return str(self.benefactor)
