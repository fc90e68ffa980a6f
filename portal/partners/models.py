"""Registry of interaction partners (реестр субъектов межведомственного взаимодействия)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HelpKind(models.TextChoices):
    """Kinds of help (виды помощи), FZ-442 art. 22 plus service kinds of the seeds."""

    MEDICAL = "medical", _("medical")
    PSYCHOLOGICAL = "psychological", _("psychological")
    PEDAGOGICAL = "pedagogical", _("pedagogical")
    LEGAL = "legal", _("legal")
    SOCIAL = "social", _("social")
    EMPLOYMENT = "employment", _("employment")
    MATERIAL = "material", _("material / in-kind")
    URGENT = "urgent", _("urgent social service")


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("school")
    EDUCATION_AUTHORITY = "education_authority", _("education authority")
    POLICE = "police", _("police")
    HEALTHCARE = "healthcare", _("healthcare")
    EMPLOYMENT = "employment", _("employment service")
    GUARDIANSHIP = "guardianship", _("guardianship authority")
    MINORS_COMMISSION = "minors_commission", _("commission for minors")
    YOUTH = "youth", _("youth body")
    PENITENTIARY = "penitentiary", _("penitentiary system")
    NGO = "ngo", _("non-profit organisation")
    SOCIAL_SERVICE = "social_service", _("social service institution")


class Organisation(models.Model):
    """A partner organisation or a social-service institution (КЦСОН, СРЦН…)."""

    code = models.SlugField(_("code"), max_length=64, unique=True,
                            help_text=_("Stable identifier; also the single sign-on group name."))
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    district = models.ForeignKey("territory.District", verbose_name=_("district"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="organisations")
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    help_kinds = models.JSONField(_("kinds of help provided"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_institution(self) -> bool:
        return self.kind == OrganisationKind.SOCIAL_SERVICE

    @property
    def sso_group(self) -> str:
        """Keycloak group path that carries membership of this organisation."""
        return f"/institutions/{self.code}" if self.is_institution else f"/partners/{self.code}"

    def get_help_kinds_display(self) -> list[str]:
        labels = dict(HelpKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.help_kinds]


class Agreement(models.Model):
    """Agreement on interaction (соглашение о взаимодействии)."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="agreements")
    number = models.CharField(_("number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.signed_on:%d.%m.%Y}"


class Contact(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="contacts")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    receives_assignments = models.BooleanField(
        _("receives assignments"), default=False,
        help_text=_("Measures assigned to the organisation, and their reminders, are sent to this e-mail."))
    is_head = models.BooleanField(_("head of the organisation"), default=False,
                                  help_text=_("Measures overdue for 7 days are escalated to the head."))

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.full_name


class ServiceCapacity(models.Model):
    """Capacity of a resource of an organisation (вместимость: койки, места, слоты) for one kind of help,
    in the social passport of the territory and published in the HSDS feed."""

    class Unit(models.TextChoices):
        BEDS = "beds", _("beds")
        PLACES = "places", _("places")
        SLOTS = "slots", _("appointment slots per week")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="capacities")
    help_kind = models.CharField(_("kind of help"), max_length=16, choices=HelpKind.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    maximum = models.PositiveIntegerField(_("capacity"))
    available = models.PositiveIntegerField(_("available now"), null=True, blank=True)
    updated_on = models.DateField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("resource capacity")
        verbose_name_plural = _("resource capacities")
        constraints = [models.UniqueConstraint(fields=["organisation", "help_kind", "unit"],
                                               name="service_capacity_unique")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_unit_display()} {self.maximum}"
