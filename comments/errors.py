"""One error shape for the whole API: {"code", "status", "message", "errors"?}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify, request
from marshmallow import Schema, fields
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from comments.db import discard_transaction
from comments.extensions import db

RETRY_AFTER_DB_DOWN = 5
#: Self-contained: the pages' own templates would ask the database who is signed in.
_UNAVAILABLE_PAGE = f"""<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable</title>
<main>
<h1>Temporarily unavailable</h1>
<p>The database cannot be reached, so nothing you sent was saved. Try again in
{RETRY_AFTER_DB_DOWN} seconds: go back and send the form again.</p>
</main>
</html>
"""
_SCHEMA_BEHIND_PAGE = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable</title>
<main>
<h1>Temporarily unavailable</h1>
<p>The service's database needs an upgrade, so nothing you sent was saved. Try again later.</p>
</main>
</html>
"""


class FieldErrors(Exception):
    """Invalid input, by field; raised by services, answered as 422."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class ConflictingFields(FieldErrors):
    """One value sent twice that differs (a body field and its header); answered as 400:
    each is valid alone, but the request does not say which it means."""


class StateConflict(FieldErrors):
    """Valid input that what it names refuses in its present state (a thread closed to new
    comments); answered as 409 with the reason, and under ``errors`` the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: [message]})
        self.message = message


class NoLongerKept(StateConflict):
    """Valid input naming what is no longer kept (a watermark older than the deletions a
    thread still remembers); answered as 410 with the reason, under ``errors`` its field."""


class InvalidJson(Exception):
    """A body declared as JSON that does not parse; answered as 400 with the decoder's words."""


class NotAllowed(Exception):
    """The request is understood but refused (e.g. a foreign origin); answered as 403."""


class ErrorSchema(Schema):
    """The body of every API error; the OpenAPI document describes errors with it."""

    code = fields.Integer(required=True, metadata={"example": 422})
    status = fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    message = fields.String(required=True)
    #: Only for invalid input: messages by field (nested by index or key for lists and objects).
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


_error_body = ErrorSchema()


def error_response(
    code: int,
    message: str,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(_error_body.dump(body))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


_MESSAGES = {
    413: "The request is too large.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    429: "Too many requests; try again later.",
}


_KEPT_HEADERS = {"retry-after", "allow", "www-authenticate"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(FieldErrors)
    def _field_errors(error: FieldErrors) -> Response:
        return error_response(422, "Some fields are not valid.", error.errors)

    @app.errorhandler(ConflictingFields)
    def _conflicting_fields(error: ConflictingFields) -> Response:
        return error_response(400, "The request says two different things.", error.errors)

    @app.errorhandler(StateConflict)
    def _state_conflict(error: StateConflict) -> Response:
        return error_response(409, error.message, error.errors)

    @app.errorhandler(NoLongerKept)
    def _no_longer_kept(error: NoLongerKept) -> Response:
        return error_response(410, error.message, error.errors)

    @app.errorhandler(InvalidJson)
    def _invalid_json(error: InvalidJson) -> Response:
        return error_response(400, "The request body is not valid JSON.", {"_body": [str(error)]})

    @app.errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed) -> Response:
        return error_response(403, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return error
        code = error.code or 500
        message = _MESSAGES.get(code) if code in (413, 415, 429) else None
        # Keep what the exception says beyond its body: Retry-After, Allow, WWW-Authenticate.
        headers = {
            name: value
            for name, value in error.get_response().headers.items()
            if name.lower() in _KEPT_HEADERS
        }
        return error_response(
            code, message or error.description or HTTPStatus(code).phrase, headers=headers
        )

    @app.errorhandler(ProgrammingError)
    def _schema_behind_or_bug(error: ProgrammingError) -> Response:
        """PostgreSQL's missing table or column: a schema behind the code is a 503 saying so;
        anything else is a bug, the usual 500."""
        if outdated := _schema_behind(error):
            return _schema_behind_response(app, outdated)
        raise error

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Response:
        if outdated := _schema_behind(error):  # SQLite's missing table is an OperationalError
            return _schema_behind_response(app, outdated)
        app.logger.error("database unavailable: %s", error.orig)
        # Hooks after this one (CORS) answer from what they knew instead of asking again.
        g.database_unavailable = True
        # End the failed transaction here: a hook that runs after this handler and queries
        # would fail on a session left as it is with PendingRollbackError, a 500.
        discard_transaction(db.session)
        headers = {"Retry-After": str(RETRY_AFTER_DB_DOWN)}
        if not _wants_json():  # a person at a form: a page, not the API's JSON
            return Response(_UNAVAILABLE_PAGE, 503, headers, mimetype="text/html")
        return error_response(
            503, "The database is unavailable; try again shortly.", headers=headers
        )


def _schema_behind(error: DBAPIError) -> str | None:
    """Why the schema is behind the code, if that is why the statement failed.

    Told first from the error (a missing table or column), so no request asks the database
    about its schema; only then is the revision read (comments.schema.behind), in a fresh
    transaction since PostgreSQL refuses statements in the failed one.
    """
    from comments import schema  # not at import: comments.schema imports the package

    if not schema.missing_table_or_column(error):
        return None
    discard_transaction(db.session)
    try:
        return schema.behind(db.session)
    except SQLAlchemyError:  # the database went away meanwhile: the caller's usual answer
        return None
    finally:
        discard_transaction(db.session)


def _schema_behind_response(app: Flask, outdated: str) -> Response:
    """503 without Retry-After (as /healthz): waiting does not help until someone upgrades."""
    app.logger.error("database schema behind the code: %s", outdated)
    g.database_unavailable = True  # as for an outage: hooks after this one ask nothing more
    if not _wants_json():
        return Response(_SCHEMA_BEHIND_PAGE, 503, mimetype="text/html")
    return error_response(503, f"The database needs an upgrade: {outdated}.")
