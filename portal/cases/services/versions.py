"""Versions of an approved programme (редакции ИПССС): every change of an approved programme — approval, a measure
added, cancelled or reassigned, a change at the interim review, measures cancelled by a transfer — keeps a version
with who, when, why and what changed (one line per measure). Its own module so that the measure and transfer
services reach it without importing the programme services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portal.cases.models import CollegialDecision, Measure, Programme, ProgrammeVersion
from portal.core.viewer import Viewer


def _measure_rows(programme: Programme) -> list[dict[str, object]]:
    return [{"id": m.pk, "task": m.task, "kind": m.kind, "deadline": m.deadline.isoformat(),
             "organisation": m.organisation.name, "status": m.status}
            for m in programme.measures.select_related("organisation").order_by("deadline", "id")]


#: The fields of a measure whose change a version tells.
_TOLD = ("task", "organisation", "deadline", "status")


def _diff(before: list[dict[str, object]], after: list[dict[str, object]],
          ) -> Iterator[tuple[str, str, list[tuple[str, object, object]]]]:
    """(sign, task, [(field, old, new)]) per measure added (+), removed (−) or changed (~)."""
    old = {row["id"]: row for row in before}
    new = {row["id"]: row for row in after}
    yield from (("+", str(row["task"]), []) for key, row in new.items() if key not in old)
    yield from (("−", str(row["task"]), []) for key, row in old.items() if key not in new)
    for key, row in new.items():
        if key in old:
            diff = [(name, old[key][name], row[name]) for name in _TOLD if old[key][name] != row[name]]
            if diff:
                yield "~", str(old[key]["task"]), diff


def _changes(before: list[dict[str, object]], after: list[dict[str, object]]) -> list[str]:
    """One line per measure added, removed or changed (task, organisation, deadline, status), as stored."""
    return [f"{sign} {task}" + (": " + "; ".join(f"{name}: {was} → {now}" for name, was, now in diff) if diff else "")
            for sign, task, diff in _diff(before, after)]


def _field_label(name: str) -> str:
    field = Measure._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _shown(name: str, value: object) -> str:
    if name == "status":
        return str(Measure.Status(value).label) if value in Measure.Status.values else str(value)
    if name == "deadline" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return str(value)


def readable_changes(before: list[dict[str, object]], after: list[dict[str, object]]) -> list[str]:
    """What changed between two versions' measures, in the active language (field names and statuses
    translated, dates as dd.mm.yyyy), for the case card; the stored `changes` keep the raw values."""
    return [f"{sign} {task}" + (": " + "; ".join(
        f"{_field_label(name)} {_shown(name, was)} → {_shown(name, now)}"
        for name, was, now in diff) if diff else "")
        for sign, task, diff in _diff(before, after)]


def record_programme_version(
    *, viewer: Viewer, programme: Programme, reason: str, decision: CollegialDecision | None = None,
) -> ProgrammeVersion:
    """Keep a version of an approved programme (редакция ИПССС): the measures as they are now and what changed
    since the previous version. Called by the services that change the programme, inside their transaction."""
    previous = programme.versions.order_by("-number").first()
    rows = _measure_rows(programme)
    return ProgrammeVersion.objects.create(
        programme=programme, number=(previous.number + 1) if previous else 1, reason=reason, decision=decision,
        author=viewer.audit_name[:200], measures=rows, changes=_changes(previous.measures if previous else [], rows))


def record_measure_change(*, viewer: Viewer, measure: Measure, reason: str) -> ProgrammeVersion | None:
    """A version after a measure of an approved programme was cancelled or reassigned (none for a draft)."""
    programme = Programme.objects.get(pk=measure.programme_id)
    if programme.status != Programme.Status.APPROVED:
        return None
    return record_programme_version(viewer=viewer, programme=programme, reason=reason)
