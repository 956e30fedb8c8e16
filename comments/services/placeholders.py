"""The anonymous "[deleted]" placeholders left where a comment others answered was erased or
purged: kept only so the replies keep their place, with nothing of the comment in them.

No column marks them: a placeholder is a comment with the placeholder's text and no author at
all (no name, address or IP hash), which no comment posted through the widget can be (each has
its poster's IP hash).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from comments.models import Comment

#: What a removed comment that has replies shows in their place.
PLACEHOLDER = "[deleted]"

#: Why moderators cannot decide on one (answered as 409).
NOT_DECIDABLE = (
    "This is a [deleted] placeholder, left where a comment others answered was erased or"
    " purged: it has no text or author to decide on, and its replies hang from it."
    " Nothing was changed."
)


def is_placeholder(comment: Comment) -> bool:
    """Whether the comment is a placeholder (see the module's docstring)."""
    return (
        comment.body_raw == PLACEHOLDER
        and not comment.author_name
        and comment.author_email is None
        and comment.ip_hash is None
    )


def placeholder_rows() -> ColumnElement[bool]:
    """``is_placeholder`` as a condition on comment rows, for queries that must skip them."""
    return and_(
        Comment.body_raw == PLACEHOLDER,
        Comment.author_name == "",
        Comment.author_email.is_(None),
        Comment.ip_hash.is_(None),
    )
