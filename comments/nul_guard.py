"""No name, key or value this service stores or looks up can hold a NUL character.

PostgreSQL's text cannot hold one, so a lookup by such a value failed deep in a view as a 500
(a site named ``%00`` in a staff URL), while SQLite answered as for any unknown name. Refused
at the edge, every route answers the same on both engines: 404 for a path (no resource is
named so), 422 naming the query or form field otherwise. JSON bodies are not read here: their
fields are cleaned of control characters (comments.text) or refused by their schemas. Nor is
the Akismet API's form: Akismet answers every comment in its own words (a 422 would leave
WordPress rechecking the comment forever), and its schema cleans control characters from every
field it keeps or looks up (the key is only hashed).
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotFound

from comments.errors import FieldErrors

NUL = "\x00"
#: The blueprint whose form is cleaned by its own schema, in its client's blog_charset.
AKISMET = "akismet"


def refuse_nul_characters() -> None:
    """A ``before_request`` hook."""
    if NUL in request.path:
        raise NotFound()
    sources = [request.args]
    if request.mimetype == "application/x-www-form-urlencoded":  # the only forms served here
        # Raw body first, kept: the form is then parsed from it, and a view that reads the body
        # itself (Perspective's JSON sent as a form by `curl -d`) still finds it.
        request.get_data(cache=True)
        if request.blueprint != AKISMET:
            sources.append(request.form)
    bad = {
        name.replace(NUL, "\\x00"): ["Must not contain a NUL character."]
        for fields in sources
        for name, value in fields.items(multi=True)
        if NUL in name or NUL in value
    }
    if bad:
        raise FieldErrors(bad)
