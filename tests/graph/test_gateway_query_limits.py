"""The gateway's document limits (graph.limits): a fragment bomb is measured in work linear in its length and
refused with a typed error at every depth; the query cost (fields × page sizes) is bounded; the limits walk has a
budget. Wall times are measured in benchmarks/limits_bench.py (tests assert on work, not on time)."""

from __future__ import annotations

import itertools
import threading

import pytest
from graphql import parse

from graph.limits import DocumentLimits
from portal.core.viewer import Viewer

ANON = Viewer.anonymous()


def bomb(levels: int, leaf: str = "__typename") -> str:
    """`fragment F0 on Query { ...F1 ...F1 } …`: a few hundred bytes expanding to 2^levels fields."""
    parts = ["query Bomb { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "\n".join(parts)


def _limits(document: str, **kwargs: object) -> DocumentLimits:
    from graph.schema import schema

    limits = DocumentLimits(schema._schema, parse(document), **kwargs)  # type: ignore[arg-type]
    limits.errors()
    return limits


def test_fragment_bomb_work_is_linear_in_its_length() -> None:
    work = [_limits(bomb(levels)).work for levels in range(1, 41)]
    steps = {later - earlier for earlier, later in itertools.pairwise(work)}
    assert steps == {2}, work  # each level adds its two spreads: nothing is expanded
    assert work[-1] < 100
    # The measures themselves are those of the expansion (saturating, never computed by expanding).
    measured = _limits(bomb(40, "a: __typename"))
    operation = measured.operation(measured.document.definitions[0])  # type: ignore[arg-type]
    assert (operation.depth, operation.aliases, operation.cost) == (0, 2**40, 2**40)


def test_fragment_bomb_is_a_typed_refusal_at_every_depth(db, gql) -> None:
    answers: dict[int, object] = {}

    def run() -> None:
        for levels in range(1, 41):
            answers[levels] = gql(ANON, bomb(levels, "a: __typename"), language="en")

    # Before the limits were linear this took minutes from about 25 levels; the bound here is only a guard
    # against a hang (the speed itself is in benchmarks/limits_bench.py).
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), f"the bomb is still being checked after 120 s (reached {len(answers)} levels)"
    for levels, result in answers.items():
        if 2**levels <= 30:  # within the alias limit: answered
            assert result.errors == [] and result.data == {"a": "Query"}, (levels, result.errors)
            continue
        assert result.data is None and result.code == "query_too_complex", (levels, result.errors)
        assert {e["extensions"]["limit"] for e in result.errors} >= {"aliases"}
        assert any(e["message"].startswith("The query uses too many aliases") for e in result.errors)


def test_nested_fragments_cannot_hide_depth(db, gql, settings) -> None:
    settings.GRAPHQL_MAX_DEPTH = 3
    deep = ("{ ...A } fragment A on Query { cases { ...B } } fragment B on CaseConnection { nodes { ...C } } "
            "fragment C on Case { applicant { consents { id } } }")
    result = gql(ANON, deep)
    assert result.code == "query_too_complex" and result.errors[0]["extensions"]["limit"] == "depth"
    assert result.errors[0]["message"] == "Запрос слишком глубокий: допускается не более 3 уровней вложенности полей."
    cyclic = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert gql(ANON, cyclic).code == "graphql_validation"  # graphql-core's NoFragmentCyclesRule, no hang


