"""Issue 16, item 4: the statutory clock of a case (seed 003 §6) enforced by the services — a lapsed term, the
extension (decided in time, with the citizen's wish, 12 months at most), the monitoring inspection that extending
or closing rests on, the programme change at the interim review with its versions, and the date arithmetic at
the edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.models import Case, CollegialDecision, Measure, ProgrammeVersion
from portal.cases.terms import REVIEW_AFTER_MONTHS, add_months, latest_end, monitoring_window
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.partners.models import Organisation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)
START = dt.date(2026, 1, 31)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZONE)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(_noon(dt.date(2026, 7, 25)), tick=False) as traveller:
        yield traveller


def _started_case(start: dt.date = START, *, term_months: int = 6) -> tuple[f.CaseWorld, Measure, Organisation]:
    """A case whose support started on `start`, with one measure of a school."""
    school = f.organisation(kind="school")
    world = f.registered_case(registered_on=start - dt.timedelta(days=5))
    measure = s.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Консультация",
                               kind="pedagogical", deadline=start + dt.timedelta(days=60), organisation_id=school.pk)
    world.case = s.approve_programme(viewer=world.coordinator, case_id=world.case.pk, decided_on=start,
                                     protocol_number="1/26", participants="Консилиум", term_months=term_months)
    return world, Measure.objects.get(pk=measure.pk), school


def _extend(world: f.CaseWorld, ends_on: dt.date, decided_on: dt.date, **overrides: object) -> Case:
    case = Case.objects.get(pk=world.case.pk)
    arguments: dict[str, object] = {
        "viewer": world.coordinator, "case_id": case.pk, "version": case.version, "ends_on": ends_on,
        "decided_on": decided_on, "protocol_number": "9/26", "participants": "МВРГ",
        "wish_on": decided_on - dt.timedelta(days=2), "wish": "Прошу продлить: лечение не закончено"}
    arguments.update(overrides)
    return s.extend_case(**arguments)  # type: ignore[arg-type]


# --- Date arithmetic at the edges ----------------------------------------------------

def test_end_of_month_start_ends_on_the_last_day_and_review_clamps() -> None:
    assert add_months(dt.date(2026, 1, 31), 6) == dt.date(2026, 7, 31)
    assert add_months(dt.date(2026, 1, 31), REVIEW_AFTER_MONTHS) == dt.date(2026, 4, 30)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert latest_end(dt.date(2026, 1, 31)) == dt.date(2027, 1, 31)


def test_leap_years() -> None:
    assert add_months(dt.date(2024, 2, 29), 6) == dt.date(2024, 8, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)  # no 29 February in 2025
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)  # 2028 is a leap year
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert latest_end(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_monitoring_window_is_the_last_30_days_up_to_the_decision() -> None:
    assert monitoring_window(dt.date(2026, 7, 31), dt.date(2026, 7, 25)) == (dt.date(2026, 7, 1),
                                                                           dt.date(2026, 7, 25))


def test_approval_on_31_january_sets_the_term_and_review(frozen: time_machine.Traveller) -> None:
    world, _measure, _school = _started_case()
    assert (world.case.started_on, world.case.ends_on, world.case.review_due_on) == (
        START, dt.date(2026, 7, 31), dt.date(2026, 4, 30))


def test_twelve_months_from_31_january_and_not_a_day_more(frozen: time_machine.Traveller) -> None:
    world, _measure, _school = _started_case()
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 7, 20),
                                   findings="Семья просит продолжить сопровождение")
    with pytest.raises(InvalidTransition) as refused:
        _extend(world, dt.date(2027, 2, 1), dt.date(2026, 7, 25))
    assert "31.01.2027" in str(refused.value)
    case = _extend(world, dt.date(2027, 1, 31), dt.date(2026, 7, 25))
    assert case.status == Case.Status.EXTENDED and case.ends_on == dt.date(2027, 1, 31)


def test_leap_day_start_extends_to_28_february(frozen: time_machine.Traveller) -> None:
    frozen.move_to(_noon(dt.date(2024, 8, 20)))
    world, _measure, _school = _started_case(dt.date(2024, 2, 29))
    assert world.case.ends_on == dt.date(2024, 8, 29) and world.case.review_due_on == dt.date(2024, 5, 29)
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2024, 8, 1),
                                   findings="Нужда сохраняется")
    with pytest.raises(InvalidTransition):
        _extend(world, dt.date(2025, 3, 1), dt.date(2024, 8, 20))
    assert _extend(world, dt.date(2025, 2, 28), dt.date(2024, 8, 20)).ends_on == dt.date(2025, 2, 28)


# --- Lapsed term --------------------------------------------------------------------

def test_a_term_ended_without_a_decision_is_lapsed_and_partners_cannot_report(frozen: time_machine.Traveller) -> None:
    world, measure, school = _started_case()
    frozen.move_to(_noon(dt.date(2026, 8, 3)))
    case = Case.objects.get(pk=world.case.pk)
    assert case.is_lapsed(dt.date(2026, 8, 3)) and case.lapsed_now and not case.is_lapsed(dt.date(2026, 7, 31))
    assert list(selectors.lapsed_cases(viewer=world.coordinator)) == [case]
    assert list(selectors.find_cases(world.coordinator, lapsed_term=True)) == [case]
    assert list(selectors.find_cases(world.coordinator, lapsed_term=False)) == []
    assert list(selectors.staff_dashboard(viewer=world.coordinator)["terms_lapsed"]) == [case]
    partner = f.partner(school)
    with pytest.raises(InvalidTransition) as refused:
        s.accept_measure(viewer=partner, measure_id=measure.pk, version=measure.version)
    assert "31.07.2026" in str(refused.value)
    with pytest.raises(InvalidTransition):
        s.fulfil_measure(viewer=partner, measure_id=measure.pk, version=measure.version, result="Сделано")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb="measure.accept").exists()
    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.ASSIGNED


def test_the_lapse_message_in_russian(frozen: time_machine.Traveller) -> None:
    from django.utils import translation

    _world, measure, school = _started_case()
    frozen.move_to(_noon(dt.date(2026, 8, 3)))
    with translation.override("ru"), pytest.raises(InvalidTransition) as refused:
        s.accept_measure(viewer=f.partner(school), measure_id=measure.pk, version=measure.version)
    assert str(refused.value) == "срок сопровождения истёк 31.07.2026: продлите или закройте"


def test_before_the_end_partners_report(frozen: time_machine.Traveller) -> None:
    world, measure, school = _started_case()
    assert not Case.objects.get(pk=world.case.pk).lapsed_now
    assert s.accept_measure(viewer=f.partner(school), measure_id=measure.pk,
                            version=measure.version).status == Measure.Status.ACCEPTED


# --- Extension ----------------------------------------------------------------------

def test_extension_decided_after_the_term_ended_is_refused(frozen: time_machine.Traveller) -> None:
    world, _measure, _school = _started_case()
    frozen.move_to(_noon(dt.date(2026, 8, 5)))
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 7, 28),
                                   findings="Инспектирование")
    with pytest.raises(InvalidTransition) as refused:
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 8, 1))
    assert "31.07.2026" in str(refused.value)
    refusals = selectors.case_action_refusals(viewer=world.coordinator, case=Case.objects.get(pk=world.case.pk))
    assert refusals["extend"] and "31.07.2026" in refusals["extend"]
    # A decision taken in time and recorded later still counts.
    assert _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 30)).status == Case.Status.EXTENDED


def test_extension_records_the_citizens_wish_and_the_decision(frozen: time_machine.Traveller) -> None:
    world, _measure, _school = _started_case()
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 7, 10),
                                   findings="Инспектирование")
    with pytest.raises(ValidationFailed) as refused:
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25), wish_on=None)
    assert refused.value.field == "wish_on"
    with pytest.raises(ValidationFailed) as refused:
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25), wish=" ")
    assert refused.value.field == "wish"
    with pytest.raises(ValidationFailed) as refused:
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25), wish_on=dt.date(2026, 7, 26))
    assert refused.value.field == "wish_on"
    _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25))
    decision = CollegialDecision.objects.get(case=world.case, subject=CollegialDecision.Subject.EXTENSION)
    assert (decision.citizen_wish_on, decision.citizen_wish, decision.protocol_number) == (
        dt.date(2026, 7, 23), "Прошу продлить: лечение не закончено", "9/26")


def test_extension_and_closing_need_a_monitoring_inspection_of_the_last_30_days(
        frozen: time_machine.Traveller) -> None:
    world, measure, _school = _started_case()
    with pytest.raises(InvalidTransition) as refused:
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25))
    assert "01.07.2026" in str(refused.value) and "25.07.2026" in str(refused.value)
    # Too early: 20 June is outside the last 30 days of a term ending on 31 July (or closed on 25 July).
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 6, 20),
                                   findings="Рано")
    with pytest.raises(InvalidTransition):
        _extend(world, dt.date(2026, 10, 31), dt.date(2026, 7, 25))
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Не нужна")
    case = Case.objects.get(pk=world.case.pk)
    with pytest.raises(InvalidTransition):
        s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version, closed_on=dt.date(2026, 7, 25),
                     outcome=Case.Outcome.RESOLVED, results="Итог", recommendations="Нет")
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 7, 1),
                                   findings="Ситуация разрешена")
    case = s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                        closed_on=dt.date(2026, 7, 25), outcome=Case.Outcome.RESOLVED, results="Итог",
                        recommendations="Нет")
    assert case.status == Case.Status.CLOSED


def test_early_closing_rests_on_an_inspection_of_the_30_days_before_it(frozen: time_machine.Traveller) -> None:
    world, measure, _school = _started_case()
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Не нужна")
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 5, 20),
                                   findings="Доход восстановлен")
    case = Case.objects.get(pk=world.case.pk)
    with pytest.raises(InvalidTransition):  # 20 May is not within 30 days before 25 June
        s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version, closed_on=dt.date(2026, 6, 25),
                     outcome=Case.Outcome.RESOLVED, results="Итог", recommendations="Нет")
    assert s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                        closed_on=dt.date(2026, 6, 1), outcome=Case.Outcome.RESOLVED, results="Итог",
                        recommendations="Нет").status == Case.Status.CLOSED


def test_a_lapsed_case_is_closed_on_an_inspection_made_after_the_end(frozen: time_machine.Traveller) -> None:
    world, measure, _school = _started_case()
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Не нужна")
    frozen.move_to(_noon(dt.date(2026, 8, 10)))
    s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk, inspected_on=dt.date(2026, 8, 7),
                                   findings="Семья справляется")
    case = Case.objects.get(pk=world.case.pk)
    assert s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                        closed_on=dt.date(2026, 8, 10), outcome=Case.Outcome.IMPROVED, results="Итог",
                        recommendations="Нет").status == Case.Status.CLOSED
    assert not Case.objects.get(pk=case.pk).lapsed_now


def test_closing_without_an_inspection_when_the_citizen_refused_or_the_case_never_started(
        frozen: time_machine.Traveller) -> None:
    world, measure, _school = _started_case()
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Отказ")
    case = Case.objects.get(pk=world.case.pk)
    assert s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                        closed_on=dt.date(2026, 3, 1), outcome=Case.Outcome.REFUSED, results="Отказ",
                        recommendations="—").status == Case.Status.CLOSED
    draft = f.registered_case(registered_on=dt.date(2026, 7, 1)).case
    assert s.close_case(viewer=f.coordinator(draft.institution), case_id=draft.pk, version=draft.version,
                        closed_on=dt.date(2026, 7, 20), outcome=Case.Outcome.RESOLVED, results="Итог",
                        recommendations="Нет").status == Case.Status.CLOSED


def test_monitoring_inspection_refusals(frozen: time_machine.Traveller) -> None:
    world, _measure, _school = _started_case()
    with pytest.raises(ValidationFailed):
        s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk,
                                       inspected_on=dt.date(2026, 7, 26), findings="Будущее")
    with pytest.raises(ValidationFailed):
        s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk,
                                       inspected_on=dt.date(2026, 1, 30), findings="До начала")
    with pytest.raises(ValidationFailed):
        s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk,
                                       inspected_on=dt.date(2026, 7, 20), findings=" ")
    other = f.coordinator(f.organisation(kind="social_service"))
    with pytest.raises(NotFound):
        s.record_monitoring_inspection(viewer=other, case_id=world.case.pk, inspected_on=dt.date(2026, 7, 20),
                                       findings="Чужое")
    with pytest.raises(PermissionDenied):
        s.record_monitoring_inspection(viewer=f.viewer_with(Role.SUPERVISOR), case_id=world.case.pk,
                                       inspected_on=dt.date(2026, 7, 20), findings="Только чтение")
    draft = f.registered_case(registered_on=dt.date(2026, 7, 1)).case
    with pytest.raises(InvalidTransition):
        s.record_monitoring_inspection(viewer=f.coordinator(draft.institution), case_id=draft.pk,
                                       inspected_on=dt.date(2026, 7, 20), findings="Ещё не начато")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb="case.monitoring_inspection").count() == 3
    inspection = s.record_monitoring_inspection(viewer=world.coordinator, case_id=world.case.pk,
                                                inspected_on=dt.date(2026, 7, 20), findings="Инспектирование")
    assert inspection.inspector and AuditEvent.objects.filter(
        verb="case.monitoring_inspection", action=AuditEvent.Action.CREATE).exists()


# --- Programme change at the interim review, versions ---------------------------------

def test_programme_change_at_review_needs_a_collegial_decision_and_keeps_a_version(
        frozen: time_machine.Traveller) -> None:
    world, measure, school = _started_case()
    programme = world.case.programme
    first = ProgrammeVersion.objects.get(programme=programme)
    assert (first.number, first.reason, [row["task"] for row in first.measures]) == (
        1, ProgrammeVersion.Reason.APPROVAL, ["Консультация"])
    with pytest.raises(ValidationFailed) as refused:
        s.record_review(viewer=world.coordinator, case_id=world.case.pk, reviewed_on=dt.date(2026, 4, 30),
                        findings="Нужна юридическая помощь", programme_changed=True)
    assert refused.value.field == "decided_on"
    with pytest.raises(ValidationFailed) as refused:
        s.record_review(viewer=world.coordinator, case_id=world.case.pk, reviewed_on=dt.date(2026, 4, 30),
                        findings="Нужна юридическая помощь", programme_changed=True, decided_on=dt.date(2026, 5, 2),
                        protocol_number="4/26", participants="Консилиум", summary="")
    assert refused.value.field == "summary"
    s.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Юридическая консультация", kind="legal",
                     deadline=dt.date(2026, 6, 1), organisation_id=school.pk)
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Не нужна")
    review = s.record_review(viewer=world.coordinator, case_id=world.case.pk, reviewed_on=dt.date(2026, 4, 30),
                             findings="Нужна юридическая помощь", programme_changed=True,
                             decided_on=dt.date(2026, 5, 2), protocol_number="4/26", participants="Консилиум",
                             summary="Консультация педагога отменена, добавлена юридическая")
    assert review.programme_changed
    decision = CollegialDecision.objects.get(case=world.case, subject=CollegialDecision.Subject.CHANGE)
    versions = list(ProgrammeVersion.objects.filter(programme=programme).order_by("number"))
    assert [(v.number, v.reason) for v in versions] == [
        (1, ProgrammeVersion.Reason.APPROVAL), (2, ProgrammeVersion.Reason.MEASURE_ADDED),
        (3, ProgrammeVersion.Reason.MEASURE_CANCELLED), (4, ProgrammeVersion.Reason.REVIEW)]
    assert versions[1].changes == ["+ Юридическая консультация"]
    assert versions[2].changes == ["~ Консультация: status: assigned → cancelled"] and versions[2].author
    # The review's version carries the collegial decision that adopted the changes already versioned.
    assert versions[3].decision == decision and versions[3].author and versions[3].changes == []
    # A review that changes nothing needs no decision and keeps no version.
    s.record_review(viewer=world.coordinator, case_id=world.case.pk, reviewed_on=dt.date(2026, 7, 20),
                    findings="Без изменений")
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 4


def test_cancelling_or_reassigning_a_measure_of_an_approved_programme_keeps_a_version(
        frozen: time_machine.Traveller) -> None:
    """Issue 16: a measure cancelled or reassigned after approval is a programme change like any other: a version
    with who, when and what changed (the organisation, the status), shown on the case card."""
    world, measure, school = _started_case()
    programme = world.case.programme
    police = f.organisation(kind="police", name="ОМВД Заречный")
    reassigned = s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                    organisation_id=police.pk, reason="Профиль полиции")
    version = ProgrammeVersion.objects.filter(programme=programme).order_by("-number").first()
    assert version is not None
    assert (version.number, version.reason) == (2, ProgrammeVersion.Reason.MEASURE_REASSIGNED)
    assert version.author == world.coordinator.audit_name[:200] and version.created_at
    assert version.changes == [f"~ Консультация: organisation: {school.name} → {police.name}"]
    assert [row["organisation"] for row in version.measures] == [police.name]
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=reassigned.version,
                     reason="Семья отказалась")
    version = ProgrammeVersion.objects.filter(programme=programme).order_by("-number").first()
    assert version is not None
    assert (version.number, version.reason) == (3, ProgrammeVersion.Reason.MEASURE_CANCELLED)
    assert version.changes == ["~ Консультация: status: assigned → cancelled"]
    # A refused cancel (the measure is no longer open) keeps no version.
    with pytest.raises(InvalidTransition):
        s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk,
                         version=Measure.objects.get(pk=measure.pk).version, reason="Ещё раз")
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 3


def test_cancelling_or_reassigning_a_measure_of_a_draft_programme_keeps_no_version() -> None:
    world = f.registered_case()
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    measure = s.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Консультация", kind="legal",
                               deadline=world.case.registered_on + dt.timedelta(days=40), organisation_id=school.pk)
    measure = s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                 organisation_id=police.pk, reason="Профиль")
    s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version, reason="Не нужна")
    assert not ProgrammeVersion.objects.exists()


def test_a_draft_programme_keeps_no_versions() -> None:
    world = f.registered_case()
    s.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Консультация", kind="legal",
                     deadline=world.case.registered_on + dt.timedelta(days=40),
                     organisation_id=f.organisation(kind="school").pk)
    assert not ProgrammeVersion.objects.exists()


def test_a_versions_changes_read_in_the_users_language() -> None:
    """The card tells what changed with translated field names and statuses and dd.mm.yyyy dates; the stored
    `changes` keep the raw values."""
    from django.utils import translation

    from portal.cases.services.versions import readable_changes

    before = [{"id": 1, "task": "Беседа", "kind": "legal", "deadline": "2026-03-01", "organisation": "Школа",
               "status": "assigned"}]
    after = [{**before[0], "deadline": "2026-03-15", "status": "cancelled"},
             {"id": 2, "task": "Консультация", "kind": "legal", "deadline": "2026-04-01", "organisation": "ОМВД",
              "status": "assigned"}]
    with translation.override("ru"):
        assert readable_changes(before, after) == [
            "+ Консультация", "~ Беседа: срок исполнения 01.03.2026 → 15.03.2026; статус назначено → отменено"]
    with translation.override("en"):
        assert readable_changes(before, after)[1] == (
            "~ Беседа: deadline 01.03.2026 → 15.03.2026; status assigned → cancelled")
