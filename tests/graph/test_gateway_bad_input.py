"""Bad input is a typed, translated refusal — never an internal error — through HTTP on PostgreSQL: NUL characters
(PostgreSQL refuses them in text), texts longer than their column, cursors with a huge offset, and refusals of the
document itself (limits, syntax, unknown fields, values of the wrong type). A sweep over every String argument of
the schema checks that none of them reaches the database unchecked."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLType,
    get_named_type,
)

from portal.core.viewer import Role, Viewer

ADMIN = Viewer(subject="admin", username="admin", roles=frozenset({Role.ADMIN}))
NUL = "ул. Ленина\x00, 5"
#: A lone UTF-16 surrogate (what JSON "\\ud800" decodes to): no database can store it.
SURROGATE = "ул. Ленина \ud800 5"


def _cursor(offset: str) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


# --- Filters: NUL → bad_user_input ---------------------------------------------------------------------------------

FILTER_QUERIES = [
    ("query($t: String) { myMeasures(filter: {text: $t}) { totalCount } }", "text"),
    ("query($t: String) { cases(filter: {text: $t}) { totalCount } }", "text"),
    ("query($t: String) { persons(text: $t) { totalCount } }", "text"),
    ("query($t: String) { organisations(filter: {text: $t}) { code } }", "text"),
    ("query($t: String) { organisations(filter: {districtCode: $t}) { code } }", "districtCode"),
    ("query($t: String!) { organisation(code: $t) { code } }", "code"),
    ("query($t: String!) { district(code: $t) { code } }", "code"),
    ("query($t: String) { precincts(districtCode: $t) { number } }", "districtCode"),
    ("query($t: String!) { findOfficer(address: $t) { status } }", "address"),
    ("query($t: String!) { streetSuggestions(prefix: $t) { title } }", "prefix"),
]


def test_nul_in_any_filter_is_bad_user_input(live_world, gateway) -> None:
    for document, field in FILTER_QUERIES:
        status, result = gateway.post(ADMIN, document, {"t": NUL})
        assert status == 200 and result.code == "bad_user_input", (document, result.errors)
        assert result.errors[0]["extensions"]["field"] == field
        assert result.errors[0]["message"] == "Текст не должен содержать символ NUL."
    status, english = gateway.post(ADMIN, FILTER_QUERIES[0][0], {"t": NUL}, language="en")
    assert english.errors[0]["message"] == "The text must not contain the NUL character."


def test_cursor_with_a_huge_offset_is_bad_user_input(live_world, gateway) -> None:
    document = "query($after: String) { myMeasures(after: $after) { totalCount nodes { id } } }"
    for offset in ("99999999999999999999999", str(10**9), "1e9", "٣"):
        status, result = gateway.post(ADMIN, document, {"after": _cursor(offset)})
        assert status == 200 and result.code == "bad_user_input", (offset, result.errors)
        assert result.errors[0]["extensions"]["field"] == "after"
    status, far = gateway.post(ADMIN, document, {"after": _cursor(str(10**9 - 1))})
    assert far.errors == [] and far.data["myMeasures"]["nodes"] == []


# --- Mutations: NUL and texts longer than the column → validation_failed naming the field ------------------------

def _mutations(world: Any) -> list[tuple[str, dict[str, Any], str, str]]:
    """(document, variables, field of the error, the start of its Russian message)."""
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assign = ("mutation($case: ID!, $org: ID!, $due: Date!, $place: String!, $who: String!) { assignMeasure(input: "
              "{caseId: $case, task: \"Беседа\", kind: LEGAL, deadline: $due, organisationId: $org, place: $place, "
              "responsiblePerson: $who}) { id } }")
    signal = ("mutation($address: String!, $reporter: String!) { receiveSignal(input: {source: \"school\", "
              "summary: \"Пропуски\", address: $address, reporter: $reporter}) { id } }")
    person = ("mutation($household: ID!, $middle: String!, $phone: String!, $relation: String!) { createPerson(input: "
              "{householdId: $household, lastName: \"Ли\", firstName: \"Ан\", middleName: $middle, phone: $phone, "
              "relation: $relation}) { id } }")
    consent = ("mutation($person: ID!, $on: Date!, $scope: String!, $document: String!) { recordConsent(personId: "
               "$person, purpose: \"publication\", givenOn: $on, scope: $scope, document: $document) { id } }")
    comment = "mutation($id: ID!, $text: String!) { commentMeasure(id: $id, text: $text) { id } }"
    base_assign = {"case": str(world.case_own.pk), "org": str(world.police.pk), "due": due, "place": "", "who": ""}
    base_signal = {"address": "", "reporter": ""}
    base_person = {"household": str(world.case_own.household_id), "middle": "", "phone": "", "relation": ""}
    base_consent = {"person": str(world.case_own.applicant_id), "on": timezone.localdate().isoformat(), "scope": "",
                    "document": ""}
    return [
        (assign, {**base_assign, "place": NUL}, "place", "Место проведения: текст содержит недопустимый символ NUL"),
        (assign, {**base_assign, "place": "м" * 301}, "place", "Место проведения: текст слишком длинный (не более 300"),
        (assign, {**base_assign, "who": "я" * 201}, "responsible_person", "Ответственное лицо: текст слишком длинный"),
        (signal, {**base_signal, "address": NUL}, "address", "Адрес: текст содержит недопустимый символ NUL"),
        (signal, {**base_signal, "address": "а" * 301}, "address", "Адрес: текст слишком длинный (не более 300"),
        (signal, {**base_signal, "reporter": "р" * 201}, "reporter", "Кто сообщил: текст слишком длинный"),
        (person, {**base_person, "middle": "о" * 101}, "middle_name", "Отчество: текст слишком длинный"),
        (person, {**base_person, "phone": "1" * 41}, "phone", "Телефон: текст слишком длинный (не более 40"),
        (person, {**base_person, "relation": "\x00"}, "relation", "Степень родства: текст содержит"),
        (person, {**base_person, "relation": "с" * 61}, "relation", "Степень родства: текст слишком длинный"),
        (consent, {**base_consent, "scope": "о" * 301}, "scope", "Объём: текст слишком длинный (не более 300"),
        (consent, {**base_consent, "document": "д" * 201}, "document", "Документ: текст слишком длинный"),
        (consent, {**base_consent, "document": NUL}, "document", "Документ: текст содержит недопустимый символ NUL"),
        (comment, {"id": str(world.m_school.pk), "text": NUL}, "text", "Текст: текст содержит недопустимый символ"),
    ]


def test_nul_and_overlong_texts_of_mutations_are_validation_errors(live_world, gateway, settings) -> None:
    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    for document, variables, field, message in _mutations(live_world):
        status, result = gateway.post(live_world.petrova, document, variables)
        assert status == 200 and result.code == "validation_failed", (field, result.errors)
        assert result.errors[0]["extensions"]["field"] == field
        assert result.errors[0]["message"].startswith(message), result.errors[0]["message"]
    status, english = gateway.post(live_world.petrova, *_mutations(live_world)[0][:2], language="en")
    assert english.errors[0]["message"] == "Place: the text contains a NUL character, which is not allowed."


def test_workspace_text_filter_with_nul_is_a_400_with_the_message(world, client, make_user) -> None:
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    response = client.get("/workspace/?text=%00", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-code="bad_user_input"' in page and "Текст не должен содержать символ NUL." in page
    assert 'class="workspace-filters"' in page  # the filter form stays to correct the text


# --- Limits and refusals of the document: typed and translated ----------------------------------------------------

DOCUMENT_ERRORS = [
    # (document, variables, code, Russian message, English message)
    ("{ cases { nodes { applicant { consents { id } } } } }", None, "query_too_complex",
     "Запрос слишком глубокий: допускается не более 3 уровней вложенности полей.",
     "The query is too deep: at most 3 levels of fields are allowed."),
    ("{ " + " ".join(["districts { code name kind population centre }"] * 9) + " }", None, "query_too_complex",
     "Запрос слишком длинный: допускается не более 40 лексем.",
     "The query is too long: at most 40 tokens are allowed."),
    ("{ a: districts { code } b: districts { code } c: districts { code } }", None, "query_too_complex",
     "В запросе слишком много псевдонимов: допускается не более 2.",
     "The query uses too many aliases: at most 2 are allowed."),
    ("query($n: Int) { cases(first: $n) { totalCount } }", {"n": "десять"}, "bad_user_input",
     "Недопустимое значение: ожидается Int.", "The value is not valid: Int expected."),
    ("{ cases(first: 99999999999) { totalCount } }", None, "bad_user_input",
     "Недопустимое значение: ожидается Int.", "The value is not valid: Int expected."),
    ("query($d: Date!) { myMeasures(filter: {dueBefore: $d}) { totalCount } }", {"d": "2026-13-45"},
     "bad_user_input", "Недопустимое значение: ожидается Date.", "The value is not valid: Date expected."),
    ("{ cases { secret } }", None, "graphql_validation", "Неизвестное поле secret типа CaseConnection.",
     "Unknown field secret of type CaseConnection."),
    ("{ cases(sort: 1) { totalCount } }", None, "graphql_validation", "Неизвестный аргумент sort поля Query.cases.",
     "Unknown argument sort of field Query.cases."),
    ("{ cases { ", None, "graphql_parse_failed",
     "Запрос не является корректным GraphQL (синтаксическая ошибка в строке 1, позиция 11).",
     "The query is not valid GraphQL (syntax error at line 1, column 11)."),
]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_limit_and_validation_errors_are_typed_and_translated(live_world, gateway, settings, language) -> None:
    settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_TOKENS, settings.GRAPHQL_MAX_ALIASES = 3, 40, 2
    for document, variables, code, russian, english in DOCUMENT_ERRORS:
        status, result = gateway.post(live_world.petrova, document, variables, language=language)
        assert status in (200, 400), (document, status)
        assert result.data is None and len(result.errors) == 1, (document, result.errors)
        assert result.code == code, (document, result.errors)
        assert result.errors[0]["message"] == (russian if language == "ru" else english)
        assert result.errors[0]["extensions"]["detail"]  # graphql-core's own text, for developers


# --- Every String argument of the schema: NUL and overlong texts never become internal errors --------------------

def _sample(kind: GraphQLType, today: str) -> Any:
    if isinstance(kind, GraphQLNonNull):
        return _sample(kind.of_type, today)
    if isinstance(kind, GraphQLList):
        return [_sample(kind.of_type, today)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {name: _sample(f.type, today) for name, f in kind.fields.items() if isinstance(f.type, GraphQLNonNull)}
    return {"String": "x", "ID": "1", "Int": 1, "Float": 1.0, "Boolean": False, "Date": today,
            "DateTime": f"{today}T10:00:00+05:00", "JSON": {}}[kind.name]  # type: ignore[attr-defined]


def _string_positions(kind: GraphQLType, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """Paths of the String values inside an argument, each with whether it is a list of strings."""
    named = get_named_type(kind)
    if getattr(named, "name", "") == "String":
        inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        return [(path, isinstance(inner, GraphQLList))]
    if isinstance(named, GraphQLInputObjectType):
        return [found for name, f in named.fields.items() for found in _string_positions(f.type, (*path, name))]
    return []


def _with(values: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of the variables with `value` at `path` (input objects created as needed)."""
    import copy

    result = copy.deepcopy(values)
    target = result
    for name in path[:-1]:
        if not isinstance(target.get(name), dict):
            target[name] = {}
        target = target[name]
    target[path[-1]] = value
    return result


