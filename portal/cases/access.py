"""Who may see and change which cases and measures: one place for the scoping rules.

- partner: measures of its organisation only (no cases, no persons);
- officer (социальный участковый): cases of its precincts;
- coordinator (куратор): cases of its institution;
- supervisor: every case, read only; admin: everything.

Writes that name a territory (a precinct, or a household of a precinct) stay inside the actor's territory:
an officer works in the precincts it serves, a coordinator in the territory of its institution (the
precincts served by the institution's officers and every precinct of the district the institution is
registered in). Registering a family of another institution's territory would be a transfer between
institutions, which is not a registration (it is refused here).
"""

from __future__ import annotations

from django.db.models import Exists, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, Measure
from portal.core.errors import PermissionDenied
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.partners.selectors import organisations_working_on
from portal.territory.models import Precinct


def case_reach(viewer: Viewer) -> dict[str, list[int]] | None:
    """The one staff scope rule: the case attributes, and their values, that let a viewer read a case — any one
    of them is enough (a coordinator who is also an officer reads its institution's cases and its precincts').
    None means every case; {} none. `case_scope` (the database) and the staff search index both use it."""
    if viewer.has_role(Role.ADMIN, Role.SUPERVISOR):
        return None
    reach: dict[str, list[int]] = {}
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_id:
        reach["institution_id"] = [viewer.institution_id]
    if viewer.has_role(Role.OFFICER) and viewer.precinct_ids:
        reach["precinct_id"] = sorted(viewer.precinct_ids)
    return reach


def case_scope(viewer: Viewer, prefix: str = "") -> Q | None:
    """Filter selecting the cases a viewer may read (`case_reach`); None means none at all."""
    reach = case_reach(viewer)
    if reach is None:
        return Q()
    scope: Q | None = None
    for name, values in reach.items():
        allowed = Q(**{f"{prefix}{name}__in": values})
        scope = allowed if scope is None else scope | allowed
    return scope


def scoped_cases(viewer: Viewer, cases: QuerySet[Case]) -> QuerySet[Case]:
    scope = case_scope(viewer)
    return cases.none() if scope is None else cases.filter(scope)


def scoped_measures(viewer: Viewer, measures: QuerySet[Measure]) -> QuerySet[Measure]:
    scope = case_scope(viewer, prefix="case__")
    if viewer.is_partner:
        # Only while the organisation's agreement on interaction is in force (institutions need none).
        # The condition on the one organisation is not correlated with the measure: the database checks it once
        # per statement, not once per organisation of the registry (an IN over all of them, issue 18).
        organisation_id = viewer.organisation_id or 0  # a partner without one sees nothing
        own = Q(organisation_id=organisation_id) & Q(Exists(Organisation.objects.filter(
            organisations_working_on(timezone.localdate()), pk=organisation_id)))
        scope = own if scope is None else scope | own
    return measures.none() if scope is None else measures.filter(scope)


def may_manage_case(viewer: Viewer, case: Case) -> bool:
    """Officers of the precinct and coordinators of the institution run a case; admins anything."""
    if viewer.is_admin:
        return True
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_id == case.institution_id:
        return True
    return viewer.has_role(Role.OFFICER) and case.precinct_id in viewer.precinct_ids


def require_case_manager(viewer: Viewer, case: Case) -> None:
    if not may_manage_case(viewer, case):
        raise PermissionDenied(_("You may not change this case."))


def may_execute_measure(viewer: Viewer, measure: Measure) -> bool:
    """The responsible organisation executes a measure (a partner, or the institution's own staff)."""
    if viewer.is_partner and viewer.organisation_id == measure.organisation_id:
        return True
    return viewer.is_staff_reader and viewer.institution_id is not None and (
        viewer.institution_id == measure.organisation_id
    ) and not viewer.has_role(Role.SUPERVISOR)


def institution_territory(institution_id: int) -> Q:
    """Filter of `Precinct`: the territory an institution serves — the precincts of its officers and the
    precincts of the district it is registered in."""
    return Q(officer__institution_id=institution_id) | Q(district__organisations__pk=institution_id)


def in_institution_territory(institution_id: int, precinct_id: int) -> bool:
    return Precinct.objects.filter(institution_territory(institution_id), pk=precinct_id).exists()


def may_work_in_precinct(viewer: Viewer, precinct_id: int) -> bool:
    """Whether the viewer registers households and persons, and runs registrations, in this precinct:
    an officer in its own precincts, a coordinator in its institution's territory, an admin anywhere."""
    if viewer.is_admin:
        return True
    if viewer.has_role(Role.OFFICER) and precinct_id in viewer.precinct_ids:
        return True
    return bool(viewer.has_role(Role.COORDINATOR) and viewer.institution_id
                and in_institution_territory(viewer.institution_id, precinct_id))
