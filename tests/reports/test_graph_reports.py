"""GraphQL report queries, in-process: figures of the fixture, scope, bad input."""

from __future__ import annotations

import pytest

from portal.core.viewer import Role, Viewer
from portal.testing import factories as f
from tests.graph.support import execute
from tests.reports.fixtures import build_october

pytestmark = pytest.mark.django_db

MONTHLY = """query($period: String, $institution: String) { monthlyReport(period: $period, institution: $institution)
  { kind period draft deadline submittedAt scope tables { key columns { key label kind } rows total }
    charts { key } } }"""
PARTNERS = """query($period: String!) { partnerPerformance(period: $period) { scope tables { rows } } }"""
QUARTERLY = """query($period: String!) { quarterlyMonitoring(period: $period) { suppressed tables { rows } } }"""
PASSPORT = """query { socialPassport(period: "2026-10") { tables { key rows total } } }"""


def test_report_queries() -> None:
    world = build_october()
    result = execute(world.coord_a, MONTHLY, {"period": "2026-10"})
    assert result.code == "ok", result.errors
    report = result.data["monthlyReport"]
    assert (report["kind"], report["draft"], report["deadline"], report["scope"]) == ("monthly", False,
                                                                                     "2026-11-10", "kcson-a")
    row = report["tables"][0]["rows"][0]
    assert (row["institution"], row["need_identified"], row["enrolled"], row["active_end"]) == ("КЦСОН «А»", 2, 2, 1)
    assert report["tables"][0]["columns"][1]["label"] == "Наименование учреждения"
    own = execute(f.partner(world.school), PARTNERS, {"period": "2026-10"})
    assert [r["organisation"] for r in own.data["partnerPerformance"]["tables"][0]["rows"]] == ["Школа № 1"]
    supervisor = f.viewer_with(Role.SUPERVISOR)
    assert execute(supervisor, QUARTERLY, {"period": "2026-Q3"}).data["quarterlyMonitoring"]["suppressed"] is True
    passport = execute(supervisor, PASSPORT)
    assert passport.code == "ok" and passport.data["socialPassport"]["tables"][0]["rows"][0]["district"] == \
        "Заречный район"


def test_report_query_refusals() -> None:
    world = build_october()
    bad = execute(world.coord_a, MONTHLY, {"period": "2026-13"})
    assert bad.code == "validation_failed" and bad.errors[0]["extensions"]["field"] == "period"
    assert execute(world.coord_a, MONTHLY, {"period": "2026-10", "institution": "nowhere"}).code == "not_found"
    assert execute(world.coord_a, MONTHLY, {"period": "2026-10", "institution": "kcson-b"}).code == "forbidden"
    assert execute(f.partner(world.school), MONTHLY, {"period": "2026-10"}).code == "forbidden"
    assert execute(Viewer.anonymous(), MONTHLY, {"period": "2026-10"}).code == "unauthenticated"
