"""Request parsing shared by the API views: JSON bodies and marshmallow at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from comments.errors import ConflictingFields, FieldErrors, InvalidJson


def json_body() -> Any:
    """415 unless the body is declared JSON, 400 saying where it stops parsing otherwise."""
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        return request.get_json()
    except BadRequest:
        # Werkzeug's 400 says only that the request was not understood; parse again (only on
        # this path) for the decoder's own words, e.g. "Expecting ',' delimiter: line 1 ...".
        try:
            current_app.json.loads(request.get_data(cache=True))
        except ValueError as error:  # JSONDecodeError, bytes that are not UTF-8, too deep
            raise InvalidJson(str(error)) from None
        raise


def load(schema: Schema, payload: Any) -> dict[str, Any]:
    try:
        return schema.load(payload)  # type: ignore[no-any-return]
    except ValidationError as error:
        messages = error.messages
        if not isinstance(messages, Mapping):
            messages = {"_schema": messages}
        raise FieldErrors(dict(messages)) from error


def one_of_two(field: str, in_body: str | None, header: str, in_header: str | None) -> str | None:
    """A value a client may send in the body, in a header, or in both alike; 400 naming the
    field when the two differ."""
    if in_body is not None and in_header is not None and in_body != in_header:
        message = f"Differs from the {header} header; send one of them, or the same in both."
        raise ConflictingFields({field: [message]})
    return in_body if in_body is not None else in_header
