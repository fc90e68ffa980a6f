"""The Viewer: who is acting, for which organisation, with which roles.

Built from a verified Keycloak token (the gateway) or from a signed-in Django user
(portal pages, Wagtail admin). Every selector and service takes one, so that
authorisation is enforced where data is read and written, not only in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Realm roles of the `portal` realm."""

    PARTNER = "partner"  # субъект межведомственного взаимодействия
    OFFICER = "officer"  # социальный участковый
    OPERATOR = "operator"  # оператор приёма сигналов (горячая линия): registers signals, sees only its own
    COORDINATOR = "coordinator"  # специалист по социальному сопровождению
    SUPERVISOR = "supervisor"  # региональный надзор (только чтение)
    EDITOR = "editor"  # редактор публичных страниц
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Viewer:
    subject: str | None = None
    username: str = ""
    display_name: str = ""
    roles: frozenset[Role] = field(default_factory=frozenset)
    #: Partner organisation the viewer acts for (group `/partners/<code>`), if any.
    organisation_id: int | None = None
    organisation_code: str | None = None
    #: Social-service institution (group `/institutions/<code>`), for coordinators/officers.
    institution_id: int | None = None
    institution_code: str | None = None
    #: Precincts an officer owns.
    precinct_ids: frozenset[int] = field(default_factory=frozenset)
    #: Django user id when the viewer is a signed-in portal user.
    user_id: int | None = None

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls()

    @classmethod
    def system(cls, name: str = "system") -> Viewer:
        """An internal actor for commands and the demo loader (acts as admin)."""
        return cls(subject=f"system:{name}", username=name, display_name=name, roles=frozenset({Role.ADMIN}))

    @property
    def is_anonymous(self) -> bool:
        return self.subject is None

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_partner(self) -> bool:
        return Role.PARTNER in self.roles and self.organisation_id is not None

    @property
    def is_staff_reader(self) -> bool:
        """May read cases at all (scoping still applies)."""
        return self.has_role(Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN)

    @property
    def audit_name(self) -> str:
        return self.display_name or self.username or (self.subject or "anonymous")
