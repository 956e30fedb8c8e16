"""Chunked request bodies held to MAX_CONTENT_LENGTH as exactly as sized ones.

For a body without Content-Length (``Transfer-Encoding: chunked``), Werkzeug stops reading at
MAX_CONTENT_LENGTH without a word: a JSON body cut there answered 400 "not valid JSON", and a
form lost its tail. This middleware reads such a body first, up to one byte past the limit, and
hands the app a sized body instead: within the limit, the same bytes with their length; past it,
a length above the limit, which Werkzeug refuses with the usual 413 (comments.errors gives it
the API's error shape), as it refuses a sized body that is too large.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO, Any

WSGIEnvironment = dict[str, Any]
WSGIApp = Callable[[WSGIEnvironment, Any], Iterable[bytes]]
_READ_SIZE = 64 * 1024


class SizedChunkedBodies:
    """WSGI middleware; only chunked requests pay for it (one header lookup for the rest)."""

    def __init__(self, app: WSGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: WSGIEnvironment, start_response: Any) -> Iterable[bytes]:
        if _chunked(environ) and environ.get("wsgi.input_terminated"):
            body = _read_up_to(environ["wsgi.input"], self.limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            # The server has de-chunked it: the app sees a body of known length.
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.app(environ, start_response)


def _chunked(environ: WSGIEnvironment) -> bool:
    encodings = str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return "chunked" in (coding.strip() for coding in encodings.split(","))


def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    """At most ``size`` bytes; a server's stream may answer less than asked before its end."""
    body = bytearray()
    while len(body) < size:
        data = stream.read(min(_READ_SIZE, size - len(body)))
        if not data:
            break
        body += data
    return bytes(body)
