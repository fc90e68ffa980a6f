"""Issue 13: a document text parsed before is not parsed again (graph.schema.ParsedDocuments); what does not parse
is never remembered and stays a typed refusal, the token limit's included, and a lower token limit applies to a
document remembered under a higher one."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

import graph.schema as gateway_schema
from portal.core.viewer import Viewer

ANON = Viewer.anonymous()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(gateway_schema, "_parsed_documents", type(gateway_schema._parsed_documents)())
    seen: list[str] = []
    parse = strawberry_schema.parse

    def counting(source: Any, **kwargs: Any) -> Any:
        seen.append(str(source))
        return parse(source, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counting)
    return seen


def test_a_document_is_parsed_once(db: None, gql: Any, parses: list[str]) -> None:
    document = "query Districts { districts { code } }"
    answers = [gql(ANON, document) for _ in range(3)]
    assert all(answer.errors == [] for answer in answers)
    assert answers[0].data == answers[2].data
    assert parses == [document]


def test_what_does_not_parse_is_refused_every_time(db: None, gql: Any, parses: list[str]) -> None:
    for _ in range(2):
        answer = gql(ANON, "{ districts { ", language="en")
        assert answer.data is None and answer.code == "graphql_parse_failed"
    assert len(parses) == 2


def test_a_lower_token_limit_applies_to_a_remembered_document(db: None, gql: Any, parses: list[str],
                                                               settings: Any) -> None:
    document = "{ " + " ".join(["districts { code name kind population centre }"] * 5) + " }"
    assert gql(ANON, document).errors == []
    settings.GRAPHQL_MAX_TOKENS = 20
    refused = gql(ANON, document, language="en")
    assert refused.data is None and refused.code == "query_too_complex"
    assert refused.errors[0]["message"] == "The query is too long: at most 20 tokens are allowed."
