"""The Akismet 1.1 form, as Akismet's clients send it: every field optional here.

Akismet answers a missing required field with its own message, after the key is checked, so
requiredness is decided by the service (``comments.services.akismet.missing_field``), not here.
Fields Akismet does not document (WordPress adds its server's environment: cookies, proxy
headers with raw addresses...) are dropped, except the honeypot field that
``honeypot_field_name`` names.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load

from comments.schemas.public import CleanLine, CleanText
from comments.services.akismet import AkismetComment

_TRUE = frozenset({"1", "true", "yes", "on"})


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
    comment_context = CleanLine(load_default="")
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
        """(api key, the comment); the honeypot's value is read from the field it names."""
        api_key, old_key = data.pop("api_key"), data.pop("key")
        honeypot = original.get(data["honeypot_field_name"]) if data["honeypot_field_name"] else ""
        data["honeypot_value"] = honeypot if isinstance(honeypot, str) else ""
        data["is_test"] = data["is_test"].lower() in _TRUE
        data["comment_author_email"] = data["comment_author_email"].lower()
        return api_key or old_key, AkismetComment(**data)
