"""Each API view declares once what it accepts and answers: the declaration parses the request,
serialises the answer, and is what the OpenAPI document is built from, so they cannot drift."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import request
from marshmallow import Schema
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError
from werkzeug.wrappers import Response

from comments.api.parsing import json_body, load
from comments.schemas.public import MAX_ID

View = Callable[..., Any]


class RowIdConverter(IntegerConverter):
    """Ids a row can hold (1 to MAX_ID); any other number names no row: 404 before any query.

    Werkzeug's own bounds make such a path unmatched, and a path that another method also
    serves then answers 405, as if the method were wrong.
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)

    def to_python(self, value: str) -> int:
        try:
            return int(super().to_python(value))
        except ValidationError:
            raise NotFound(f"No row has the id {value}.") from None


#: Registered on the app's URL map (create_app) before any blueprint.
ID_CONVERTERS = {"row_id": RowIdConverter}
#: URL converter for ids, e.g. ``/comments/<{ID}:comment_id>``.
ID = "row_id"


@dataclass(frozen=True, slots=True)
class Contract:
    #: Success status -> schema of the body (None: the view answers a finished Response).
    responses: Mapping[int, Schema | None]
    body: Schema | None = None
    query: Schema | None = None
    #: Request headers the view reads, by their names (each field's data_key).
    headers: Schema | None = None
    #: Error statuses beyond those that follow from the route itself (see comments.api.openapi).
    errors: frozenset[int] = field(default_factory=frozenset)
    #: Media types of the success bodies, for views answering something other than JSON.
    produces: tuple[str, ...] = ("application/json",)


def contract(
    responses: Mapping[int, Schema | None],
    *,
    body: Schema | None = None,
    query: Schema | None = None,
    headers: Schema | None = None,
    errors: tuple[int, ...] = (),
    produces: tuple[str, ...] = ("application/json",),
) -> Callable[[View], View]:
    """Pass the parsed query as `query`, the parsed JSON body as `body` and the declared
    headers as `headers` (422 when invalid), and dump what the view returns with the schema
    of the status it answers."""
    declared = Contract(responses, body, query, headers, frozenset(errors), produces)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = load(query, request.args.to_dict())
            if body is not None:
                kwargs["body"] = load(body, json_body())
            if headers is not None:
                kwargs["headers"] = load(headers, _declared_headers(headers))
            result = view(*args, **kwargs)
            if isinstance(result, Response):
                return result
            answer, status, answer_headers = _unpack(result)
            schema = declared.responses[status]
            return (schema.dump(answer) if schema else answer), status, answer_headers

        wrapped.contract = declared  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _declared_headers(schema: Schema) -> dict[str, str]:
    """Only the headers the schema names: every request carries many others."""
    names = (field.data_key or name for name, field in schema.fields.items())
    return {name: request.headers[name] for name in names if name in request.headers}


def _unpack(result: Any) -> tuple[Any, int, Mapping[str, str]]:
    """A view answers `body`, `(body, status)` or `(body, status, headers)`, as in Flask."""
    if not isinstance(result, tuple):
        return result, 200, {}
    if len(result) == 2:
        return result[0], result[1], {}
    return result[0], result[1], result[2]


def contract_of(view: View) -> Contract | None:
    return getattr(view, "contract", None)
