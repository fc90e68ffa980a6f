"""What the search index holds for the registries: approved, published benefactors and the anonymised public
view of needs (after the rare-combination rule) — never anything else.

Declared with `search.registry`. A need's public view also changes with objects of `portal.cases`: the measure
made from an offer for it (in progress → covered), its case (closed: gone), its publication consent
(withdrawn: gone). Their services queue those objects (`search.outbox.enqueue("measure", pk)`), and the need
documents follow them here (`DocumentType.follows`) — with the rest of each need's group, whose suppression
may change too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from portal.community.models import Benefactor, Need, Offer
from portal.community.selectors import public_needs
from portal.core.statements import Compiled, StatementCache, compile_query
from search.registry import Document, DocumentType, IndexSpec, int_ids, register_index, register_type

BENEFACTOR = "benefactor"
NEED = "need"
#: Ids per query when following other objects to their needs.
_CHUNK = 500


def benefactor_document(object_id: int | str) -> dict[str, Any] | None:
    found = load_benefactors([str(object_id)])
    return found[0] if found else None


def load_benefactors(ids: Sequence[str]) -> list[Document]:
    benefactors = Benefactor.objects.filter(pk__in=int_ids(ids), status=Benefactor.Status.APPROVED,
                                            consent_publication=True).select_related("district")
    by_id = {
        b.pk: {"id": str(b.pk), "title": b.name, "text": b.description, "kind": b.kind, "district": b.district.code,
               "district_name": b.district.name, "help_kinds": list(b.help_kinds),
               "help_kind_labels": b.get_help_kinds_display(), "url": "/registry/benefactors/"}
        for b in benefactors
    }
    return [by_id[pk] for pk in dict.fromkeys(int_ids(ids)) if pk in by_id]


def benefactor_ids() -> list[int]:
    return list(Benefactor.objects.filter(status=Benefactor.Status.APPROVED, consent_publication=True)
                .values_list("pk", flat=True))


def need_document(object_id: int | str) -> dict[str, Any] | None:
    found = load_needs([str(object_id)])
    return found[0] if found else None


def load_needs(ids: Sequence[str]) -> list[Document]:
    """Public views of the needs among `ids` (the anonymisation runs once for the whole batch)."""
    wanted = list(dict.fromkeys(int_ids(ids)))
    if not wanted:
        return []
    shown = {need.id: need for need in public_needs() if need.id in set(wanted)}
    documents = []
    for pk in wanted:
        need = shown.get(pk)
        if need is not None:
            documents.append({
                "id": str(need.id), "title": need.help_kind_label, "text": need.summary, "category": need.category,
                "category_label": need.category_label, "district": need.district_code,
                "district_name": need.district_name, "help_kind": need.help_kind, "urgency": need.urgency,
                "status": need.status, "url": f"/registry/needs/{need.id}/help/"})
    return documents


def need_ids() -> list[int]:
    return list(Need.objects.filter(withdrawn_at__isnull=True).exclude(case__status="closed")
                .values_list("pk", flat=True))


def needs_in_groups_of(needs: Q) -> list[int]:
    """Every need of the groups (district, kind of help) of the needs matching `needs`: suppression by the
    rare-combination rule works per group, so one need changing may show or hide the others."""
    return needs_in_groups(set(Need.objects.filter(needs).values_list("district_id", "help_kind")))


def needs_in_groups(groups: set[tuple[int, str]]) -> list[int]:
    """Every need of these groups (district, kind of help)."""
    if not groups:
        return []
    same = Q()
    for district_id, help_kind in groups:
        same |= Q(district_id=district_id, help_kind=help_kind)
    return list(Need.objects.filter(same).values_list("pk", flat=True))


def _following(field: str) -> Any:
    def needs_of(ids: Sequence[str]) -> Iterable[int]:
        pks = int_ids(ids)
        found: list[int] = []
        for start in range(0, len(pks), _CHUNK):
            found += needs_in_groups_of(Q(**{f"{field}__in": pks[start: start + _CHUNK]}))
        return found
    return needs_of


def _groups_of_measure(measure_id: int) -> Any:
    """The groups of the needs whose offer became the measure (none for most measures)."""
    return (Need.objects.filter(pk__in=Offer.objects.filter(measure_id=measure_id).values("need_id"))
            .order_by().values_list("district_id", "help_kind"))


#: `_groups_of_measure` compiled once (portal.core.statements): a partner's report on a measure asks it every
#: time, and building the query cost more than running it (issue 18).
_measure_groups: StatementCache[Compiled] = StatementCache(kept=4)


def needs_of_measures(ids: Sequence[str]) -> Iterable[int]:
    """Needs whose offer became one of these measures, with their groups (one query when there is none)."""
    pks = int_ids(ids)
    if len(pks) == 1:
        using = transaction.get_connection().alias
        statement = _measure_groups.get("groups", lambda: compile_query(_groups_of_measure, marked=1, using=using),
                                        using=using)
        if statement is not None:
            return needs_in_groups({(district, kind) for district, kind in statement.rows(pks)})
    found: list[int] = []
    for start in range(0, len(pks), _CHUNK):
        offers = Offer.objects.filter(measure_id__in=pks[start: start + _CHUNK])
        found += needs_in_groups_of(Q(pk__in=offers.values("need_id")))
    return found


register_index(IndexSpec("needs", searchable=("title", "text", "category_label", "district_name"),
                         filterable=("district", "category", "help_kind", "urgency", "status"), sortable=("title",),
                         default_sort="title"))
register_index(IndexSpec("benefactors", searchable=("title", "text", "help_kind_labels", "district_name"),
                         filterable=("district", "kind", "help_kinds"), sortable=("title",), default_sort="title"))
register_type(DocumentType(kind=BENEFACTOR, index="benefactors", load=load_benefactors, all_ids=benefactor_ids))
register_type(DocumentType(kind=NEED, index="needs", load=load_needs, all_ids=need_ids,
                           follows={"measure": needs_of_measures, "case": _following("case_id"),
                                    "consent": _following("consent_id")}))
