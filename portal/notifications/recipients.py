"""Who is told: the people and addresses behind an organisation, a case, a topic (read from the domain apps;
nothing here is shown to anybody)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from portal.accounts.models import StaffProfile
from portal.core.viewer import Role
from portal.notifications.delivery import Recipient, mail_recipients, merge, user_recipients
from portal.partners.models import Contact, Organisation, OrganisationKind


class Directory:
    """Recipients looked up once per run (a daily run asks for the same organisations many times)."""

    def __init__(self) -> None:
        self._organisations: dict[int, tuple[list[Recipient], bool]] = {}
        self._heads: dict[int, list[Recipient]] = {}
        self._supervisors: list[Recipient] | None = None
        self._coordinators: dict[int, list[Recipient]] = {}
        self._users: dict[int, list[Recipient]] = {}
        self._names: dict[int, str] = {}

    def preload(self, organisation_ids: Iterable[int]) -> None:
        """Look many organisations up at once (a daily run tells hundreds): names, addresses, contacts, staff."""
        ids = sorted(set(organisation_ids) - set(self._organisations))
        if not ids:
            return
        organisations = {row.pk: row for row in Organisation.objects.filter(pk__in=ids).only(
            "pk", "name", "short_name", "email")}
        contacts: dict[int, list[tuple[str, bool, bool]]] = defaultdict(list)
        for organisation_id, email, receives, head in Contact.objects.filter(
                organisation_id__in=ids).exclude(email="").filter(Q(receives_assignments=True) | Q(is_head=True)) \
                .values_list("organisation_id", "email", "receives_assignments", "is_head"):
            contacts[organisation_id].append((email, receives, head))
        staff: dict[int, list[int]] = defaultdict(list)
        for organisation_id, user_id in StaffProfile.objects.filter(
                organisation_id__in=ids, user__is_active=True,
                user__groups__name__in=[Role.PARTNER, Role.COORDINATOR, Role.OFFICER]).values_list(
                "organisation_id", "user_id").distinct():
            staff[organisation_id].append(user_id)
        addresses = {address.strip().lower() for organisation in organisations.values() if organisation.email
                     for address in [organisation.email]}
        addresses |= {email.strip().lower() for rows in contacts.values() for email, _r, _h in rows}
        accounts = dict(get_user_model().objects.filter(email__in=addresses, is_active=True)
                        .values_list("email", "pk").order_by("-pk"))
        emails = dict(get_user_model().objects.filter(pk__in={pk for users in staff.values() for pk in users})
                      .values_list("pk", "email"))

        def as_recipients(found: list[str]) -> list[Recipient]:
            cleaned = list(dict.fromkeys(address.strip().lower() for address in found if address.strip()))
            return [Recipient(address=f"user:{accounts[a]}", user_id=accounts[a], email=a) if a in accounts
                    else Recipient(address=f"mail:{a}", email=a) for a in cleaned]

        for pk in ids:
            organisation = organisations.get(pk)
            self._names[pk] = str(organisation) if organisation else "—"
            own = [organisation.email] if organisation and organisation.email else []
            marked = [email for email, receives, _head in contacts[pk] if receives]
            users = [Recipient(address=f"user:{user}", user_id=user, email=emails.get(user) or "")
                     for user in sorted(staff[pk])]
            self._organisations[pk] = (merge(as_recipients(own + marked), users), bool(own + marked))
            heads = [email for email, _receives, head in contacts[pk] if head]
            self._heads[pk] = as_recipients(heads or own)

    def organisation_name(self, organisation_id: int) -> str:
        if organisation_id not in self._names:
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            self._names[organisation_id] = str(organisation) if organisation else "—"
        return self._names[organisation_id]

    def organisation(self, organisation_id: int) -> tuple[list[Recipient], bool]:
        """The organisation's address, its contacts marked to receive assignments, and its staff accounts
        (in-app); and whether it has any e-mail address for assignments at all."""
        if organisation_id not in self._organisations:
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            addresses = [organisation.email] if organisation and organisation.email else []
            addresses += list(Contact.objects.filter(organisation_id=organisation_id, receives_assignments=True)
                              .exclude(email="").values_list("email", flat=True))
            staff = StaffProfile.objects.filter(organisation_id=organisation_id, user__is_active=True,
                                                user__groups__name__in=[Role.PARTNER, Role.COORDINATOR,
                                                                        Role.OFFICER])
            accounts = user_recipients(staff.values_list("user_id", flat=True))
            self._organisations[organisation_id] = (merge(mail_recipients(addresses), accounts), bool(addresses))
        return self._organisations[organisation_id]

    def head(self, organisation_id: int) -> list[Recipient]:
        """The organisation's head contact (its address when no contact is marked head)."""
        if organisation_id not in self._heads:
            addresses = list(Contact.objects.filter(organisation_id=organisation_id, is_head=True)
                             .exclude(email="").values_list("email", flat=True))
            if not addresses:
                addresses = list(Organisation.objects.filter(pk=organisation_id).exclude(email="")
                                 .values_list("email", flat=True))
            self._heads[organisation_id] = mail_recipients(addresses)
        return self._heads[organisation_id]

    def users(self, user_id: int | None) -> list[Recipient]:
        if user_id is None:
            return []
        if user_id not in self._users:
            self._users[user_id] = user_recipients([user_id])
        return self._users[user_id]

    def coordinators(self, institution_id: int) -> list[Recipient]:
        """The coordinators of an institution (for a case without a named coordinator)."""
        if institution_id not in self._coordinators:
            ids = StaffProfile.objects.filter(organisation_id=institution_id, user__groups__name=Role.COORDINATOR,
                                              user__is_active=True).values_list("user_id", flat=True)
            self._coordinators[institution_id] = user_recipients(ids)
        return self._coordinators[institution_id]

    def district_coordinators(self, district_id: int) -> list[Recipient]:
        """The coordinators of every institution of a district."""
        ids = StaffProfile.objects.filter(
            organisation__district_id=district_id, organisation__kind=OrganisationKind.SOCIAL_SERVICE,
            user__groups__name=Role.COORDINATOR, user__is_active=True).values_list("user_id", flat=True)
        return user_recipients(ids)

    def case_coordinators(self, coordinator_id: int | None, institution_id: int) -> list[Recipient]:
        return self.users(coordinator_id) or self.coordinators(institution_id)

    def supervisors(self) -> list[Recipient]:
        """The regional supervisors (региональный надзор)."""
        if self._supervisors is None:
            ids = get_user_model().objects.filter(groups__name=Role.SUPERVISOR, is_active=True).values_list(
                "pk", flat=True)
            self._supervisors = user_recipients(ids)
        return self._supervisors


def _url(name: str, *args: object, fallback: str) -> str:
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback
    return f"{settings.PUBLIC_BASE_URL}{path}"


def partner_measure_link(measure_id: int) -> str:
    """The measure in the partner workspace."""
    return f"{settings.PUBLIC_BASE_URL}/workspace/measures/{measure_id}/"


def staff_measure_link(measure_id: int) -> str:
    return _url("measures:inspect", measure_id, fallback=f"/admin/measures/inspect/{measure_id}/")


def staff_case_link(case_id: int) -> str:
    return _url("cases:inspect", case_id, fallback=f"/admin/cases/inspect/{case_id}/")


def staff_cases_link() -> str:
    return _url("cases:index", fallback="/admin/cases/")


def overdue_measures_link() -> str:
    return _url("measures:index", fallback="/admin/measures/") + "?overdue=1"


def workspace_signals_link() -> str:
    """The reporting organisation's signals in its workspace."""
    return _url("workspace:signals", fallback="/workspace/signals/")


def question_queue_link(question_id: int) -> str:
    return f"{settings.PUBLIC_BASE_URL}/admin/consultations/queue/{question_id}/"


def needs_link() -> str:
    return f"{settings.PUBLIC_BASE_URL}/registry/needs/"
