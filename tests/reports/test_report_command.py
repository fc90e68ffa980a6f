"""`portal report …`: files written with the fixture's figures, refusals with their codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.cli import PASSTHROUGH
from tests.reports.fixtures import build_october

pytestmark = pytest.mark.django_db


def test_report_command_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_october()
    assert PASSTHROUGH["report"][0] == "report"
    target = tmp_path / "monthly.xlsx"
    call_command("report", "monthly", "--institution", "kcson-a", "--period", "2026-10", "--format", "xlsx",
                 "--output", str(target))
    from openpyxl import load_workbook

    sheet = load_workbook(target)["institutions"]
    assert [cell.value for cell in sheet[6]][1:4] == ["КЦСОН «А»", 2, 2]
    err = capsys.readouterr().err
    assert "report monthly" in err and "3/3" in err  # the progress bar ran to the end
    partners = tmp_path / "partners.json"
    call_command("report", "partners", "--period", "2026-10", "--output", str(partners), "--no-progress")
    rows = {row["organisation"]: row for row in json.loads(partners.read_text())["tables"][0]["rows"]}
    assert rows["Школа № 1"]["assigned"] == 3
    pdf = tmp_path / "passport.pdf"
    call_command("report", "passport", "--period", "2026-10", "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("arguments", "expected"), [
    (["monthly", "--period", "2026-13"], "validation_failed (period)"),
    (["monthly", "--period", "2026-10", "--institution", "nowhere"], "not_found"),
    (["quarterly", "--period", "2026-10"], "validation_failed (period)"),
])
def test_report_command_refusals(arguments: list[str], expected: str) -> None:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("report", *arguments, "--no-progress", stderr=err)
    assert exit_.value.code == 2 and err.getvalue().startswith(expected)


def test_report_command_scope_of_a_user(django_user_model: object) -> None:
    from django.contrib.auth.models import Group

    from portal.accounts.models import StaffProfile

    world = build_october()
    user = django_user_model.objects.create_user(username="coord-b", password="x")  # type: ignore[attr-defined]
    user.groups.add(Group.objects.get_or_create(name="coordinator")[0])
    StaffProfile.objects.create(user=user, organisation=world.b)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("report", "monthly", "--period", "2026-10", "--institution", "kcson-a", "--user", "coord-b",
                     "--no-progress", stderr=err)
    assert err.getvalue().startswith("forbidden")
