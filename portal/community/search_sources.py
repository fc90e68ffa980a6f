"""What the search index holds for the registries: approved, published benefactors and the
anonymised public view of needs (after the rare-combination rule) — never anything else."""

from __future__ import annotations

from typing import Any

from portal.community.models import Benefactor, Need

BENEFACTOR = "benefactor"
NEED = "need"


def benefactor_document(object_id: int | str) -> dict[str, Any] | None:
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return None
    b = Benefactor.objects.filter(pk=pk, status=Benefactor.Status.APPROVED, consent_publication=True).select_related(
        "district").first()
    if b is None:
        return None
    return {"id": str(b.pk), "title": b.name, "text": b.description, "kind": b.kind, "district": b.district.code,
            "district_name": b.district.name, "help_kinds": list(b.help_kinds),
            "help_kind_labels": b.get_help_kinds_display(), "url": "/registry/benefactors/"}


def benefactor_ids() -> list[int]:
    return list(Benefactor.objects.filter(status=Benefactor.Status.APPROVED, consent_publication=True)
                .values_list("pk", flat=True))


def need_document(object_id: int | str) -> dict[str, Any] | None:
    from portal.community.selectors import public_need

    need = public_need(object_id)
    if need is None:
        return None
    return {"id": str(need.id), "title": need.help_kind_label, "text": need.summary, "category": need.category,
            "category_label": need.category_label, "district": need.district_code,
            "district_name": need.district_name, "help_kind": need.help_kind, "urgency": need.urgency,
            "status": need.status, "url": f"/registry/needs/{need.id}/help/"}


def need_ids() -> list[int]:
    return list(Need.objects.filter(withdrawn_at__isnull=True).exclude(case__status="closed")
                .values_list("pk", flat=True))
