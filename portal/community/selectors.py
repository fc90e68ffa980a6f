"""Reads of the public registries. Nothing here returns personal data to the public.

Needs are shown anonymised: category, district, kind of help, urgency, status and a checked
summary. A need whose category+district+help combination is rare (fewer than
`COMMUNITY_MIN_GROUP_SIZE`, default 3, among published needs) is shown with a coarser category
when that group is large enough (and then without its free-text summary, which could name the
exact situation again), and otherwise suppressed. Needs of closed cases are never shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.viewer import Viewer
from portal.cases.access import case_scope
from portal.cases.models import Case, Category, Measure
from portal.community.models import Benefactor, Need, Offer, PublicStatus, Urgency
from portal.community.services import BENEFACTOR_KIND, may_moderate_registries
from portal.consultations.searching import search_ids
from portal.partners.models import HelpKind

#: Coarse category groups used when an exact combination is too rare.
CATEGORY_GROUPS: dict[str, tuple[str, object]] = {
    **dict.fromkeys(
        [Category.LARGE_FAMILY, Category.LOW_INCOME, Category.DISABLED_CHILD, Category.MINOR_AT_RISK],
        ("families", _("family with children")),
    ),
    **dict.fromkeys([Category.ELDERLY_80, Category.VETERAN, Category.DISABLED_I],
                    ("elderly_disabled", _("elderly or disabled person"))),
    **dict.fromkeys([Category.WOMAN_IN_CRISIS, Category.HOMELESS, Category.RELEASED],
                    ("adults", _("adult in a difficult situation"))),
}


def min_group_size() -> int:
    return int(getattr(settings, "COMMUNITY_MIN_GROUP_SIZE", 3))


@dataclass(frozen=True)
class PublicNeed:
    """What the public may see of a need — nothing else leaves the database."""

    id: int
    category: str
    category_label: str
    coarsened: bool
    district_code: str
    district_name: str
    help_kind: str
    help_kind_label: str
    urgency: str
    urgency_label: str
    status: str
    status_label: str
    summary: str
    published_month: str

    def as_dict(self) -> dict[str, object]:
        return {field: getattr(self, field) for field in self.__dataclass_fields__}


def _visible_needs(today: dt.date | None = None) -> QuerySet[Need]:
    day = today or timezone.localdate()
    fulfilled = Offer.objects.filter(need=OuterRef("pk"), measure__status=Measure.Status.FULFILLED)
    under_way = Offer.objects.filter(need=OuterRef("pk"), measure__status__in=Measure.OPEN_STATUSES)
    return (
        Need.objects.filter(withdrawn_at__isnull=True, consent__given_on__lte=day)
        .exclude(case__status=Case.Status.CLOSED)
        .filter(Q(consent__withdrawn_on__isnull=True) | Q(consent__withdrawn_on__gt=day))
        .annotate(is_covered=Exists(fulfilled), is_under_way=Exists(under_way))
        .select_related("district")
    )


def _status(need: Need) -> str:
    if getattr(need, "is_covered", False):
        return PublicStatus.COVERED
    if getattr(need, "is_under_way", False):
        return PublicStatus.IN_PROGRESS
    return PublicStatus.OPEN


def _anonymised(needs: list[Need]) -> list[PublicNeed]:
    """Apply the rare-combination rule to the whole published set, then build public views."""
    k = min_group_size()
    exact = Counter((n.category, n.district_id, n.help_kind) for n in needs)
    residual = Counter(
        (CATEGORY_GROUPS[n.category][0], n.district_id, n.help_kind)
        for n in needs if exact[(n.category, n.district_id, n.help_kind)] < k and n.category in CATEGORY_GROUPS
    )
    help_labels, urgency_labels, status_labels = dict(HelpKind.choices), dict(Urgency.choices), dict(
        PublicStatus.choices)
    category_labels = dict(Category.choices)
    shown: list[PublicNeed] = []
    for need in needs:
        if exact[(need.category, need.district_id, need.help_kind)] >= k:
            category, label, coarsened = need.category, category_labels[need.category], False
        elif need.category in CATEGORY_GROUPS and residual[
                (CATEGORY_GROUPS[need.category][0], need.district_id, need.help_kind)] >= k:
            category, label = CATEGORY_GROUPS[need.category]
            coarsened = True
        else:
            continue  # suppressed: would single out a family
        status = _status(need)
        shown.append(PublicNeed(
            id=need.pk, category=category, category_label=str(label), coarsened=coarsened,
            district_code=need.district.code, district_name=need.district.name, help_kind=need.help_kind,
            help_kind_label=str(help_labels[need.help_kind]), urgency=need.urgency,
            urgency_label=str(urgency_labels[need.urgency]), status=status, status_label=str(status_labels[status]),
            summary="" if coarsened else need.summary,
            published_month=timezone.localtime(need.created_at).strftime("%m.%Y"),
        ))
    return shown


URGENCY_ORDER = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.PLANNED: 2}
STATUS_ORDER = {PublicStatus.OPEN: 0, PublicStatus.IN_PROGRESS: 1, PublicStatus.COVERED: 2}


def public_needs(
    *, district_code: str | None = None, help_kind: str | None = None, status: str | None = None,
    urgency: str | None = None, category: str | None = None, text: str | None = None,
    today: dt.date | None = None,
) -> list[PublicNeed]:
    """The public registry of needs (реестр благополучателей), anonymised, open and urgent first."""
    shown = _anonymised(list(_visible_needs(today)))
    if district_code:
        shown = [n for n in shown if n.district_code == district_code]
    if help_kind:
        shown = [n for n in shown if n.help_kind == help_kind]
    if status:
        shown = [n for n in shown if n.status == status]
    if urgency:
        shown = [n for n in shown if n.urgency == urgency]
    if category:
        shown = [n for n in shown if n.category == category]
    needle = (text or "").strip().lower()
    if needle:
        shown = [n for n in shown if all(word in " ".join((n.summary, n.category_label, n.help_kind_label,
                                                            n.district_name)).lower() for word in needle.split())]
    return sorted(shown, key=lambda n: (STATUS_ORDER[n.status], URGENCY_ORDER[n.urgency], -n.id))


def public_need(need_id: int | str, today: dt.date | None = None) -> PublicNeed | None:
    """One need as the public sees it; None when missing, withdrawn, without consent, or suppressed."""
    try:
        pk = int(need_id)
    except (TypeError, ValueError):
        return None
    return next((n for n in _anonymised(list(_visible_needs(today))) if n.id == pk), None)


# --- Staff side -------------------------------------------------------------------------------

def needs_for(viewer: Viewer) -> QuerySet[Need]:
    """Needs of the cases the viewer may read (coordinator: its institution; officer: its precincts)."""
    scope = case_scope(viewer, prefix="case__")
    if scope is None:
        return Need.objects.none()
    return Need.objects.filter(scope).select_related("case", "district")


def offers_for(viewer: Viewer, *, status: str | None = None) -> QuerySet[Offer]:
    """Offers of help for needs of the viewer's cases (the coordinator's queue)."""
    scope = case_scope(viewer, prefix="need__case__")
    if scope is None:
        return Offer.objects.none()
    offers = Offer.objects.filter(scope).select_related("need__case", "need__district", "benefactor", "measure")
    if status:
        offers = offers.filter(status=status)
    return offers.order_by("status", "-created_at")


def unverified_benefactor_matches(offer: Offer) -> list[Benefactor]:
    """Approved benefactors whose registered e-mail or phone equals what was typed into the offer.

    Anyone can type anyone's e-mail: a match is only a hint for the coordinator, never trusted."""
    conditions = Q()
    if offer.email:
        conditions |= Q(email__iexact=offer.email)
    digits = "".join(ch for ch in offer.phone if ch.isdigit())[-10:]
    candidates = Benefactor.objects.filter(status=Benefactor.Status.APPROVED)
    matched = list(candidates.filter(conditions)) if conditions else []
    if len(digits) >= 6:
        matched += [b for b in candidates.exclude(phone="") if b not in matched
                    and "".join(ch for ch in b.phone if ch.isdigit())[-10:] == digits]
    return matched


