"""A measure created from an offer changes the public status of its need (in progress → covered):
re-index the needs of that group in the same transaction (search outbox)."""

from __future__ import annotations

from typing import Any

from portal.cases.models import Measure


def measure_saved(sender: type[Measure], instance: Measure, created: bool, **kwargs: Any) -> None:
    from portal.community.models import Need, Offer
    from search.outbox import enqueue_many

    need_id = Offer.objects.filter(measure_id=instance.pk).values_list("need_id", flat=True).first()
    if need_id is None:
        return
    need = Need.objects.filter(pk=need_id).only("district_id", "help_kind").first()
    if need is None:
        return
    enqueue_many("need", Need.objects.filter(district_id=need.district_id, help_kind=need.help_kind)
                 .values_list("pk", flat=True))
