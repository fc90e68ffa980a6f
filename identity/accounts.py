"""Django accounts of single sign-on users (учётные записи сотрудников и партнёров).

On every sign-in the Django user is created or updated from the verified token: username,
names and e-mail; realm roles become Django groups named after the roles (with their Wagtail
permissions); the organisation or institution from the `/partners/<code>` or
`/institutions/<code>` group goes to the user's `StaffProfile`; an officer is linked to its
`Officer` record by the sign-in name. `portal.accounts.selectors.viewer_for_user` then gives the
same Viewer for the Django user as the token gives, so the Wagtail admin and the domain admin
views scope by the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from portal.accounts.models import StaffProfile
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory.models import Officer

logger = logging.getLogger("identity")
security_logger = logging.getLogger("identity.security")

#: Roles that work in the Wagtail admin (Django `is_staff`).
STAFF_ROLES: frozenset[Role] = frozenset({Role.OPERATOR, Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR, Role.EDITOR,
                                          Role.ADMIN})
#: Page permissions editors get on the site root.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
#: Collection permissions editors get on the root collection (images and documents of the pages).
EDITOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
)
ROLE_VALUES = frozenset(role.value for role in Role)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_role_groups() -> dict[Role, Group]:
    """Create (idempotently) one Django group per realm role, with the role's Wagtail permissions."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

    groups: dict[Role, Group] = {}
    access_admin = _permission("wagtailadmin", "access_admin")
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        groups[role] = group
        if role != Role.PARTNER:
            group.permissions.add(access_admin)
    editor = groups[Role.EDITOR]
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root_page = site.root_page if site is not None else Page.get_first_root_node()
    if root_page is not None:
        # Every language version of the home page: the English pages live beside the Russian tree.
        for home in root_page.get_translations(inclusive=True):
            for codename in EDITOR_PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(group=editor, page=home,
                                                          permission=_permission("wagtailcore", codename))
    # Editors translate pages (the admin's "Translate" action, wagtail.contrib.simple_translation).
    editor.permissions.add(_permission("simple_translation", "submit_translation"))
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(group=editor, collection=root_collection,
                                                            permission=_permission(app_label, codename))
    return groups


def organisation_for_groups(group_paths: Iterable[str]) -> Organisation | None:
    """The organisation (partner) or institution named by the first matching SSO group, active or not."""
    for path in sorted(group_paths):
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("partners", "institutions"):
            organisation = Organisation.objects.filter(code=parts[1]).first()
            if organisation is not None and organisation.sso_group == "/" + "/".join(parts):
                return organisation
    return None


def apply_roles(*, user: User, roles: Iterable[Role], organisation: Organisation | None,
                subject: str = "") -> None:
    """Make the Django side of `user` match its realm roles and organisation (idempotent)."""
    role_set = frozenset(roles)
    groups = ensure_role_groups()
    user.is_staff = bool(role_set & STAFF_ROLES)
    user.is_superuser = Role.ADMIN in role_set
    user.save(update_fields=["is_staff", "is_superuser"])
    wanted = [groups[role] for role in role_set]
    stale = user.groups.filter(name__in=ROLE_VALUES).exclude(pk__in=[g.pk for g in wanted])
    user.groups.remove(*stale)
    user.groups.add(*wanted)
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    changed = []
    if subject and profile.subject != subject:
        profile.subject = subject
        changed.append("subject")
    if profile.organisation_id != (organisation.pk if organisation else None):
        profile.organisation = organisation
        changed.append("organisation")
    if changed:
        profile.save(update_fields=changed)
    if Role.OFFICER in role_set:
        Officer.objects.filter(username=user.get_username()).exclude(user=user).update(user=user)
    else:
        Officer.objects.filter(user=user).update(user=None)


def _claim(claims: Mapping[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return str(value)[:limit] if value else ""


@transaction.atomic
def sync_user(*, viewer: Viewer, claims: Mapping[str, Any]) -> User:
    """Create or update the Django user of a verified single sign-on identity.

    `viewer` comes from `identity.keycloak.verify_access_token` (roles, organisation resolved
    against the registry); `claims` are the token's profile claims (names, e-mail).
    """
    if not viewer.subject:
        raise ValueError("a signed-in viewer needs a subject")
    user_model = get_user_model()
    username = (_claim(claims, "preferred_username", 150) or viewer.username or viewer.subject)[:150]
    profile = StaffProfile.objects.select_related("user").filter(subject=viewer.subject).first()
    user: User | None = profile.user if profile is not None else None
    if user is None:
        user = user_model.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = user_model(username=username)
        user.set_unusable_password()
    assert user is not None
    before = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
              "email": user.email}
    user.username = username
    user.first_name = _claim(claims, "given_name", 150) or user.first_name
    user.last_name = _claim(claims, "family_name", 150) or user.last_name
    user.email = _claim(claims, "email", 254) or user.email
    user.is_active = True
    user.save()
    organisation: Organisation | None = None
    organisation_id = viewer.organisation_id or viewer.institution_id
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    apply_roles(user=user, roles=viewer.roles, organisation=organisation, subject=viewer.subject)
    after = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
             "email": user.email}
    changes = {key: [before[key], after[key]] for key in after if created or before[key] != after[key]}
    if changes:
        audit.record(viewer=viewer, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                     verb="identity.account_synced", obj=user, changes=changes,
                     details={"roles": sorted(role.value for role in viewer.roles)})
    logger.info("single sign-on account %s %s (roles: %s)", username, "created" if created else "updated",
                ",".join(sorted(role.value for role in viewer.roles)) or "-")
    return user


def audit_lockout(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    """A local sign-in locked out after too many wrong passwords (django-axes' `user_locked_out`) leaves a
    security audit record."""
    name = str(username or "?")[:150]
    security_logger.warning("local sign-in locked out: username=%s ip=%s", name, ip_address)
    with transaction.atomic():
        audit.record(viewer=Viewer(subject=f"local:{name}", username=name), action="security",
                     verb="sign_in_locked_out", object_type="account",
                     details={"username": name, "ip_address": ip_address or "",
                              "path": getattr(request, "path", "")[:200]})
