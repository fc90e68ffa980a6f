"""Property (hypothesis): for random organisations, cases and assignments, nothing returned under organisation
A's viewer — lists, single objects, totals, error messages — belongs to organisation B, and `myMeasures`
equals a direct database filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.cases.models import Measure
from portal.testing import factories

STATUSES = ("assigned", "accepted", "fulfilled", "not_fulfilled", "cancelled")
KINDS = ("medical", "psychological", "pedagogical", "legal", "material")
WORDS = ("Консультация", "Занятие", "Помощь", "Беседа", "Обследование")
TODAY = dt.date(2026, 6, 15)

measures_st = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.sampled_from(STATUSES),
                                 st.sampled_from(KINDS), st.integers(-30, 30), st.sampled_from(WORDS)),
                       min_size=1, max_size=25)
filter_st = st.fixed_dictionaries({}, optional={
    "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True),
    "overdue": st.booleans(),
    "due_before": st.integers(-30, 30),
    "kind": st.sampled_from(KINDS),
    "text": st.sampled_from((*WORDS, "занят", "ZZZ")),
})

QUERY = """query($filter: MeasureFilter, $first: Int, $after: String) {
  myMeasures(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id task caseCode organisation { code name } recipient { firstName lastName district }
            history { actorName actorOrganisation } comments { author authorOrganisation } } } }"""


def expected_ids(org_id: int, wanted: dict[str, Any]) -> set[int]:
    """The direct database filter (written independently of the selectors)."""
    rows = Measure.objects.filter(organisation_id=org_id)
    if "status" in wanted:
        rows = rows.filter(status__in=wanted["status"])
    open_overdue = Q(status__in=("assigned", "accepted"), deadline__lt=TODAY)
    if wanted.get("overdue") is True:
        rows = rows.filter(open_overdue)
    elif wanted.get("overdue") is False:
        rows = rows.exclude(open_overdue)
    if "due_before" in wanted:
        rows = rows.filter(deadline__lte=TODAY + dt.timedelta(days=wanted["due_before"]))
    if "kind" in wanted:
        rows = rows.filter(kind=wanted["kind"])
    if "text" in wanted:
        needle = wanted["text"]
        rows = rows.filter(Q(task__icontains=needle) | Q(content__icontains=needle) | Q(case__code__icontains=needle))
    return set(rows.values_list("pk", flat=True))


def as_graphql_filter(wanted: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "status" in wanted:
        result["status"] = [s.upper() for s in wanted["status"]]
    if "overdue" in wanted:
        result["overdue"] = wanted["overdue"]
    if "due_before" in wanted:
        result["dueBefore"] = (TODAY + dt.timedelta(days=wanted["due_before"])).isoformat()
    if "kind" in wanted:
        result["kind"] = wanted["kind"].upper()
    if "text" in wanted:
        result["text"] = wanted["text"]
    return result


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(assignments=measures_st, wanted=filter_st, viewer_index=st.integers(0, 3), page=st.sampled_from([1, 3, 100]))
def test_organisation_sees_exactly_its_own(world, gql, monkeypatch, assignments, wanted, viewer_index, page) -> None:
    from portal.cases import selectors

    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    try:
        with transaction.atomic():
            orgs = [factories.organisation(kind="ngo", code=f"org-{n}", name=f"Организация-{n}",
                                           district_obj=world.precinct_own.district) for n in range(4)]
            cases = [world.case_own, world.case_other]
            Measure.objects.bulk_create([
                Measure(programme_id=cases[case].programme.pk,
                        case_id=cases[case].pk, task=f"{word} для {orgs[org].name}", kind=kind,
                        deadline=TODAY + dt.timedelta(days=shift), organisation_id=orgs[org].pk, status=status,
                        shared_fields=["first_name", "district"])
                for org, case, status, kind, shift, word in assignments
            ])
            me = orgs[viewer_index]
            others = [org for org in orgs if org.pk != me.pk]
            viewer = world.partner(me)
            variables = {"filter": as_graphql_filter(wanted) or None, "first": page}
            seen: list[dict[str, Any]] = []
            total = None
            after = None
            while True:
                result = gql(viewer, QUERY, {**variables, "after": after})
                assert result.errors == []
                connection = result.data["myMeasures"]
                total = connection["totalCount"] if total is None else total
                assert connection["totalCount"] == total
                seen.extend(connection["nodes"])
                if not connection["pageInfo"]["hasNextPage"]:
                    break
                after = connection["pageInfo"]["endCursor"]
            ids = {int(node["id"]) for node in seen}
            assert ids == expected_ids(me.pk, wanted)
            assert total == len(ids) == len(seen)
            text = str(seen)
            for other in others:
                assert other.name not in text and other.code not in text
            assert {node["organisation"]["code"] for node in seen} <= {me.code}
            # Another organisation's measure is exactly as absent as a measure that does not exist.
            missing = gql(viewer, "query($id: ID!) { measure(id: $id) { task } }", {"id": "987654321"})
            for other_id in Measure.objects.exclude(organisation_id=me.pk).values_list("pk", flat=True)[:5]:
                refused = gql(viewer, "query($id: ID!) { measure(id: $id) { task organisation { name } } }",
                              {"id": str(other_id)})
                assert refused.data is None and refused.code == missing.code == "not_found"
                assert refused.errors[0]["message"] == missing.errors[0]["message"]
                assert all(other.name not in str(refused.errors) for other in others)
            raise _Rollback
    except _Rollback:
        pass
