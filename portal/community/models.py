"""Public registries: benefactors (благотворители), beneficiaries' needs (нужды благополучателей), offers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Category
from portal.partners.models import HelpKind


class Benefactor(models.Model):
    """A benefactor (благотворитель): an individual or a legal entity willing to help."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        LEGAL_ENTITY = "legal_entity", _("legal entity")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name or organisation"), max_length=300)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    help_kinds = models.JSONField(_("kinds of help offered"), default=list)
    district = models.ForeignKey("territory.District", verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="benefactors")
    description = models.TextField(_("what you can offer"), blank=True)
    consent_processing_at = models.DateTimeField(_("consent to processing given at"))
    consent_publication = models.BooleanField(_("consents to publication"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation", verbose_name=_("partner organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="benefactors",
        help_text=_("For a legal entity registered as a partner: measures are assigned to it."),
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.CharField(_("moderated by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("benefactor")
        verbose_name_plural = _("benefactors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED and self.consent_publication

    def get_help_kinds_display(self) -> list[str]:
        labels = dict(HelpKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.help_kinds]


class Urgency(models.TextChoices):
    PLANNED = "planned", _("planned")
    SOON = "soon", _("within a month")
    URGENT = "urgent", _("urgent")


class PublicStatus(models.TextChoices):
    """Status the public sees, computed from the offers' measures."""

    OPEN = "open", _("help needed")
    IN_PROGRESS = "in_progress", _("help on the way")
    COVERED = "covered", _("help found")


class Need(models.Model):
    """An anonymised need of a family (нужда благополучателя), published from a case with consent.

    Only category, district, kind of help, urgency, status, how long it has been open and the checked
    plain-words description of what is needed (`summary`) are ever public (see `selectors`).
    """

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="needs")
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    district = models.ForeignKey("territory.District", verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="needs")
    help_kind = models.CharField(_("kind of help needed"), max_length=16, choices=HelpKind.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.SOON)
    summary = models.CharField(_("public summary"), max_length=300, blank=True)
    consent = models.ForeignKey("cases.Consent", verbose_name=_("publication consent"), on_delete=models.PROTECT,
                                related_name="needs")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason withdrawn"), max_length=300, blank=True)
    created_by = models.CharField(_("published by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "help_kind", "category"])]

    def __str__(self) -> str:
        return f"{self.get_help_kind_display()} — {self.district}"


class Offer(models.Model):
    """«I can help» (могу помочь): a volunteer's or benefactor's offer for a need."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("turned into a measure")
        DECLINED = "declined", _("declined")

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="offers")
    benefactor = models.ForeignKey(
        Benefactor, verbose_name=_("benefactor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="offers",
        help_text=_("Set by the coordinator when accepting the offer, after checking with the benefactor; "
                    "never from the e-mail typed into the offer."),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    consent_processing_at = models.DateTimeField(_("consent to processing given at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    decline_reason = models.TextField(_("reason declined"), blank=True)
    measure = models.OneToOneField("cases.Measure", verbose_name=_("measure"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="offer")
    handled_by = models.CharField(_("handled by"), max_length=200, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("offer of help")
        verbose_name_plural = _("offers of help")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.need}"


from portal.community.pages import (  # noqa: E402, F401  (Wagtail pages live in this app)
    BenefactorsRegistryPage,
    NeedsRegistryPage,
    PartnersRegistryPage,
)