def test_query_cost_counts_fields_times_page_sizes(world, gql, settings) -> None:
    settings.GRAPHQL_MAX_COST = 20000
    expensive = "query($n: Int) { cases(first: $n) { nodes { measures { history { changes { field } } } } } }"
    # nodes: n × (measures 1 + 10 × (history 1 + 10 × (changes 1 + 10 × field 1))) = n × 1111 (+1 for cases)
    assert _limits(expensive, variables={"n": 5}).operation(
        parse(expensive).definitions[0]).cost == 1 + 1 + 5 * 1111  # type: ignore[arg-type]
    assert gql(world.petrova, expensive, {"n": 5}).errors == []
    refused = gql(world.petrova, expensive, {"n": 100}, language="en")
    assert refused.data is None and refused.code == "query_too_complex"
    assert refused.errors[0]["extensions"]["limit"] == "cost"
    assert refused.errors[0]["message"] == ("The query asks for too much data at once (cost 111102, at most 20000): "
                                            "ask for smaller pages or fewer fields.")
    russian = gql(world.petrova, expensive, {"n": 100})
    assert russian.errors[0]["message"].startswith("Запрос требует слишком много данных сразу (стоимость 111102")
    # A page size above the maximum is counted at the maximum; a literal counts like a variable.
    literal = expensive.replace("query($n: Int) ", "").replace("$n", "100000")
    assert gql(world.petrova, literal).errors[0]["extensions"]["detail"] == \
        "cost 111102 exceeds the maximum cost 20000"
    # A partner client's list and detail documents (what the partner workspace asked for when it read through
    # the gateway) stay well within the default limit.
    for document, variables in ((PARTNER_LIST, {"first": 50}), (PARTNER_DETAIL, {"id": "1"})):
        limits = _limits(document, variables=variables)
        assert limits.operation(limits.document.definitions[0]).cost < 2000  # type: ignore[arg-type]


PARTNER_LIST = """query Workspace($first: Int, $after: String, $filter: MeasureFilter) {
  viewer { displayName organisation { name } }
  myMeasures(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id version task kindLabel deadline status statusLabel overdue isOpen caseCode place }
  }
}"""

PARTNER_DETAIL = """query WorkspaceMeasure($id: ID!) {
  measure(id: $id) {
    id version task content kindLabel deadline place status statusLabel overdue isOpen canReport result doneOn
    notFulfilledReason cancelReason responsiblePerson caseCode organisation { name }
    recipient { sharedFields firstName lastName middleName birthDate phone address district }
    history { at actionLabel verb actorName actorOrganisation refused refusedLabel
              changes { field label beforeLabel afterLabel } }
    comments { author authorOrganisation text createdAt }
  }
}"""

def test_the_limits_walk_has_a_budget(db, gql, settings) -> None:
    settings.GRAPHQL_VALIDATION_BUDGET = 50
    wide = "{ " + " ".join(f"d{i}: districts {{ code }}" for i in range(30)) + " }"  # 60 steps
    result = gql(ANON, wide, language="en")
    assert result.code == "query_too_complex" and result.errors[0]["extensions"]["limit"] == "budget"
    assert result.errors[0]["message"] == "The query is too complex to check: simplify it or split it into several."


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
def test_bomb_over_http_is_refused_and_the_server_keeps_answering(live_world, portal_server, accept) -> None:
    import httpx

    with httpx.Client(base_url=portal_server.url, timeout=30) as client:
        response = client.post("/graphql", json={"query": bomb(40)}, headers={"Accept": accept})
        assert response.status_code == (400 if accept.startswith("application/graphql") else 200)
        assert response.headers["content-type"].startswith(accept)
        body = response.json()
        assert body["errors"][0]["extensions"] == {"code": "query_too_complex", "limit": "cost",
                                                   "detail": "cost 1099511627776 exceeds the maximum cost 50000"}
        assert client.get("/healthz").status_code == 200


def test_cms_graphql_measures_the_bomb_linearly_and_bounds_the_document(db, client, settings) -> None:
    """/cms/graphql (graphene) already walked fragments once (cms.graphql_limits); its documents are now bounded
    in tokens too, since graphql-core's overlapping-fields rule is quadratic in repeated fields."""

    def post(query: str) -> dict:
        response = client.post("/cms/graphql", {"query": query}, content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code in (200, 400)
        return response.json()

    assert post(bomb(40)) == {"data": {"__typename": "Query"}}  # 2^40 merged fields, executed in linear time
    aliased = post(bomb(40, "a: __typename"))
    assert [e["extensions"]["code"] for e in aliased["errors"]] == ["TOO_MANY_ALIASES"]
    repeated = post("{ " + "__typename " * 20000 + "}")  # 220 kB: 4 s of validation before
    assert [e["extensions"]["code"] for e in repeated["errors"]] == ["QUERY_TOO_LONG"]
    assert repeated["errors"][0]["message"] == (
        f"Запрос слишком длинный: допускается не более {settings.GRAPHQL_MAX_TOKENS} лексем.")
