from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleState(models.Model):
    """When a periodic job is next due. A scheduler enqueues a due run only if it moves `next_run_at` from the
    value it read (compare-and-set), so each run is enqueued once whatever the number of schedulers."""

    name = models.CharField(_("job"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
