"""The Akismet 1.1 form, as Akismet's clients send it: every field optional here.

Akismet answers a missing required field with its own message, after the key is checked, so
requiredness is decided by the service (``comments.services.akismet.missing_field``), not here.
Fields Akismet does not document (WordPress adds its server's environment: cookies, proxy
headers with raw addresses...) are dropped, except the honeypot field that
``honeypot_field_name`` names and WordPress's own honeypot, which its plugin sends, like every
posted form field, with a ``POST_`` prefix and without ``honeypot_field_name``.
``comment_context`` is an array (WordPress sends the post's tags and categories), written
``comment_context[]=``, ``comment_context[0]=`` (PHP's ``http_build_query``) or repeated; every
value is kept.

Values arrive percent-encoded in the blog's character set, which ``blog_charset`` declares
(WordPress sends its own, often ISO-8859-1 on older blogs); Werkzeug decodes every form as
UTF-8, so ``form_fields`` parses the body again with the declared one.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from marshmallow import EXCLUDE, Schema, fields, post_load

from comments.schemas.public import CleanLine, CleanText
from comments.services.akismet import AkismetComment
from comments.text import clean_line

_TRUE = frozenset({"1", "true", "yes", "on"})
FORM_MIMETYPE = "application/x-www-form-urlencoded"
_RAW_BYTE = re.compile(rb"[\x80-\xff]")
#: Python text codecs that are no character set a form could be written in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})
#: Array fields, under their plain name, ``NAME[]`` or ``NAME[index]``.
_ARRAY_FIELD = re.compile(r"(comment_context)(?:\[\d*\])?")
#: WordPress's Akismet plugin adds a hidden ``ak_hp_textarea`` to comment forms (and renames
#: Contact Form 7's ``_wpcf7_ak_hp_textarea`` to it), sent like every posted field: with
#: a ``POST_`` prefix.
WORDPRESS_HONEYPOT = "POST_ak_hp_textarea"

#: A parsed form: one string per field, a list for array fields.
Form = dict[str, str | list[str]]


class UnknownCharset(ValueError):
    """``blog_charset`` names no text encoding this service knows."""

    def __init__(self, charset: str) -> None:
        super().__init__(
            # ascii(): the name is echoed in a header, where a newline would be a 500.
            f"Unknown blog_charset {charset[:40]!a}: send a character set such as UTF-8 or "
            "ISO-8859-1, or leave blog_charset out for UTF-8."
        )


def _pairs(body: bytes, charset: str) -> list[tuple[str, str]]:
    """Every (name, value), percent-escapes decoded with ``charset`` (undecodable bytes become
    U+FFFD, as Werkzeug does). Bytes a sloppy client left unescaped count as if escaped, so
    they are read in the same charset."""
    escaped = _RAW_BYTE.sub(lambda byte: b"%%%02X" % byte[0][0], body).decode("ascii")
    return parse_qsl(escaped, keep_blank_values=True, encoding=charset, errors="replace")


def decode_fields(body: bytes, charset: str) -> dict[str, str]:
    """The first value of each field, decoded with ``charset``."""
    fields: dict[str, str] = {}
    for name, value in _pairs(body, charset):
        fields.setdefault(name, value)
    return fields


def collect(pairs: Iterable[tuple[str, str]]) -> Form:
    """The first value of each field, and every value of an array field under its plain name,
    in the order sent."""
    fields: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    for name, value in pairs:
        array = _ARRAY_FIELD.fullmatch(name)
        if array:
            arrays.setdefault(array[1], []).append(value)
        else:
            fields.setdefault(name, value)
    return {**fields, **arrays}


def form_fields(body: bytes) -> Form:
    """The form decoded with the charset its ``blog_charset`` declares, UTF-8 without one;
    UnknownCharset when Python has no text codec by that name."""
    # Latin-1 maps every byte to a character, so the declaration itself can always be read.
    declared = decode_fields(body, "latin-1").get("blog_charset", "").strip()
    charset = declared or "utf-8"
    try:
        # LookupError for unknown names and for bytes-to-bytes codecs (base64, zlib...).
        known = codecs.lookup(charset).name not in _NOT_CHARSETS
        b"\xff".decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError):
        known = False
    if not known:
        raise UnknownCharset(declared)
    return collect(_pairs(body, charset))


class AkismetFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    #: ``key`` is what verify-key sent before Akismet renamed it; clients still send it.
    api_key = fields.String(load_default="")
    key = fields.String(load_default="")
    blog = CleanLine(load_default="")
    user_ip = CleanLine(load_default="")
    user_agent = CleanLine(load_default="")
    referrer = CleanLine(load_default="")
    permalink = CleanLine(load_default="")
    comment_type = CleanLine(load_default="")
    comment_author = CleanLine(load_default="")
    comment_author_email = CleanLine(load_default="")
    comment_author_url = CleanLine(load_default="")
    comment_content = CleanText(load_default="")
    comment_context = fields.List(CleanLine(), load_default=list)
    comment_date_gmt = CleanLine(load_default="")
    comment_post_modified_gmt = CleanLine(load_default="")
    blog_lang = CleanLine(load_default="")
    blog_charset = CleanLine(load_default="")
    user_role = CleanLine(load_default="")
    is_test = CleanLine(load_default="")
    recheck_reason = CleanLine(load_default="")
    honeypot_field_name = CleanLine(load_default="")

    @post_load(pass_original=True)
    def _comment(
        self, data: dict[str, Any], original: dict[str, Any], **_: Any
    ) -> tuple[str, AkismetComment]:
        """(api key, the comment); the honeypot's value is read from the field
        ``honeypot_field_name`` names, or else from WordPress's, whichever is filled."""
        api_key, old_key = data.pop("api_key"), data.pop("key")
        names = (data["honeypot_field_name"], WORDPRESS_HONEYPOT)
        traps = (original.get(name) for name in names if name)
        # Cleaned as the widget's honeypot is (CleanLine): a NUL byte could not be stored.
        filled = (clean_line(trap) for trap in traps if isinstance(trap, str))
        data["honeypot_value"] = next((value for value in filled if value), "")
        data["comment_context"] = tuple(value for value in data["comment_context"] if value)
        data["is_test"] = data["is_test"].lower() in _TRUE
        data["comment_author_email"] = data["comment_author_email"].lower()
        return api_key or old_key, AkismetComment(**data)
