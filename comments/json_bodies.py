"""Flask's JSON, with bodies nested too deeply to parse counted as malformed.

Python's decoder recurses once per array or object, so a 60 KB body of ``[[[[...`` raises
RecursionError, which is not a ValueError: Werkzeug's ``get_json`` (even ``silent=True``, as
the rate-limit keys call it) let it through as a 500. Every body parsed with the app's provider
now gets the same 400 as any other malformed JSON.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

TOO_DEEP = "Arrays and objects are nested too deeply."


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(TOO_DEEP) from None