def _cases() -> list[tuple[str, str, dict[str, Any], tuple[str, ...], bool]]:
    from graph.schema import schema

    today = timezone.localdate().isoformat()
    found = []
    for operation, root in (("query", schema._schema.query_type), ("mutation", schema._schema.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for field_name, definition in root.fields.items():
            selection = " { __typename }" if isinstance(get_named_type(definition.type), GraphQLObjectType) else ""
            declared = ", ".join(f"${name}: {arg.type}" for name, arg in definition.args.items())
            passed = ", ".join(f"{name}: ${name}" for name in definition.args)
            document = (f"{operation}{f'({declared})' if declared else ''} "
                        f"{{ {field_name}{f'({passed})' if passed else ''}{selection} }}")
            base = {name: _sample(arg.type, today) for name, arg in definition.args.items()}
            for name, arg in definition.args.items():
                for path, is_list in _string_positions(arg.type, (name,)):
                    found.append((operation, document, base, path, is_list))
    return found


def test_every_string_argument_is_checked_before_the_database(world, gql, settings) -> None:
    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    cases = _cases()
    assert len(cases) > 40
    surrogates = 0
    for operation, document, base, path, is_list in cases:
        for bad in (NUL, "я" * 6000, SURROGATE):
            variables = _with(base, path, [bad] if is_list else bad)
            result = gql(ADMIN, document, variables)
            where = (document, path, bad[:12], result.errors)
            assert result.code != "internal_error", where
            if bad == NUL:
                # Queries refuse it up front; mutations refuse it (validation, or an earlier refusal).
                assert result.code == ("bad_user_input" if operation == "query" else result.code) != "ok", where
            if bad == SURROGATE:  # refused before anything runs, naming the variable, in every argument
                assert result.code == "bad_user_input", where
                assert result.errors[0]["extensions"]["field"] == path[0], where
                assert result.errors[0]["message"] == "Текст содержит недопустимый символ (одиночный суррогат UTF-16)."
                surrogates += 1
    assert surrogates == len(cases) > 40


def test_surrogates_and_year_one_over_http_are_typed_refusals(live_world, gateway, settings) -> None:
    """The JSON escape "\\ud800" in a variable, the same inside the document, and a year-1 DateTime."""
    import httpx

    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    token = gateway.token_for(live_world.petrova)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "ru"}
    body = b'{"query": "query($t: String!) { findOfficer(address: $t) { status } }", "variables": {"t": "\\ud800"}}'
    answer = httpx.post(gateway.url, content=body, headers=headers, timeout=30)
    assert answer.status_code == 200 and answer.json()["errors"][0]["extensions"]["code"] == "bad_user_input"
    inside = b'{"query": "{ findOfficer(address: \\"\\\\ud800\\") { status } }"}'
    answer = httpx.post(gateway.url, content=inside, headers=headers, timeout=30)
    assert answer.status_code == 200 and answer.json()["errors"][0]["extensions"]["code"] == "graphql_parse_failed"
    signal = ("mutation($at: DateTime) { receiveSignal(input: {source: \"school\", summary: \"Пропуски\", "
              "receivedAt: $at}) { id } }")
    for year_one in ("0001-01-01T00:00:00+05:00", "0001-01-01T03:00:00", "9999-12-31T23:00:00-05:00"):
        status, result = gateway.post(live_world.petrova, signal, {"at": year_one})
        assert status == 200 and result.code == "bad_user_input", (year_one, result.errors)
        assert result.errors[0]["message"] == "Недопустимое значение: ожидается DateTime."
    status, fine = gateway.post(live_world.petrova, signal, {"at": "2026-11-30T10:00:00+05:00"})
    assert fine.code == "ok", fine.errors
