"""Request parsing shared by the API views: JSON bodies and marshmallow at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from comments.errors import FieldErrors


def json_body() -> Any:
    """415 unless the body is declared JSON, 400 (via werkzeug) unless it parses."""
    if not request.is_json:
        raise UnsupportedMediaType()
    return request.get_json()


def load(schema: Schema, payload: Any) -> dict[str, Any]:
    try:
        return schema.load(payload)  # type: ignore[no-any-return]
    except ValidationError as error:
        messages = error.messages
        if not isinstance(messages, Mapping):
            messages = {"_schema": messages}
        raise FieldErrors(dict(messages)) from error
