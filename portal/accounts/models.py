"""Staff accounts: the link between a Django user and the organisation it acts for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    """Who a signed-in user is in the domain. Roles are Django groups named after realm roles."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="staff_profile")
    subject = models.CharField(_("single sign-on subject"), max_length=255, blank=True, db_index=True)
    organisation = models.ForeignKey("partners.Organisation", verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="staff")

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)
