"""Reads of the public registries. Nothing here returns personal data to the public.

Needs are shown anonymised. Every attribute a card shows — and so every attribute a public filter can
select on — is a quasi-identifier: category, district, kind of help, urgency, status and how long the
need has been open. The published set is k-anonymous over all of them (k = `COMMUNITY_MIN_GROUP_SIZE`,
default 3): a need is shown at the most precise of the `GENERALISATIONS` below under which its group of
identical cards holds at least k needs (counted among the needs not already shown more precisely), and
suppressed when none does. Filters select on the values shown, never on a hidden or more precise value,
and the text filter returns whole groups: so every filtered list consists of whole groups of at least k.
The plain-words description of what is needed is content checked for personal data when the coordinator
writes it (`services.check_public_summary`), not a quasi-identifier. Needs of closed cases are never shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.access import case_scope
from portal.cases.models import Case, Category, Consent, Measure
from portal.community.models import Benefactor, Need, Offer, PublicStatus, Urgency
from portal.core.ids import parse_id
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind
from search.api import search_ids

#: Search document kinds of the registries (the benefactor registry's search reads them back).
BENEFACTOR_KIND = "benefactor"
NEED_KIND = "need"


def may_moderate_registries(viewer: Viewer) -> bool:
    """Who moderates the registries (benefactors, needs): editors, coordinators and administrators."""
    return viewer.has_role(Role.ADMIN, Role.EDITOR, Role.COORDINATOR)


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

#: How long a need has been open, as the public sees it: (code, fewer than this many days, label).
OPEN_FOR: list[tuple[str, int | None, object]] = [
    ("week", 7, _("less than a week ago")),
    ("month", 31, _("one to four weeks ago")),
    ("quarter", 92, _("one to three months ago")),
    ("long", None, _("more than three months ago")),
]

#: Levels of generalisation, most precise first: (category: "exact" | "group" | "hidden",
#: urgency shown, time open shown). District, kind of help and status are always shown.
GENERALISATIONS: list[tuple[str, bool, bool]] = [
    ("exact", True, True),
    ("group", True, True),
    ("hidden", True, True),
    ("hidden", True, False),
    ("hidden", False, False),
]


def min_group_size() -> int:
    return int(getattr(settings, "COMMUNITY_MIN_GROUP_SIZE", 3))


@dataclass(frozen=True)
class PublicNeed:
    """What the public may see of a need — nothing else leaves the database.

    An attribute generalised away is an empty string (`category`, `urgency`, `open_for`)."""

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
    open_for: str
    open_for_label: str

    def as_dict(self) -> dict[str, object]:
        return {field: getattr(self, field) for field in self.__dataclass_fields__}

    @property
    def group(self) -> tuple[str, ...]:
        """The shown quasi-identifiers: cards with equal groups cannot be told apart but by their text."""
        return (self.category, self.district_code, self.help_kind, self.urgency, self.status, self.open_for)

    @property
    def may_be_offered_help(self) -> bool:
        return self.status != PublicStatus.COVERED


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


def open_for(published: dt.datetime, today: dt.date) -> tuple[str, str]:
    """The bucket of how long a need published at `published` has been open on `today`."""
    days = (today - timezone.localtime(published).date()).days
    for code, below, label in OPEN_FOR:
        if below is None or days < below:
            return code, str(label)
    raise AssertionError("unreachable: the last bucket has no bound")


def _category(need: Need, level: str) -> tuple[str, str]:
    if level == "exact":
        return need.category, str(dict(Category.choices)[need.category])
    if level == "group" and need.category in CATEGORY_GROUPS:
        code, label = CATEGORY_GROUPS[need.category]
        return code, str(label)
    return "", ""


def _view(need: Need, generalisation: tuple[str, bool, bool], today: dt.date) -> PublicNeed:
    category_level, with_urgency, with_time = generalisation
    category, category_label = _category(need, category_level)
    status = _status(need)
    time_code, time_label = open_for(need.created_at, today) if with_time else ("", "")
    return PublicNeed(
        id=need.pk, category=category, category_label=category_label, coarsened=generalisation != GENERALISATIONS[0],
        district_code=need.district.code, district_name=need.district.name, help_kind=need.help_kind,
        help_kind_label=str(dict(HelpKind.choices)[need.help_kind]),
        urgency=need.urgency if with_urgency else "",
        urgency_label=str(dict(Urgency.choices)[need.urgency]) if with_urgency else "",
        status=status, status_label=str(dict(PublicStatus.choices)[status]), summary=need.summary,
        open_for=time_code, open_for_label=time_label,
    )


def _anonymised(needs: Iterable[Need], today: dt.date | None = None) -> list[PublicNeed]:
    """Apply the k-anonymity rule to the whole published set, then build the public views."""
    k, day = min_group_size(), today or timezone.localdate()
    remaining = list(needs)
    shown: list[PublicNeed] = []
    for generalisation in GENERALISATIONS:
        if generalisation[0] == "group":
            candidates = [n for n in remaining if n.category in CATEGORY_GROUPS]
        else:
            candidates = remaining
        views = {need.pk: _view(need, generalisation, day) for need in candidates}
        sizes = Counter(view.group for view in views.values())
        placed = {pk for pk, view in views.items() if sizes[view.group] >= k}
        shown += [views[pk] for pk in placed]
        remaining = [n for n in remaining if n.pk not in placed]
    return shown  # the rest is suppressed: it would single out a family


URGENCY_ORDER = {Urgency.URGENT: 0, Urgency.SOON: 1, "": 2, Urgency.PLANNED: 3}
STATUS_ORDER: dict[str, int] = {PublicStatus.OPEN: 0, PublicStatus.IN_PROGRESS: 1, PublicStatus.COVERED: 2}


def _words(need: PublicNeed) -> str:
    return " ".join((need.summary, need.category_label, need.help_kind_label, need.district_name,
                     need.urgency_label, need.status_label)).lower()


def filter_public_needs(
    shown: list[PublicNeed], *, district_code: str | None = None, help_kind: str | None = None,
    status: str | None = None, urgency: str | None = None, category: str | None = None, text: str | None = None,
) -> list[PublicNeed]:
    """The public filters over anonymised needs, on the values shown only (a generalised-away value never
    matches). The text filter keeps every group with a matching card whole, matching cards first."""
    wanted = {"district_code": district_code, "help_kind": help_kind, "status": status, "urgency": urgency,
              "category": category}
    for attribute, value in wanted.items():
        if value:
            shown = [n for n in shown if getattr(n, attribute) == value]
    needle = (text or "").strip().lower().split()
    matching: set[int] = set()
    if needle:
        matching = {n.id for n in shown if all(word in _words(n) for word in needle)}
        groups = {n.group for n in shown if n.id in matching}
        shown = [n for n in shown if n.group in groups]
    return sorted(shown, key=lambda n: (n.id not in matching if needle else False, STATUS_ORDER[n.status],
                                        URGENCY_ORDER[n.urgency], -n.id))


def public_needs(
    *, district_code: str | None = None, help_kind: str | None = None, status: str | None = None,
    urgency: str | None = None, category: str | None = None, text: str | None = None,
    today: dt.date | None = None,
) -> list[PublicNeed]:
    """The public registry of needs (реестр благополучателей), anonymised, open and urgent first."""
    return filter_public_needs(_anonymised(_visible_needs(today), today), district_code=district_code,
                               help_kind=help_kind, status=status, urgency=urgency, category=category, text=text)


def public_need(need_id: int | str, today: dt.date | None = None) -> PublicNeed | None:
    """One need as the public sees it; None when missing, withdrawn, without consent, or suppressed."""
    pk = parse_id(need_id)
    if pk is None:
        return None
    return next((n for n in _anonymised(_visible_needs(today), today) if n.id == pk), None)


# --- Staff side -------------------------------------------------------------------------------

def needs_for(viewer: Viewer) -> QuerySet[Need]:
    """Needs of the cases the viewer may read (coordinator: its institution; officer: its precincts)."""
    scope = case_scope(viewer, prefix="case__")
    if scope is None:
        return Need.objects.none()
    return Need.objects.filter(scope).select_related("case", "district")


def with_publication_consent(cases: Iterable[Case], day: dt.date | None = None) -> list[Case]:
    """Those of `cases` whose family (household or applicant) has a valid consent to publication —
    one query however many cases (`services.publication_consent` answers for one case)."""
    cases = list(cases)
    if not cases:
        return []
    day = day or timezone.localdate()
    rows = Consent.objects.filter(
        Q(person__household_id__in={c.household_id for c in cases}) | Q(person_id__in={c.applicant_id for c in cases}),
        purpose=Consent.Purpose.PUBLICATION, given_on__lte=day,
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)).values_list("person_id", "person__household_id")
    people, households = set(), set()
    for person_id, household_id in rows:
        people.add(person_id)
        households.add(household_id)
    return [c for c in cases if c.applicant_id in people or c.household_id in households]


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
