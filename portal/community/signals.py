"""Changes outside this app that change the public view of needs re-index them in the same transaction
(search outbox): a measure made from an offer (in progress → covered), a closed case, a withdrawn
publication consent."""

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


def _reindex_groups(need_filter: dict[str, Any]) -> None:
    """Re-index the needs matching `need_filter` and the rest of their groups (suppression may change)."""
    from django.db.models import Q

    from portal.community.models import Need
    from search.outbox import enqueue_many

    groups = set(Need.objects.filter(**need_filter).values_list("district_id", "help_kind"))
    if not groups:
        return
    same = Q()
    for district_id, help_kind in groups:
        same |= Q(district_id=district_id, help_kind=help_kind)
    enqueue_many("need", Need.objects.filter(same).values_list("pk", flat=True))


def case_saved(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """A closed case takes its needs off the public registry: drop them from search too."""
    if not created and instance.status == instance.Status.CLOSED:
        _reindex_groups({"case_id": instance.pk})


def consent_saved(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """A withdrawn publication consent hides the needs published under it: drop them from search too.

    (A withdrawal dated in the future takes effect on that day: `portal reindex` catches it.)"""
    if not created and instance.withdrawn_on is not None:
        _reindex_groups({"consent_id": instance.pk})
