"""What the case services share: the one change helper, today's date, the states a case is under way in,
and the scoped loading of a case or measure for a change."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import case_scope, require_case_manager
from portal.cases.models import Case, Measure
from portal.cases.selectors import measures_for
from portal.core.errors import Conflict, NotFound
from portal.core.statements import Compiled, StatementCache, compile_query, save_fields
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.partners.selectors import organisations_working_on

M = TypeVar("M", bound=models.Model)

ACTIVE_CASE_STATUSES = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)


def today() -> dt.date:
    return timezone.localdate()


def change(
    obj: M, values: dict[str, Any], *, viewer: Viewer, verb: str, action: str = AuditEvent.Action.UPDATE,
    details: dict[str, Any] | None = None,
) -> M:
    """The one way the case services change a stored object: snapshot the fields named in `values` → set them →
    bump the version of a versioned object (case, measure) → save only the fields whose value changed (with the
    version and `auto_now` stamps) → one audit record of the difference. `values` use attribute names
    (`organisation_id`, not `organisation`)."""
    versioned = isinstance(obj, Case | Measure)
    names = list(values) + (["version"] if versioned and "version" not in values else [])
    before = audit.snapshot(obj, names)
    for name, value in values.items():
        setattr(obj, name, value)
    if isinstance(obj, Case | Measure):
        obj.version += 1
    after = audit.snapshot(obj, names)
    changed = [name for name in names if before[name] != after[name]]
    if changed:
        stamps = [field.attname for field in obj._meta.concrete_fields if getattr(field, "auto_now", False)]
        save_fields(obj, [*changed, *stamps], using=transaction.get_connection().alias)
    audit.record_changed(viewer=viewer, verb=verb, obj=obj, before=before, action=action, details=details)
    return obj


def case_for_update(viewer: Viewer, case_id: int, version: int | None = None) -> Case:
    """The case, locked, if it is in the viewer's scope and the viewer manages it; a stale `version` is a
    Conflict carrying the current case. A case outside the scope is reported like a missing one."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case not found."))
    scope = case_scope(viewer)
    if scope is None or not Case.objects.filter(scope, pk=case_id).exists():
        raise NotFound(_("Case not found."))
    require_case_manager(viewer, case)
    if version is not None and case.version != version:
        raise Conflict(_("The case was changed by someone else. Review the current state and try again."),
                       current=case)
    return case


#: The locking read of `measure_for_update`, compiled once per (viewer, day, shape, database): building and compiling
#: the scoped, joined, annotated queryset cost several times its execution (issue 18). Keyed by the frozen Viewer
#: (its roles, organisation, institution and precincts decide the scope) and the day (agreements in force); the
#: measure's id is the one value that changes.
_locking_reads: StatementCache[Compiled] = StatementCache(kept=256)


def _locking_read(viewer: Viewer, measure_id: int, *, with_case: bool) -> QuerySet[Measure]:
    measures = measures_for(viewer).filter(pk=measure_id)
    if with_case:
        working = Organisation.objects.filter(organisations_working_on(today()), pk=OuterRef("organisation_id"))
        measures = (measures.select_related("case__precinct", "organisation")
                    .annotate(organisation_works=Exists(working)).select_for_update(of=("self", "case")))
    else:
        measures = measures.select_for_update(of=("self",))
    return measures.order_by("pk")[:1]


def _locked_measure(viewer: Viewer, measure_id: int, *, with_case: bool) -> Measure | None:
    """The one row of `_locking_read`, from its compiled statement (compiled on first use for this key)."""
    wrapper = transaction.get_connection()
    if wrapper.get_autocommit():  # as Django's compiler says of any select_for_update outside a transaction
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    statement = _locking_reads.get(
        (viewer, today(), with_case),
        lambda: compile_query(lambda pk: _locking_read(viewer, pk, with_case=with_case), marked=1,
                              using=wrapper.alias),
        using=wrapper.alias)
    if statement is None:  # not the shape expected: the queryset as it is
        return _locking_read(viewer, measure_id, with_case=with_case).first()
    rows = statement.instances([measure_id])
    return rows[0] if rows else None


def measure_for_update(viewer: Viewer, measure_id: int, version: int, *, with_case: bool = False) -> Measure:
    """The measure, locked, if the viewer sees it (`selectors.measures_for`, in the WHERE of the one locking
    statement); a stale `version` is a Conflict. `with_case`: its case is locked by the same statement and its
    precinct and organisation read with it (the reports ledger writes its fact from them, with no read of its
    own), annotated `organisation_works` (an institution, or a partner with an agreement on interaction in force
    today). The statement is compiled once per viewer and day (`_locked_measure`)."""
    measure = _locked_measure(viewer, measure_id, with_case=with_case)
    if measure is None:
        raise NotFound(_("Measure not found."))
    if measure.version != version:
        raise Conflict(_("The measure was changed by someone else. Review its current state and try again."),
                       current=measure)
    return measure
