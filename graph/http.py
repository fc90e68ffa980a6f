"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) for the gateway at /graphql.

Request:
- methods GET and POST (others: 405 with `Allow: GET, POST`); a mutation over GET: 405 with `Allow: POST`,
  before anything is executed;
- GET: `query`, `operationName` (empty = absent), `variables` and `extensions` (JSON-encoded objects) in the
  query string;
- POST: `Content-Type: application/json` (UTF-8; no content type, another type or another charset: 415),
  a body of at most GRAPHQL_MAX_BODY_BYTES (413) that is valid UTF-8 and JSON, at most MAX_JSON_NESTING
  levels deep, holding one object (no batches) whose `query` is a string, `operationName` a string or null,
  `variables` and `extensions` objects or null: anything else is not a well-formed request (400).

Response media type, negotiated from `Accept` (q-values respected):
- `application/graphql-response+json` when asked for, and without an Accept header (the specification's
  default since 2025-01-01): a request error (the request is not well-formed, the document does not parse or
  validate, the operation cannot be determined, a variable cannot be coerced, a limit refuses it) is HTTP 400
  with no `data` entry; an executed operation is 200, even with field errors;
- `application/json` (also for `*/*` and `application/*`, as legacy clients send): 200 for every well-formed
  request, request errors included (`"data": null`), as before; a request that is not well-formed is 400;
- neither acceptable: 406.

Every refusal carries a typed, translated error (`extensions.code`). A refused bearer token is 401 in both media
types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
#: Deepest nesting of arrays/objects accepted in a JSON body (variables included).
MAX_JSON_NESTING = 64


class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request (or not one this server takes)."""

    def __init__(self, status: int, code: str, message: str | Promise, *, headers: dict[str, str] | None = None,
                 detail: str = "") -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.detail = detail

    def error(self) -> dict[str, Any]:
        extensions: dict[str, Any] = {"code": self.code}
        if self.detail:
            extensions["detail"] = self.detail
        return {"message": str(self.message), "extensions": extensions}

    def as_body(self) -> dict[str, Any]:
        return {"errors": [self.error()]}


@dataclass
class GraphQLRequest:
    query: str
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = field(default=None)


def _media_range(part: str) -> tuple[str, float]:
    media, *parameters = [piece.strip() for piece in part.split(";")]
    quality = 1.0
    for parameter in parameters:
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 0.0
    return media.lower(), quality


def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header, or None when neither GraphQL type is acceptable."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    best: tuple[float, int, int, str] | None = None
    for part in accept.split(","):
        if not part.strip():
            continue
        media, quality = _media_range(part)
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = (quality, 2, 1, GRAPHQL_RESPONSE_JSON)
        elif media == JSON:
            candidate = (quality, 2, 0, JSON)
        elif media in ("*/*", "application/*"):
            candidate = (quality, 1 if media == "application/*" else 0, 0, JSON)  # legacy clients send */*
        else:
            continue
        if best is None or candidate[:3] > best[:3]:
            best = candidate
    return best[3] if best else None


def _nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit` (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json(raw: bytes | str, what: str) -> Any:
    """JSON text → value; 400 for invalid UTF-8, invalid JSON, NaN/Infinity or nesting deeper than
    MAX_JSON_NESTING."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise RequestError(400, "bad_request", _("The request body is not valid UTF-8 text."),
                           detail=str(error)) from error
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise RequestError(400, "bad_request", _("The JSON of the request is nested too deeply."),
                           detail=what) from error
    except ValueError as error:
        raise RequestError(400, "bad_request", _("The %(part)s is not valid JSON.") % {"part": what},
                           detail=str(error)) from error
    if _nesting_exceeds(value, MAX_JSON_NESTING):
        raise RequestError(400, "bad_request", _("The JSON of the request is nested too deeply."),
                           detail=f"{what}: more than {MAX_JSON_NESTING} levels")
    return value


def _parameters(data: Any) -> GraphQLRequest:
    if isinstance(data, list):
        raise RequestError(400, "bad_request", _("Batches of operations are not supported: send one object."))
    if not isinstance(data, dict):
        raise RequestError(400, "bad_request", _("The request body must be a JSON object with a query."))
    query = data.get("query")
    if query is None:
        raise RequestError(400, "bad_request", _("The request has no query."))
    if not isinstance(query, str):
        raise RequestError(400, "bad_request", _("The query must be a string."))
    operation_name = data.get("operationName")
    if operation_name is not None and (not isinstance(operation_name, str)
                                       or any("\ud800" <= char <= "\udfff" for char in operation_name)):
        raise RequestError(400, "bad_request", _("The operationName must be a string or null."))
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "bad_request", _("The variables must be a JSON object or null."))
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "bad_request", _("The extensions must be a JSON object or null."))
    return GraphQLRequest(query=query, operation_name=operation_name or None, variables=variables,
                          extensions=extensions)


def from_query_string(params: Any) -> GraphQLRequest:
    """The parameters of a GET request (`params`: a multi-dict of the query string)."""
    data: dict[str, Any] = {}
    for name in ("query", "operationName", "variables", "extensions"):
        values = params.getlist(name)
        if len(values) > 1:
            raise RequestError(400, "bad_request", _("The parameter %(name)s is given more than once.")
                               % {"name": name})
        if values:
            data[name] = values[0]
    for name in ("variables", "extensions"):
        if data.get(name):
            data[name] = decode_json(data[name], name)
        else:
            data.pop(name, None)
    return _parameters(data)


def check_content_type(content_type: str | None) -> None:
    """415 unless the body is declared as application/json in UTF-8."""
    if not content_type:
        raise RequestError(415, "unsupported_media_type",
                           _("Send the request body as application/json (the Content-Type header is missing)."),
                           headers={"Accept-Post": "application/json"})
    media, *parameters = [piece.strip() for piece in content_type.split(";")]
    charset = next((value.strip().strip('"').lower() for name, _sep, value in
                    (parameter.partition("=") for parameter in parameters) if name.strip().lower() == "charset"),
                   "utf-8")
    if media.lower() != JSON or charset not in ("utf-8", "utf8"):
        raise RequestError(415, "unsupported_media_type",
                           _("Send the request body as application/json in UTF-8."),
                           detail=f"Content-Type {content_type[:100]}", headers={"Accept-Post": "application/json"})


def from_body(body: bytes) -> GraphQLRequest:
    """The parameters of a POST request's application/json body."""
    if not body.strip():
        raise RequestError(400, "bad_request", _("The request body is empty: send a JSON object with a query."))
    return _parameters(decode_json(body, "request body"))


def max_body_bytes() -> int:
    return int(settings.GRAPHQL_MAX_BODY_BYTES)
