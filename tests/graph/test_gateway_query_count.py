"""The number of SQL queries of `myMeasures` does not depend on the page size (dataloaders)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.cases.models import Measure

QUERY = """query($first: Int!) { myMeasures(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id version task status caseCode deadline overdue organisation { code name }
          recipient { firstName district } history { verb actorName changes { field after } }
          comments { text author } case { code } } } }"""


def _more_measures(world, count: int) -> None:
    base = Measure.objects.get(pk=world.m_school.pk)
    Measure.objects.bulk_create([
        Measure(programme_id=base.programme_id, case_id=base.case_id, task=f"Занятие {n}", kind="pedagogical",
                deadline=timezone.localdate() + dt.timedelta(days=n % 40), organisation_id=world.school.pk,
                shared_fields=["first_name", "district"])
        for n in range(count)
    ])


def _count(gql, viewer, first: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        result = gql(viewer, QUERY, {"first": first})
    assert result.errors == []
    return len(captured.captured_queries), len(result.data["myMeasures"]["nodes"])


def test_query_count_independent_of_page_size(world, gql):
    _more_measures(world, 70)
    for viewer in (world.partner(world.school), world.petrova):
        small, small_rows = _count(gql, viewer, 3)
        large, large_rows = _count(gql, viewer, 60)
        assert (small_rows, large_rows) == (3, 60) or viewer is world.petrova
        assert small == large, f"{small} queries for 3 rows, {large} for 60"
        assert large <= 12