def approved_benefactors() -> QuerySet[Benefactor]:
    """Benefactors a coordinator may link an offer to (after checking with them)."""
    return Benefactor.objects.filter(status=Benefactor.Status.APPROVED).select_related(
        "organisation", "district").order_by("name")


def public_benefactors(
    *, district_code: str | None = None, help_kind: str | None = None, kind: str | None = None,
    text: str | None = None,
) -> QuerySet[Benefactor]:
    """Approved benefactors who consented to publication (реестр благотворителей)."""
    benefactors = Benefactor.objects.filter(status=Benefactor.Status.APPROVED, consent_publication=True
                                            ).select_related("district")
    if district_code:
        benefactors = benefactors.filter(district__code=district_code)
    if help_kind:
        benefactors = benefactors.filter(help_kinds__icontains=f'"{help_kind}"')
    if kind:
        benefactors = benefactors.filter(kind=kind)
    needle = (text or "").strip()
    if needle:
        ids = search_ids(BENEFACTOR_KIND, needle)
        if ids is not None:
            benefactors = benefactors.filter(pk__in=[int(pk) for pk in ids if pk.isdigit()])
        else:
            for word in needle.split()[:8]:
                benefactors = benefactors.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return benefactors.order_by("name")


def benefactor_queue(viewer: Viewer, *, status: str | None = None) -> QuerySet[Benefactor]:
    if not may_moderate_registries(viewer):
        return Benefactor.objects.none()
    benefactors = Benefactor.objects.select_related("district", "organisation")
    if status:
        benefactors = benefactors.filter(status=status)
    return benefactors.order_by("status", "-created_at")
