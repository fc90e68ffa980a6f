"""/graphql follows GraphQL over HTTP (graph.http): media types negotiated from Accept, status codes of
application/graphql-response+json for request errors, application/json kept for legacy clients, GET for queries
only (405 for a mutation), 415 for bodies that are not application/json in UTF-8, 400 for requests that are not
well-formed (bodies that are not a JSON object, invalid UTF-8, invalid or too deeply nested JSON, parameters of
the wrong type), 413 past the body limit, 406 when neither media type is acceptable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from portal.audit.models import AuditEvent
from portal.cases.models import Measure

GRAPHQL = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}


@pytest.fixture
def http(portal_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=portal_server.url, timeout=30) as client:
        yield client


def _post(http: httpx.Client, body: Any, *, accept: str | None = GRAPHQL, content: bytes | None = None,
          content_type: str | None = JSON, language: str = "ru", **headers: str) -> httpx.Response:
    sent = {"Accept-Language": language, **headers}
    if content_type is not None:
        sent["Content-Type"] = content_type
    request = http.build_request("POST", "/graphql", headers=sent,
                                 content=content if content is not None else json.dumps(body).encode())
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return http.send(request)


def _media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(("accept", "media"), [
    (GRAPHQL, GRAPHQL),
    (JSON, JSON),
    ("*/*", JSON),  # what legacy clients (curl, httpx, browsers' fetch) send
    ("application/*", JSON),
    (None, GRAPHQL),  # no Accept header: the specification's default since 2025-01-01
    (f"{GRAPHQL}, {JSON};q=0.9", GRAPHQL),
    (f"{GRAPHQL};q=0.1, {JSON}", JSON),
    (f"text/html, {GRAPHQL};charset=utf-8", GRAPHQL),
])
def test_media_type_is_negotiated(live_world, http, accept, media) -> None:
    response = _post(http, TYPENAME, accept=accept)
    assert response.status_code == 200 and _media(response) == media
    assert response.headers["content-type"].endswith("charset=utf-8")
    assert response.json() == {"data": {"__typename": "Query"}}


def test_no_acceptable_media_type_is_406(live_world, http) -> None:
    response = _post(http, TYPENAME, accept="text/html, application/xml")
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "not_acceptable"
    assert _post(http, TYPENAME, accept=f"{GRAPHQL};q=0, text/plain").status_code == 406


REQUEST_ERRORS = [
    ({"query": "{"}, "graphql_parse_failed"),  # document parsing failure
    ({"query": "{ nope }"}, "graphql_validation"),  # document validation failure
    ({"query": "query A { __typename } query B { __typename }"}, "graphql_validation"),  # no operation chosen
    ({"query": "query A { __typename }", "operationName": "Z"}, "graphql_validation"),  # unknown operation
    ({"query": "query($n: Int!) { cases(first: $n) { totalCount } }", "variables": {"n": "x"}},
     "bad_user_input"),  # variable coercion failure
    ({"query": "query($n: Int!) { cases(first: $n) { totalCount } }"}, "bad_user_input"),  # variable missing
    ({"query": "subscription { __typename }"}, "graphql_validation"),
]


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
def test_request_errors_are_400_without_data_for_graphql_response_json(live_world, http, body, code) -> None:
    response = _post(http, body)
    assert response.status_code == 400 and _media(response) == GRAPHQL
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code, answer


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
def test_request_errors_stay_200_for_application_json(live_world, http, body, code) -> None:
    response = _post(http, body, accept=JSON)
    assert response.status_code == 200 and _media(response) == JSON
    answer = response.json()
    assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("accept", [GRAPHQL, JSON])
def test_field_errors_are_200_with_the_data_entry(live_world, http, accept) -> None:
    response = _post(http, {"query": "{ districts { code } myMeasures { totalCount } }"}, accept=accept)
    assert response.status_code == 200
    answer = response.json()
    assert "data" in answer and answer["errors"][0]["extensions"]["code"] == "unauthenticated"


def test_get_runs_queries(live_world, http) -> None:
    response = http.get("/graphql", params={"query": "query($c: String!) { district(code: $c) { code } }",
                                            "variables": json.dumps({"c": "zarechny-leninsky"}),
                                            "operationName": ""}, headers={"Accept": GRAPHQL})
    assert response.status_code == 200 and _media(response) == GRAPHQL
    assert response.json() == {"data": {"district": {"code": "zarechny-leninsky"}}}
    legacy = http.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": JSON})
    assert legacy.status_code == 200 and _media(legacy) == JSON


def test_mutation_over_get_is_405_and_not_executed(live_world, gateway, http) -> None:
    token = gateway.token_for(live_world.partner(live_world.school))
    before = AuditEvent.objects.count()
    document = ("query Q { __typename } mutation M($id: ID!) { commentMeasure(id: $id, text: \"через GET\") { id } }")
    for accept in (GRAPHQL, JSON):
        response = http.get("/graphql", params={"query": document, "operationName": "M",
                                                "variables": json.dumps({"id": str(live_world.m_school.pk)})},
                            headers={"Accept": accept, "Authorization": f"Bearer {token}"})
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        assert response.json()["errors"][0]["extensions"]["code"] == "method_not_allowed"
    assert AuditEvent.objects.count() == before
    assert not Measure.objects.get(pk=live_world.m_school.pk).comments.exists()
    # The query of the same document may be run over GET.
    query = http.get("/graphql", params={"query": document, "operationName": "Q"}, headers={"Accept": GRAPHQL})
    assert query.status_code == 200 and query.json() == {"data": {"__typename": "Query"}}, query.text


@pytest.mark.parametrize("params", [
    {},  # no query
    {"query": "{ __typename }", "variables": "{not json"},
    {"query": "{ __typename }", "variables": "[1]"},
    {"query": "{ __typename }", "extensions": "\"x\""},
])
def test_malformed_get_requests_are_400(live_world, http, params) -> None:
    for accept in (GRAPHQL, JSON):
        response = http.get("/graphql", params=params, headers={"Accept": accept})
        assert response.status_code == 400, (params, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "bad_request"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/graphql",
                                          "application/json; charset=latin-1"])
def test_bodies_other_than_json_in_utf8_are_415(live_world, http, content_type) -> None:
    response = _post(http, TYPENAME, content_type=content_type)
    assert response.status_code == 415
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "unsupported_media_type"
    assert error["message"].startswith("Отправьте тело запроса как application/json")
    assert _post(http, TYPENAME, content_type="application/json; charset=UTF-8").status_code == 200


def _nested(levels: int) -> bytes:
    return b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * levels + b"]" * levels + b"}}"


MALFORMED = [
    (b'"{ __typename }"', "Тело запроса должно быть объектом JSON"),  # a string
    (b"42", "Тело запроса должно быть объектом JSON"),  # a number
    (b"null", "Тело запроса должно быть объектом JSON"),
    (b'[{"query": "{ __typename }"}]', "Пакеты операций не поддерживаются"),
    (b"", "Тело запроса пустое"),
    (b'{"query": ', "Некорректный JSON"),
    (b'{"query": "{ __typename }", "variables": {"x": NaN}}', "Некорректный JSON"),
    (b'{"query": "{ \xff__typename }"}', "Тело запроса не является корректным текстом в UTF-8"),
    (b'{"query": "{ \xed\xa0\x80 }"}', "Тело запроса не является корректным текстом в UTF-8"),  # CESU surrogate
    (_nested(100), "JSON запроса имеет слишком глубокую вложенность"),
    (_nested(200_000), "JSON запроса имеет слишком глубокую вложенность"),
    (b'{"qeury": "{ __typename }"}', "В запросе нет поля query"),
    (b'{"query": {"obj": 1}}', "Поле query должно быть строкой"),
    (b'{"query": "{ __typename }", "operationName": 0}', "Поле operationName должно быть строкой или null"),
    (b'{"query": "{ __typename }", "operationName": "\\ud800"}', "Поле operationName должно быть строкой или null"),
    (b'{"query": "{ __typename }", "variables": [7]}', "Поле variables должно быть объектом JSON или null"),
    (b'{"query": "{ __typename }", "extensions": "x"}', "Поле extensions должно быть объектом JSON или null"),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_requests_that_are_not_well_formed_are_400(live_world, http, content, message) -> None:
    for accept in (GRAPHQL, JSON):
        response = _post(http, None, content=content, accept=accept)
        assert response.status_code == 400, (content[:40], response.text)
        assert _media(response) == accept
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "bad_request" and error["message"].startswith(message), error
    english = _post(http, None, content=content, language="en")
    assert english.json()["errors"][0]["message"][:3] in ("The", "Bat")


def test_null_parameters_are_absent_ones(live_world, http) -> None:
    body = {"query": "{ __typename }", "operationName": None, "variables": None, "extensions": None}
    for accept in (GRAPHQL, JSON):
        response = _post(http, body, accept=accept)
        assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


def test_bodies_past_the_limit_are_413(live_world, http, settings) -> None:
    settings.GRAPHQL_MAX_BODY_BYTES = 1000
    response = _post(http, {"query": "{ __typename }", "variables": {"pad": "x" * 2000}})
    assert response.status_code == 413 and response.json()["errors"][0]["extensions"]["code"] == "payload_too_large"
    assert _post(http, TYPENAME).status_code == 200


def test_other_methods_are_405(live_world, http) -> None:
    response = http.request("PUT", "/graphql", json=TYPENAME, headers={"Accept": GRAPHQL})
    assert response.status_code == 405 and "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


@pytest.mark.parametrize("accept", [GRAPHQL, JSON])
def test_a_refused_token_is_401_in_either_media_type(live_world, http, accept) -> None:
    response = _post(http, TYPENAME, accept=accept, Authorization="Bearer not-a-token")
    assert response.status_code == 401 and _media(response) == accept
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
