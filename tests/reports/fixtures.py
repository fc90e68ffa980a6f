"""A small region with known events at known times, for hand-computed report figures.

October 2026 (all times 10:00 local):
- institution A (kcson-a): signals confirmed on 5 Oct ×2 (a third stays unconfirmed);
  case 1 registered 1 Oct, measures m1 (school, pedagogical, deadline 20 Oct) and m2 (hospital, medical, deadline
  10 Oct) assigned 2 Oct, support started 2 Oct; m1 accepted 4 Oct, fulfilled 15 Oct (on time); m2 accepted 8 Oct
  (6 days), fulfilled 12 Oct (late); case 1 closed 25 Oct, resolved.
  case 2 registered 3 Oct, m3 (school, social, deadline 9 Oct) and m4 (school, legal, deadline 30 Oct) assigned
  3 Oct, started 3 Oct; m3 not fulfilled 20 Oct; m4 never done (overdue from 31 Oct).
- institution B (kcson-b): case 3 registered and started 20 Sep, m5 (hospital, medical, deadline 31 Oct)
  assigned 20 Sep, accepted 21 Sep, fulfilled 5 Oct.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from django.utils import timezone

from portal.cases import services as cs
from portal.cases.models import Case, Consent, Measure
from portal.core.viewer import Viewer
from portal.partners.models import Agreement, Organisation
from portal.territory.models import District, Precinct
from portal.testing import factories as f


@contextlib.contextmanager
def at(day: dt.date, hour: int = 10) -> Iterator[dt.datetime]:
    """Run the portal's clock at `day hour:00` local time (services' "today" and the audit trail's time)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with mock.patch.object(timezone, "now", return_value=moment):
        yield moment


def _agreement(org: Organisation) -> None:
    Agreement.objects.create(organisation=org, number=f"С-{org.pk}", signed_on=dt.date(2020, 1, 1))


@dataclass
class World:
    district: District
    precinct: Precinct
    a: Organisation
    b: Organisation
    school: Organisation
    hospital: Organisation
    coord_a: Viewer
    coord_b: Viewer
    case1: Case
    case2: Case
    case3: Case
    m4: Measure


def _case(viewer: Viewer, institution: Organisation, precinct: Precinct, day: dt.date,
          circumstances: list[str] | None = None) -> Case:
    with at(day):
        household = cs.create_household(viewer=viewer, precinct_id=precinct.pk, address="г. Заречный, ул. Мира, 1")
        person = cs.create_person(viewer=viewer, household_id=household.pk, last_name="Орлова", first_name="Анна")
        cs.record_consent(viewer=viewer, person_id=person.pk, purpose=Consent.Purpose.PROCESSING, given_on=day)
        return cs.register_case(viewer=viewer, applicant_id=person.pk, household_id=household.pk,
                                precinct_id=precinct.pk, institution_id=institution.pk, registered_on=day,
                                categories=["low_income"], need_circumstances=circumstances or ["debts"])


def _assign(viewer: Viewer, case: Case, org: Organisation, kind: str, deadline: dt.date, day: dt.date) -> Measure:
    with at(day):
        return cs.assign_measure(viewer=viewer, case_id=case.pk, task=f"Мероприятие {kind}", kind=kind,
                                 deadline=deadline, organisation_id=org.pk)


def _approve(viewer: Viewer, case: Case, day: dt.date) -> Case:
    with at(day):
        return cs.approve_programme(viewer=viewer, case_id=case.pk, decided_on=day, protocol_number="1/2026",
                                    participants="Куратор, участковый")


def _accept(viewer: Viewer, measure: Measure, day: dt.date) -> Measure:
    measure.refresh_from_db()
    with at(day):
        return cs.accept_measure(viewer=viewer, measure_id=measure.pk, version=measure.version)


def _fulfil(viewer: Viewer, measure: Measure, day: dt.date) -> Measure:
    measure.refresh_from_db()
    with at(day):
        return cs.fulfil_measure(viewer=viewer, measure_id=measure.pk, version=measure.version, result="Сделано",
                                 done_on=day)


