"""Reports on a fixture with known events (tests/reports/fixtures.py): exact figures, reproducibility, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Case
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.reports import selectors, services
from portal.reports.figures import Report
from portal.reports.models import LedgerEvent, Submission
from portal.testing import factories as f
from tests.reports.fixtures import World, at, build_october

pytestmark = pytest.mark.django_db

SUPERVISOR = f.viewer_with(Role.SUPERVISOR)
ADMIN = f.viewer_with(Role.ADMIN)


@pytest.fixture
def world() -> World:
    return build_october()


def _rows(report: Report, table: str, key: str) -> dict[str, dict]:
    return {str(row[key]): row for row in report.table(table).rows}


def test_monthly_report_hand_computed(world: World) -> None:
    report = selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-10")
    rows = _rows(report, "institutions", "institution")
    a, b = rows["КЦСОН «А»"], rows["КЦСОН «Б»"]
    assert (a["need_identified"], a["enrolled"], a["active_end"]) == (2, 2, 1)
    assert (a["measures_done"], a["measures_pedagogical"], a["measures_medical"], a["measures_social"]) == (2, 1, 1, 0)
    assert (a["closed"], a["closed_resolved"], a["closed_improved"]) == (1, 1, 0)
    assert a["not_fulfilled"] == 1 and a["note"] == "не удалось связаться с получателем — 1"
    assert (b["need_identified"], b["enrolled"], b["active_end"], b["measures_done"], b["measures_medical"]) == (
        0, 0, 1, 1, 1)
    assert report.table("institutions").total["measures_done"] == 3
    assert report.deadline == "2026-11-10" and not report.draft
    # Columns of the statutory form, in Russian.
    labels = [c.label for c in report.table("institutions").columns]
    assert labels[1] == "Наименование учреждения" and labels[2].startswith("Выявленная потребность")
    assert any(label.startswith("Количество граждан, зачисленных") for label in labels)
    # September: case 3 enrolled at B and still active at the end.
    september = _rows(selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-09"), "institutions",
                      "institution")
    assert (september["КЦСОН «Б»"]["enrolled"], september["КЦСОН «Б»"]["active_end"]) == (1, 1)
    trend = next(chart for chart in report.charts if chart.key == "trend")
    assert trend.labels[-1] == "10.2026" and trend.datasets[0]["data"][-1] == 2


def test_partner_performance_hand_computed(world: World) -> None:
    report = selectors.get_report(viewer=SUPERVISOR, kind="partners", period="2026-10")
    rows = _rows(report, "organisations", "organisation")
    school, hospital = rows["Школа № 1"], rows["ЦРБ"]
    assert (school["assigned"], school["accepted_3d"], school["accepted_3d_share"]) == (3, 1, 33.3)
    assert (school["on_time"], school["late"], school["not_fulfilled"], school["returned"]) == (1, 0, 1, 0)
    assert school["not_fulfilled_cannot_contact"] == 1
    assert school["median_days"] == 13.0 and school["overdue"] == 1  # m4: deadline 30 Oct, still open
    assert (hospital["assigned"], hospital["accepted_3d"], hospital["on_time"], hospital["late"]) == (1, 0, 1, 1)
    assert hospital["median_days"] == 12.5 and hospital["overdue"] == 0  # m2: 10 days, m5: 15 days
    # The partner sees its own row only; coordinator B the partners of B's cases only.
    own = selectors.get_report(viewer=f.partner(world.school), kind="partners", period="2026-10")
    assert [row["organisation"] for row in own.table("organisations").rows] == ["Школа № 1"]
    assert own.table("organisations").rows[0]["assigned"] == 3
    of_b = selectors.get_report(viewer=world.coord_b, kind="partners", period="2026-10")
    assert [(r["organisation"], r["assigned"], r["on_time"]) for r in of_b.table("organisations").rows] == [
        ("ЦРБ", 0, 1)]
    # Overdue "now" is as of the moment: on 25 Oct m4 was not yet overdue.
    with at(dt.date(2026, 10, 25), hour=12):
        on_25th = selectors.compute_report(viewer=SUPERVISOR, kind="partners", period="2026-10")
    assert _rows(on_25th, "organisations", "organisation")["Школа № 1"]["overdue"] == 0
    assert on_25th.draft


def test_submitted_report_stays_while_a_fresh_draft_follows_edits(world: World) -> None:
    submission = services.submit_report(viewer=world.coord_a, kind="monthly", period="2026-10")
    assert submission.submitted_by_name == "Петрова Т." and submission.scope == "kcson-a"
    with pytest.raises(InvalidTransition):
        services.submit_report(viewer=world.coord_a, kind="monthly", period="2026-10")
    # Later, case 2 is closed with a date in October: the submitted report does not change, a fresh draft does.
    world.m4.refresh_from_db()
    case_services.cancel_measure(viewer=world.coord_a, measure_id=world.m4.pk, version=world.m4.version,
                                 reason="Не требуется")
    case_services.record_monitoring_inspection(viewer=world.coord_a, case_id=world.case2.pk,
                                               inspected_on=dt.date(2026, 10, 27), findings="Динамика есть")
    world.case2.refresh_from_db()
    case_services.close_case(viewer=world.coord_a, case_id=world.case2.pk, version=world.case2.version,
                             closed_on=dt.date(2026, 10, 28), outcome="improved", results="Итоги",
                             recommendations="Обращаться при необходимости")
    submitted = selectors.get_report(viewer=world.coord_a, kind="monthly", period="2026-10")
    fresh = selectors.get_report(viewer=world.coord_a, kind="monthly", period="2026-10", fresh=True)
    assert submitted.submitted_by == "Петрова Т."
    assert (submitted.table("institutions").rows[0]["closed"], submitted.table("institutions").rows[0]["active_end"]
            ) == (1, 1)
    assert (fresh.table("institutions").rows[0]["closed"], fresh.table("institutions").rows[0]["active_end"]) == (2, 0)
    assert fresh.table("institutions").rows[0]["closed_improved"] == 1
    # Recomputed as of the submission, the figures are those submitted.
    again = selectors.compute_report(viewer=world.coord_a, kind="monthly", period="2026-10",
                                     as_of=submission.as_of)
    assert again.table("institutions").rows == Report.from_json(submission.figures).table("institutions").rows


def test_current_month_is_a_draft_that_cannot_be_submitted(world: World) -> None:
    month = timezone.localdate().strftime("%Y-%m")
    draft = selectors.get_report(viewer=world.coord_a, kind="monthly", period=month)
    assert draft.draft and draft.submitted_at is None
    with pytest.raises(InvalidTransition):
        services.submit_report(viewer=world.coord_a, kind="monthly", period=month)
    with pytest.raises(PermissionDenied):
        services.submit_report(viewer=SUPERVISOR, kind="monthly", period="2026-10", institution="kcson-a")
    assert not Submission.objects.exists()


def test_scope_and_bad_input(world: World) -> None:
    with pytest.raises(PermissionDenied):
        selectors.get_report(viewer=world.coord_a, kind="monthly", period="2026-10", institution="kcson-b")
    only_a = selectors.get_report(viewer=world.coord_a, kind="monthly", period="2026-10")
    assert [row["institution"] for row in only_a.table("institutions").rows] == ["КЦСОН «А»"]
    for viewer in (f.partner(world.school), f.officer_viewer(world.a, {world.precinct.pk}), f.viewer_with(Role.EDITOR)):
        with pytest.raises(PermissionDenied):
            selectors.get_report(viewer=viewer, kind="monthly", period="2026-10")
    with pytest.raises(PermissionDenied):
        selectors.get_report(viewer=f.viewer_with(Role.OFFICER), kind="partners", period="2026-10")
    with pytest.raises(ValidationFailed) as bad:
        selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-13")
    assert bad.value.field == "period"
    with pytest.raises(NotFound):
        selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-10", institution="nowhere")
    with pytest.raises(ValidationFailed):
        selectors.get_report(viewer=SUPERVISOR, kind="quarterly", period="2026-10")


def test_ledger_is_append_only(world: World) -> None:
    from portal.reports.models import LedgerImmutableError

    event = LedgerEvent.objects.first()
    assert event is not None
    with pytest.raises(LedgerImmutableError):
        event.save()
    with pytest.raises(LedgerImmutableError):
        LedgerEvent.objects.all().delete()
    from django.db import connection, transaction

    if connection.vendor == "postgresql":  # the database refuses it too (raw SQL, other clients)
        from django.db.utils import DatabaseError

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE reports_ledgerevent SET reason = reason WHERE id = %s", [event.pk])


def test_opening_balance_of_bulk_loaded_data(world: World) -> None:
    from portal.reports.ledger import open_ledger

    assert open_ledger() == 0  # everything came through services: nothing to add
    case = Case.objects.get(pk=world.case3.pk)
    bulk = Case.objects.create(code="BULK-1", household=case.household, applicant=case.applicant,
                               precinct=case.precinct, institution=world.b, registered_on=dt.date(2026, 10, 1),
                               started_on=dt.date(2026, 10, 2), status=Case.Status.IN_PROGRESS)
    assert open_ledger() == 1
    rows = _rows(selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-10"), "institutions",
                 "institution")
    assert (rows["КЦСОН «Б»"]["enrolled"], rows["КЦСОН «Б»"]["active_end"]) == (1, 2)
    assert LedgerEvent.objects.filter(case_id=bulk.pk).count() == 1


def test_reassigned_measure_moves_between_organisations(world: World) -> None:
    """m4 (school, deadline 30 Oct) is reassigned to the hospital on 1 Nov: the school no longer has it overdue,
    the hospital has it assigned in November and overdue."""
    world.m4.refresh_from_db()
    with at(dt.date(2026, 11, 1)):
        case_services.reassign_measure(viewer=world.coord_a, measure_id=world.m4.pk, version=world.m4.version,
                                       organisation_id=world.hospital.pk, reason="Школа не справляется")
    with at(dt.date(2026, 10, 31), hour=12):
        before = _rows(selectors.compute_report(viewer=SUPERVISOR, kind="partners", period="2026-11"),
                       "organisations", "organisation")
    assert before["Школа № 1"]["overdue"] == 1 and "ЦРБ" not in before
    rows = _rows(selectors.get_report(viewer=SUPERVISOR, kind="partners", period="2026-11"), "organisations",
                 "organisation")
    assert rows["ЦРБ"]["assigned"] == 1 and rows["ЦРБ"]["overdue"] == 1
    assert "Школа № 1" not in rows  # nothing assigned, done or overdue in November any more
    october = _rows(selectors.get_report(viewer=SUPERVISOR, kind="partners", period="2026-10", fresh=True),
                    "organisations", "organisation")
    assert october["Школа № 1"]["assigned"] == 3  # it was assigned to the school in October
