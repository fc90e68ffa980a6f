"""Reports (отчётность): the reporting ledger, submitted snapshots, the effectiveness survey.

The ledger (`LedgerEvent`) is a typed, append-only projection of the audit trail: every audit row of a
transition that a report counts (a signal confirmed, support started, a case closed, a measure assigned,
accepted, fulfilled, not fulfilled, returned, cancelled, reassigned) becomes one ledger row in the same
transaction, carrying the columns the reports group by (institution, organisation, kind of help, outcome,
reason, deadline) and both times: when the fact happened (`on`) and when the portal learnt it
(`recorded_at`). A report "as of" a moment counts only rows recorded by then, so a figure once reported can
always be computed again, and later edits show in a fresh draft only.
"""

from __future__ import annotations

import secrets
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerImmutableError(RuntimeError):
    pass


class LedgerEventQuerySet(models.QuerySet["LedgerEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerImmutableError("Ledger events cannot be updated.")

    def delete(self) -> NoReturn:
        raise LedgerImmutableError("Ledger events cannot be deleted.")


class LedgerEvent(models.Model):
    """One reportable fact (факт для отчётности), append-only."""

    class Kind(models.TextChoices):
        SIGNAL_CONFIRMED = "signal_confirmed", _("need identified (signal confirmed)")
        CASE_STARTED = "case_started", _("enrolled in support")
        CASE_CLOSED = "case_closed", _("case closed")
        MEASURE_ASSIGNED = "measure_assigned", _("measure assigned")
        MEASURE_ACCEPTED = "measure_accepted", _("measure accepted")
        MEASURE_FULFILLED = "measure_fulfilled", _("measure fulfilled")
        MEASURE_NOT_FULFILLED = "measure_not_fulfilled", _("measure not fulfilled")
        MEASURE_RETURNED = "measure_returned", _("measure returned")
        MEASURE_CANCELLED = "measure_cancelled", _("measure cancelled")
        MEASURE_WITHDRAWN = "measure_withdrawn", _("measure taken from the organisation (reassigned)")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    on = models.DateField(_("date of the fact"))
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    #: The audit row this fact was projected from (None for the opening balance of data loaded in bulk).
    audit_event_id = models.BigIntegerField(_("audit event"), null=True, blank=True, unique=True)
    institution_id = models.IntegerField(_("institution"), null=True, blank=True)
    organisation_id = models.IntegerField(_("organisation"), null=True, blank=True)
    district_id = models.IntegerField(_("district"), null=True, blank=True)
    case_id = models.IntegerField(_("case"), null=True, blank=True)
    measure_id = models.IntegerField(_("measure"), null=True, blank=True)
    signal_id = models.IntegerField(_("signal"), null=True, blank=True)
    help_kind = models.CharField(_("kind of help"), max_length=16, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)

    objects = LedgerEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        indexes = [
            models.Index(fields=["kind", "on", "institution_id"]),
            models.Index(fields=["kind", "organisation_id", "on"]),
            models.Index(fields=["measure_id", "recorded_at"]),
            models.Index(fields=["case_id", "recorded_at"]),
            models.Index(fields=["district_id", "kind", "on"]),
        ]

    def __str__(self) -> str:
        return f"{self.on:%d.%m.%Y} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise LedgerImmutableError("Ledger events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerImmutableError("Ledger events cannot be deleted.")


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report on social support")
    QUARTERLY = "quarterly", _("Quarterly effectiveness monitoring")
    PASSPORT = "passport", _("Social passport of the territory")
    PARTNERS = "partners", _("Partner performance")


class Submission(models.Model):
    """A submitted report (сданный отчёт): the figures frozen with who submitted them and when."""

    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=8)
    #: Institution or district code the report covers; "" for the whole region.
    scope = models.CharField(_("scope"), max_length=64, blank=True)
    as_of = models.DateTimeField(_("figures as of"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by_subject = models.CharField(_("submitted by (id)"), max_length=255)
    submitted_by_name = models.CharField(_("submitted by"), max_length=255)
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "scope"], name="report_submitted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {self.scope}"


def _survey_token() -> str:
    return secrets.token_urlsafe(32)


class SurveyInvitation(models.Model):
    """A one-time link to the survey of a family whose programme ended (анкетирование, seed 004 row 13)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="survey_invitation")
    token = models.CharField(_("token"), max_length=64, unique=True, default=_survey_token, editable=False)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.expires_at:%d.%m.%Y}"


class SurveyResponse(models.Model):
    """An answered survey: by the family through the link, or entered by an officer from paper or phone."""

    class Channel(models.TextChoices):
        LINK = "link", _("online link")
        PAPER = "paper", _("paper form")
        PHONE = "phone", _("phone call")

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="survey_response")
    institution_id = models.IntegerField(_("institution"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    resolved_circumstances = models.JSONField(_("need circumstances resolved"), default=list, blank=True)
    circumstances_total = models.PositiveSmallIntegerField(_("need circumstances of the case"), default=0)
    own_words = models.TextField(_("in their own words"), blank=True)
    answered_on = models.DateField(_("answered on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    entered_by = models.CharField(_("entered by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_on"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.satisfaction}"