def _signal(viewer: Viewer, day: dt.date, confirm: bool) -> None:
    with at(day):
        signal = cs.receive_signal(viewer=viewer, source="school", summary="Пропуски занятий")
        if confirm:
            cs.start_signal_check(viewer=viewer, signal_id=signal.pk)
            cs.record_inspection(viewer=viewer, signal_id=signal.pk, inspected_on=day, findings="Акт",
                                 need_circumstances=["debts"])
            cs.confirm_signal(viewer=viewer, signal_id=signal.pk)


def close(viewer: Viewer, case: Case, day: dt.date, outcome: str = "resolved") -> Case:
    case.refresh_from_db()
    with at(day):
        if case.started_on is not None:  # closing rests on a monitoring inspection (seed 003 §6.4)
            cs.record_monitoring_inspection(viewer=viewer, case_id=case.pk, inspected_on=day, findings="Итоги")
            case.refresh_from_db()
        return cs.close_case(viewer=viewer, case_id=case.pk, version=case.version, closed_on=day, outcome=outcome,
                             results="Итоги", recommendations="Обращаться при необходимости")


def build_october() -> World:
    district = f.district(code="zarech", name="Заречный район", kind="urban", population=50_000)
    a = f.organisation(kind="social_service", code="kcson-a", name="КЦСОН «А»", district_obj=district)
    b = f.organisation(kind="social_service", code="kcson-b", name="КЦСОН «Б»", district_obj=district)
    school = f.organisation(kind="school", code="school-1", name="Школа № 1", district_obj=district)
    hospital = f.organisation(kind="healthcare", code="crb", name="ЦРБ", district_obj=district)
    for org in (school, hospital):
        _agreement(org)
    precinct = f.precinct(district_obj=district, number=1, population=9_000,
                          officer=f.officer(institution=a))
    coord_a, coord_b = f.coordinator(a), f.coordinator(b)
    p_school, p_hospital = f.partner(school), f.partner(hospital)

    for confirm in (True, True, False):
        _signal(coord_a, dt.date(2026, 10, 5), confirm)

    case3 = _case(coord_b, b, precinct, dt.date(2026, 9, 20))
    m5 = _assign(coord_b, case3, hospital, "medical", dt.date(2026, 10, 31), dt.date(2026, 9, 20))
    case3 = _approve(coord_b, case3, dt.date(2026, 9, 20))
    _accept(p_hospital, m5, dt.date(2026, 9, 21))
    _fulfil(p_hospital, m5, dt.date(2026, 10, 5))

    case1 = _case(coord_a, a, precinct, dt.date(2026, 10, 1))
    m1 = _assign(coord_a, case1, school, "pedagogical", dt.date(2026, 10, 20), dt.date(2026, 10, 2))
    m2 = _assign(coord_a, case1, hospital, "medical", dt.date(2026, 10, 10), dt.date(2026, 10, 2))
    case1 = _approve(coord_a, case1, dt.date(2026, 10, 2))
    _accept(p_school, m1, dt.date(2026, 10, 4))
    _accept(p_hospital, m2, dt.date(2026, 10, 8))
    _fulfil(p_hospital, m2, dt.date(2026, 10, 12))
    _fulfil(p_school, m1, dt.date(2026, 10, 15))

    case2 = _case(coord_a, a, precinct, dt.date(2026, 10, 3))
    m3 = _assign(coord_a, case2, school, "social", dt.date(2026, 10, 9), dt.date(2026, 10, 3))
    m4 = _assign(coord_a, case2, school, "legal", dt.date(2026, 10, 30), dt.date(2026, 10, 3))
    case2 = _approve(coord_a, case2, dt.date(2026, 10, 3))
    m3.refresh_from_db()
    with at(dt.date(2026, 10, 20)):
        cs.report_measure_not_fulfilled(viewer=p_school, measure_id=m3.pk, version=m3.version,
                                        reason_code="cannot_contact", reason="Семья не открывает дверь")
    case1 = close(coord_a, case1, dt.date(2026, 10, 25))
    return World(district=district, precinct=precinct, a=a, b=b, school=school, hospital=hospital, coord_a=coord_a,
                 coord_b=coord_b, case1=case1, case2=case2, case3=case3, m4=m4)
