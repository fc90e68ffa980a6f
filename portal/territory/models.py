"""Territory: districts, precincts (участки), streets and address ranges, district officers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.territory.addresses import canonical_street_kind, normalise_text


class District(models.Model):
    """Municipal district or city district (муниципальный район / городской округ)."""

    class Kind(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population"), default=0)
    centre = models.CharField(_("administrative centre"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def residents_per_officer_norm(self) -> int:
        """Norm (seed 002): 1 officer per 8,000 rural / 10,000 urban residents."""
        return 10_000 if self.kind == self.Kind.URBAN else 8_000


class Officer(models.Model):
    """District social officer (социальный участковый)."""

    full_name = models.CharField(_("full name"), max_length=200)
    photo = models.ImageField(_("photo"), upload_to="officers/", blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    office_address = models.CharField(_("office address"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=300, blank=True)
    username = models.CharField(
        _("sign-in name"), max_length=150, blank=True, db_index=True,
        help_text=_("Keycloak username; links the officer to a staff account."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="officer",
    )
    institution = models.ForeignKey(
        "partners.Organisation", verbose_name=_("institution"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="officers",
    )

    class Meta:
        verbose_name = _("district social officer")
        verbose_name_plural = _("district social officers")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class Precinct(models.Model):
    """Precinct (участок) of a district, served by one officer."""

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="precincts")
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("residents"), default=0)
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="precincts")

    class Meta:
        verbose_name = _("precinct")
        verbose_name_plural = _("precincts")
        ordering = ["district__name", "number"]
        constraints = [models.UniqueConstraint(fields=["district", "number"], name="precinct_number_unique")]

    def __str__(self) -> str:
        return f"{self.district.name}, участок № {self.number}"


class Street(models.Model):
    """A street of a settlement, with its normalised form for lookup."""

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="streets")
    settlement = models.CharField(_("settlement"), max_length=120)
    kind = models.CharField(_("street type"), max_length=20,
                            help_text=_("As written in addresses, e.g. улица, проспект, переулок."))
    name = models.CharField(_("name"), max_length=200)
    normalized = models.CharField(_("normalised name"), max_length=200, db_index=True)
    settlement_normalized = models.CharField(max_length=120, db_index=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["settlement", "name"]
        constraints = [
            models.UniqueConstraint(fields=["settlement_normalized", "kind", "normalized"], name="street_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement}, {self.kind} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the lookup forms in step with the names, whichever form edited them (the admin too)."""
        self.kind = canonical_street_kind(self.kind)
        self.normalized = normalise_text(self.name)
        self.settlement_normalized = normalise_text(self.settlement)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "kind", "normalized", "settlement_normalized"}
        super().save(*args, **kwargs)


class AddressRange(models.Model):
    """Houses of a street that belong to a precinct: numbers from–to, odd, even or all."""

    class Parity(models.TextChoices):
        ALL = "all", _("all")
        ODD = "odd", _("odd")
        EVEN = "even", _("even")

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.CASCADE, related_name="ranges")
    precinct = models.ForeignKey(Precinct, verbose_name=_("precinct"), on_delete=models.CASCADE,
                                 related_name="address_ranges")
    house_from = models.PositiveIntegerField(_("house from"), default=1)
    house_to = models.PositiveIntegerField(_("house to"), default=9999)
    parity = models.CharField(_("parity"), max_length=4, choices=Parity.choices, default=Parity.ALL)

    class Meta:
        verbose_name = _("address range")
        verbose_name_plural = _("address ranges")
        indexes = [models.Index(fields=["street", "house_from", "house_to"])]

    def __str__(self) -> str:
        return f"{self.street}: {self.house_from}–{self.house_to} ({self.get_parity_display()})"

    def covers(self, house: int) -> bool:
        if not self.house_from <= house <= self.house_to:
            return False
        if self.parity == self.Parity.ODD:
            return house % 2 == 1
        if self.parity == self.Parity.EVEN:
            return house % 2 == 0
        return True


class TerritoryVersion(models.Model):
    """One row whose stamp changes with every write to the territory tables (database triggers).

    The officer finder's in-memory index (`portal.territory.index`) is rebuilt when the stamp it was
    built at is no longer the current one, in every worker process.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.BigIntegerField(_("stamp"), default=0)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("territory version")
        verbose_name_plural = _("territory versions")

    def __str__(self) -> str:
        return f"{self.stamp}"
