"""Quarterly monitoring with the survey (link, paper), small-cell suppression, the social passport, and the files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client

from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.partners.models import Agreement, ServiceCapacity
from portal.reports import exports, selectors, services
from portal.reports.figures import SMALL_CELL_TEXT
from portal.reports.models import SurveyResponse
from portal.testing import factories as f
from tests.reports import fixtures as fx

pytestmark = pytest.mark.django_db
SUPERVISOR = f.viewer_with(Role.SUPERVISOR)


def _closed_case(viewer: Viewer, world: fx.World, opened: dt.date, closed: dt.date, outcome: str,
                 circumstances: list[str]) -> int:
    case = fx._case(viewer, world.a, world.precinct, opened, circumstances)
    fx._assign(viewer, case, world.school, "social", closed, opened)
    fx._approve(viewer, case, opened)
    measure = case.measures.get()
    fx._fulfil(f.partner(world.school), measure, closed)
    return fx.close(viewer, case, closed, outcome).pk


@pytest.fixture
def quarter() -> tuple[fx.World, list[int]]:
    """Q3 2026 at institution A: four cases closed (3 resolved, 1 improved); two families answered."""
    world = fx.build_october()
    coord = world.coord_a
    cases = [
        _closed_case(coord, world, dt.date(2026, 7, 1), dt.date(2026, 8, 10), "resolved", ["debts", "abuse"]),
        _closed_case(coord, world, dt.date(2026, 7, 2), dt.date(2026, 8, 20), "resolved", ["debts", "no_housing"]),
        _closed_case(coord, world, dt.date(2026, 7, 3), dt.date(2026, 9, 1), "resolved", ["debts"]),
        _closed_case(coord, world, dt.date(2026, 7, 4), dt.date(2026, 9, 15), "improved", ["debts"]),
    ]
    with fx.at(dt.date(2026, 8, 10), hour=15):
        invitation = services.issue_survey_link(viewer=coord, case_id=cases[0], agreed_to_contact=True)
    with fx.at(dt.date(2026, 8, 12)):
        services.answer_survey(viewer=Viewer.anonymous(), token=invitation.token, satisfaction=5,
                               resolved_circumstances=["debts"], own_words="Спасибо")
    with fx.at(dt.date(2026, 9, 1), hour=15):
        services.enter_survey_response(viewer=coord, case_id=cases[1], channel="paper", satisfaction=3,
                                       resolved_circumstances=["debts", "no_housing"], answered_on=dt.date(2026, 9, 1))
    return world, cases


def test_quarterly_monitoring_hand_computed_and_suppressed(quarter: tuple[fx.World, list[int]]) -> None:
    report = selectors.get_report(viewer=SUPERVISOR, kind="quarterly", period="2026-Q3", institution="kcson-a")
    row = report.table("institutions").rows[0]
    assert (row["closed"], row["closed_resolved"], row["closed_improved"], row["surveyed"]) == (4, 3, 1, 2)
    assert (row["surveyed_share"], row["satisfaction"], row["resolved_share"]) == (50.0, 4.0, 75.0)
    shared = selectors.get_report(viewer=SUPERVISOR, kind="quarterly", period="2026-Q3", institution="kcson-a",
                                  shared=True)
    cells = shared.table("institutions").rows[0]
    assert (cells["closed"], cells["closed_resolved"], cells["closed_refused"]) == (4, 3, 0)
    assert cells["closed_improved"] == cells["surveyed"] == SMALL_CELL_TEXT
    assert cells["satisfaction"] == cells["surveyed_share"] == cells["resolved_share"] == SMALL_CELL_TEXT
    assert shared.charts == []
    book = _xlsx(exports.to_xlsx(shared))
    sheet = book["institutions"]
    header = [cell.value for cell in sheet[5]]
    values = dict(zip(header, [cell.value for cell in sheet[6]], strict=True))
    assert values["Завершено сопровождение семей, всего"] == 4 and values["Анкетировано семей"] == "<3"


def test_survey_link_is_one_time_and_expires(quarter: tuple[fx.World, list[int]]) -> None:
    world, cases = quarter
    with fx.at(dt.date(2026, 9, 15), hour=15):
        with pytest.raises(ValidationFailed):
            services.issue_survey_link(viewer=world.coord_a, case_id=cases[3], agreed_to_contact=False)
        link = services.issue_survey_link(viewer=world.coord_a, case_id=cases[3], agreed_to_contact=True)
        with pytest.raises(InvalidTransition):  # answered already by paper
            services.issue_survey_link(viewer=world.coord_a, case_id=cases[1], agreed_to_contact=True)
        with pytest.raises(PermissionDenied):
            services.issue_survey_link(viewer=world.coord_b, case_id=cases[3], agreed_to_contact=True)
    assert (link.expires_at - link.issued_at).days == 60
    with fx.at(dt.date(2026, 11, 15)):  # 61 days later
        with pytest.raises(NotFound):
            services.answer_survey(viewer=Viewer.anonymous(), token=link.token, satisfaction=4,
                                   resolved_circumstances=[])
    with fx.at(dt.date(2026, 9, 20)):
        with pytest.raises(ValidationFailed) as bad:
            services.answer_survey(viewer=Viewer.anonymous(), token=link.token, satisfaction=4,
                                   resolved_circumstances=["abuse"])
        assert bad.value.field == "resolved_circumstances"
        services.answer_survey(viewer=Viewer.anonymous(), token=link.token, satisfaction=4,
                               resolved_circumstances=["debts"])
        with pytest.raises(NotFound):
            services.answer_survey(viewer=Viewer.anonymous(), token=link.token, satisfaction=4,
                                   resolved_circumstances=[])
    assert SurveyResponse.objects.get(case_id=cases[3]).channel == "link"


def test_public_survey_page_keeps_input_on_error(quarter: tuple[fx.World, list[int]]) -> None:
    world, cases = quarter
    link = services.issue_survey_link(viewer=world.coord_a, case_id=cases[2], agreed_to_contact=True)
    client = Client()
    page = client.get(f"/survey/{link.token}/")
    assert page.status_code == 200 and 'value="debts"' in page.content.decode()
    refused = client.post(f"/survey/{link.token}/", {"own_words": "Помогли с долгами"})
    assert refused.status_code == 400 and "Помогли с долгами" in refused.content.decode()
    done = client.post(f"/survey/{link.token}/", {"satisfaction": "4", "resolved": ["debts"]})
    assert done.status_code == 200
    assert client.get(f"/survey/{link.token}/").status_code == 404
    assert client.get("/survey/unknown-token/").status_code == 404


def test_social_passport_hand_computed() -> None:
    urban = f.district(code="city", name="Город", kind="urban", population=50_000)
    rural = f.district(code="rural", name="Село", kind="rural", population=20_000)
    kcson = f.organisation(kind="social_service", code="kcson-city", name="КЦСОН города", district_obj=urban)
    one, two = f.officer(institution=kcson, full_name="Первая"), f.officer(institution=kcson, full_name="Второй")
    p1 = f.precinct(district_obj=urban, number=1, population=9_000, officer=one)
    f.precinct(district_obj=urban, number=2, population=6_000, officer=one)
    f.precinct(district_obj=urban, number=3, population=5_000)  # vacant
    f.precinct(district_obj=rural, number=1, population=12_000, officer=two)
    f.precinct(district_obj=rural, number=2, population=4_000, officer=one)
    school = f.organisation(kind="school", district_obj=urban)
    Agreement.objects.create(organisation=school, number="1", signed_on=dt.date(2020, 1, 1))
    f.organisation(kind="healthcare", district_obj=rural)
    ServiceCapacity.objects.create(organisation=kcson, help_kind="urgent", unit="beds", maximum=12, available=3)
    coord = f.coordinator(kcson)
    # Two families in support in the city: debts + abuse, and needs_medical_help; one closed family.
    for day, circumstances in ((dt.date(2026, 10, 1), ["debts", "abuse"]), (dt.date(2026, 10, 2),
                                                                             ["needs_medical_help"])):
        case = fx._case(coord, kcson, p1, day, circumstances)
        fx._assign(coord, case, school, "social", dt.date(2026, 12, 1), day)
        fx._approve(coord, case, day)
    closed = fx._case(coord, kcson, p1, dt.date(2026, 10, 3), ["debts"])
    measure = fx._assign(coord, closed, school, "social", dt.date(2026, 10, 20), dt.date(2026, 10, 3))
    fx._approve(coord, closed, dt.date(2026, 10, 3))
    fx._fulfil(f.partner(school), measure, dt.date(2026, 10, 10))
    fx.close(coord, closed, dt.date(2026, 10, 11))
    households_before = 3  # one per case (fixtures create a household for each)

    report = selectors.get_report(viewer=SUPERVISOR, kind="passport", period="2026-10")
    territory = {row["district"]: row for row in report.table("territory").rows}
    city, village = territory["Город"], territory["Село"]
    assert (city["population"], city["precincts"], city["vacant"], city["officers"]) == (50_000, 3, 1, 1)
    # Первая: 9,000/10,000 + 6,000/10,000 + 4,000/8,000 = 2.0 posts; Второй: 12,000/8,000 = 1.5.
    assert (city["load"], city["over_norm"], village["officers"], village["load"]) == (2.0, 1, 1, 1.5)
    assert (city["households"], city["open_cases"], village["open_cases"]) == (households_before, 2, 0)
    total = report.table("territory").total
    assert (total["population"], total["precincts"], total["vacant"], total["officers"], total["load"]) == (
        70_000, 5, 1, 2, 1.75)
    officers = {row["officer"]: row for row in report.table("officers").rows}
    assert (officers["Первая"]["residents"], officers["Первая"]["load"], officers["Первая"]["precincts"]) == (
        19_000, 2.0, 3)
    needs = {row["district"]: row for row in report.table("needs").rows}["Город"]
    assert (needs["income"], needs["interpersonal"], needs["health"], needs["housing"]) == (50.0, 50.0, 50.0, 0.0)
    households = {row["district"]: row for row in report.table("households").rows}["Город"]
    assert households["households"] == 3
    partners = {row["district"]: row for row in report.table("partners").rows}
    assert (partners["Город"]["school"], partners["Город"]["social_service"], partners["Село"]["healthcare"]) == (
        1, 1, 1)
    resources = report.table("resources").rows
    assert [(r["organisation"], r["unit"], r["maximum"], r["available"]) for r in resources] == [
        ("КЦСОН города", "койки", 12, 3)]
    # A coordinator reads its institution's district; another district is refused.
    own = selectors.get_report(viewer=coord, kind="passport", period="2026-10")
    assert [row["district"] for row in own.table("territory").rows] == ["Город"]
    with pytest.raises(PermissionDenied):
        selectors.get_report(viewer=coord, kind="passport", period="2026-10", district="rural")


def _xlsx(data: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_files_open(quarter: tuple[fx.World, list[int]]) -> None:
    report = selectors.get_report(viewer=SUPERVISOR, kind="monthly", period="2026-10")
    book = _xlsx(exports.to_xlsx(report))
    sheet = book["institutions"]
    assert sheet.freeze_panes == "A6"
    assert sheet["A5"].value == "№ п/п" and sheet["B5"].value == "Наименование учреждения"
    first = [cell.value for cell in sheet[6]]
    assert first[1] == "КЦСОН «А»" and first[2] == 2 and isinstance(first[2], int)
    text = exports.to_csv(report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == selectors.MONTHLY_TITLE
    assert any(row[:3] == ["1", "КЦСОН «А»", "2"] for row in rows)
    assert json.loads(exports.to_json(report))["tables"][0]["rows"][0]["need_identified"] == 2
    from pypdf import PdfReader

    passport = selectors.get_report(viewer=SUPERVISOR, kind="passport", period="2026-10")
    pdf = PdfReader(io.BytesIO(exports.to_pdf(passport)))
    assert len(pdf.pages) == len(passport.tables)  # a page per table, each small enough for one page
    first_page = pdf.pages[0].extract_text()
    assert "Социальный паспорт территории" in first_page
    monthly_pdf = PdfReader(io.BytesIO(exports.to_pdf(report)))
    assert len(monthly_pdf.pages) == 1 and "КЦСОН" in monthly_pdf.pages[0].extract_text()
