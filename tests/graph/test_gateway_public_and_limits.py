"""Public part of the gateway and its limits: depth, tokens, aliases, introspection, masking, rate limit,
printed schema."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from graph.context import GraphContext
from portal.core.viewer import Viewer
from portal.testing import factories

ANON = Viewer.anonymous()


def test_public_queries_for_anonymous(world, gql):
    street = factories.street(district_obj=world.precinct_own.district, name="Ленина")
    factories.address_range(street_obj=street, precinct_obj=world.precinct_own)
    result = gql(ANON, """{
      districts { code name precinctCount officerCount }
      precincts(districtCode: "zarechny-leninsky") { number officer { fullName phone } load { norm overNorm } }
      organisations(filter: {kind: "school"}) { code name helpKinds { value label } }
      organisation(code: "police-zarechny") { name kindLabel }
      findOfficer(address: "г. Заречный, улица Ленина, д. 5") { status officer { fullName } precinct { number } }
      streetSuggestions(prefix: "Лен") { title }
      viewer { signedIn roles }
    }""")
    assert result.errors == []
    data = result.data
    assert {d["code"] for d in data["districts"]} == {"zarechny-leninsky", "berezovsky"}
    assert data["precincts"] == [{"number": 1, "officer": {"fullName": "Иванова Марина Сергеевна",
                                                           "phone": "+7 (342) 200-11-01"},
                                  "load": {"norm": 10000, "overNorm": False}}]
    assert [o["code"] for o in data["organisations"]] == ["school-7"]
    assert data["organisation"]["name"] == "ОМВД по г. Заречному"
    assert data["findOfficer"] == {"status": "FOUND", "officer": {"fullName": "Иванова Марина Сергеевна"},
                                   "precinct": {"number": 1}}
    assert data["streetSuggestions"][0]["title"].endswith("Ленина")
    assert data["viewer"] == {"signedIn": False, "roles": []}


def test_public_part_shows_no_personal_data(world, gql):
    result = gql(ANON, "{ organisations { name contacts { fullName } } precincts { title } }")
    assert "Смирнова" not in str(result.data) and "Ольга" not in str(result.data)
    for query in ("{ cases { totalCount } }", "{ persons { totalCount } }", "{ signals { totalCount } }",
                  f'{{ measure(id: "{world.m_school.pk}") {{ task }} }}', "{ overdueMeasures { totalCount } }"):
        assert gql(ANON, query).code == "unauthenticated", query


def test_depth_limit(world, gql, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    deep = gql(world.petrova, "{ cases { nodes { applicant { consents { id } } } } }")
    assert deep.data is None and deep.code == "query_too_complex"
    assert deep.errors[0]["message"] == "Запрос слишком глубокий: допускается не более 3 уровней вложенности полей."
    assert gql(world.petrova, "{ cases { nodes { code } } }").errors == []


def test_alias_and_token_limits(world, gql, settings):
    settings.GRAPHQL_MAX_ALIASES = 3
    aliased = " ".join(f"d{i}: districts {{ code }}" for i in range(4))
    refused = gql(ANON, "{ " + aliased + " }")
    assert refused.data is None and refused.code == "query_too_complex"
    assert refused.errors[0]["extensions"]["limit"] == "aliases"
    settings.GRAPHQL_MAX_TOKENS = 20
    long_query = "{ " + " ".join(["districts { code name kind population centre }"] * 5) + " }"
    result = gql(ANON, long_query, language="en")
    assert result.data is None and result.code == "query_too_complex"
    assert result.errors[0]["message"] == "The query is too long: at most 20 tokens are allowed."


def test_introspection_only_in_debug(db):
    from graph.schema import build_schema

    query = "{ __schema { queryType { name } } }"
    context = GraphContext.for_viewer(ANON)
    production = async_to_sync(build_schema(debug=False).execute)(query, context_value=context)
    assert production.data is None and production.errors
    development = async_to_sync(build_schema(debug=True).execute)(query, context_value=context)
    assert development.errors is None and development.data["__schema"]["queryType"]["name"] == "Query"


def test_unexpected_errors_are_masked(world, gql, monkeypatch):
    from portal.territory import selectors

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("password=secret in /srv/db")

    monkeypatch.setattr(selectors, "districts_overview", broken)
    result = gql(ANON, "{ districts { code } }", language="en")
    assert result.code == "internal_error"
    assert "secret" not in str(result.errors)
    assert result.errors[0]["message"].startswith("Unexpected error")


def test_mutations_are_rate_limited_per_viewer(world, gql, settings):
    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 3
    school = world.partner(world.school, "A")
    comment = "mutation($id: ID!) { commentMeasure(id: $id, text: \"hello\") { text } }"
    codes = [gql(school, comment, {"id": str(world.m_school.pk)}).code for _ in range(4)]
    assert codes == ["ok", "ok", "ok", "rate_limited"]
    # Another viewer has its own budget; queries are not limited.
    assert gql(world.partner(world.school, "B"), comment, {"id": str(world.m_school.pk)}).code == "ok"
    assert gql(school, "{ myMeasures { totalCount } }").code == "ok"


def test_printed_schema_is_up_to_date(db):
    from graph.printing import SCHEMA_FILE, printed_schema

    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed_schema(), (
        "graph/schema.graphql is out of date: run `portal manage graphql_schema`")


@pytest.mark.parametrize("language,expected", [("ru", "Войдите"), ("en", "Sign in")])
def test_gate_messages_are_translated(db, gql, language, expected):
    result = gql(ANON, "{ myMeasures { totalCount } }", language=language)
    assert result.errors[0]["message"].startswith(expected)


def test_graphiql_only_in_debug(settings):
    from graph.app import create_graphql_app

    settings.DEBUG = False
    assert create_graphql_app().graphql_ide is None
    settings.DEBUG = True
    assert create_graphql_app().graphql_ide == "graphiql"
