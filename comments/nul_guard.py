"""No name, key or value this service stores or looks up can hold a NUL character.

PostgreSQL's text cannot hold one, so a lookup by such a value failed deep in a view as a 500
(a site named ``%00`` in a staff URL), while SQLite answered as for any unknown name. Refused
at the edge, every route answers the same on both engines: 404 for a path (no resource is
named so), 422 naming the query or form field otherwise. JSON bodies are not read here: their
fields are cleaned of control characters (comments.text) or refused by their schemas.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotFound

from comments.errors import FieldErrors

NUL = "\x00"


def refuse_nul_characters() -> None:
    """A ``before_request`` hook."""
    if NUL in request.path:
        raise NotFound()
    sources = [request.args]
    if request.mimetype == "application/x-www-form-urlencoded":  # the only forms served here
        # Raw body first, kept: the form is then parsed from it, and a view that decodes the
        # body itself (the Akismet API, in the client's blog_charset) still finds it.
        request.get_data(cache=True)
        sources.append(request.form)
    bad = {
        name.replace(NUL, "\\x00"): ["Must not contain a NUL character."]
        for fields in sources
        for name, value in fields.items(multi=True)
        if NUL in name or NUL in value
    }
    if bad:
        raise FieldErrors(bad)
