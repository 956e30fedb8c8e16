"""A reader's own comments held for moderation, as their browser asks about them.

The widget remembers the comments it posted, each with the edit token the POST answered. On
every load it asks which of those held for moderation still are, to show them to their author
(and to nobody else) in their place in the thread until a moderator decides. A token opens
only its own comment (comments.services.edits, whose window limits editing, not this), so an
answer says nothing about a comment the caller holds no token for: such a comment, an unknown
id and one taken out of the thread are all alike "gone".

A comment the service itself filed as spam is "held" here, as the answer to its POST called
it (comments.schemas.public.PUBLIC_STATUS): reloading the page must not tell a spammer what
the filter thought. One a moderator filed as spam, rejected, or its author deleted is gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.models import Comment, Decision
from comments.services.edits import token_matches
from comments.services.listing import removed_ancestors
from comments.services.moderation.decisions import TRANSITIONS

#: Comments asked about in one request at most (the widget asks about its newest).
MAX_ASKED = 50


@dataclass(frozen=True, slots=True)
class OwnComments:
    """What became of the comments asked about, each id in exactly one of the lists."""

    #: Still awaiting a moderator, oldest first: shown to their author as held.
    held: list[Comment]
    #: Published since: the thread shows them.
    published: list[int]
    #: Rejected, filed as spam by a moderator, deleted, erased, or not opened by the token.
    gone: list[int]
    #: The unpublished comments the held replies answer (and what those answered), as
    #: {"id", "parent_id"}, so the author sees each where it was in the conversation.
    removed: list[dict[str, int | None]]


def own_comments(
    session: Session, secret_key: str, claims: Sequence[tuple[int, str]]
) -> OwnComments:
    """Sort the comments of (id, edit token) pairs into held, published and gone."""
    asked = sorted({comment_id for comment_id, _ in claims})
    found = {
        comment.id: comment
        for comment in session.scalars(select(Comment).where(Comment.id.in_(asked)))
    }
    theirs: dict[int, Comment] = {}
    for comment_id, token in claims:
        comment = found.get(comment_id)
        if comment is not None and token_matches(secret_key, token, comment):
            theirs[comment_id] = comment
    filed_by_moderator = _decided_by_staff(
        session, [comment.id for comment in theirs.values() if comment.status == "spam"]
    )
    held: list[Comment] = []
    published: list[int] = []
    gone: list[int] = []
    for comment_id in asked:
        comment = theirs.get(comment_id)
        if comment is not None and comment.status == "published":
            published.append(comment_id)
        elif comment is not None and (
            comment.status == "pending"
            or (comment.status == "spam" and comment_id not in filed_by_moderator)
        ):
            held.append(comment)
        else:
            gone.append(comment_id)
    return OwnComments(held, published, gone, _removed_parents(session, held))


def _decided_by_staff(session: Session, comment_ids: list[int]) -> set[int]:
    """Those of the comments a moderator has decided on (the rest only the service did)."""
    if not comment_ids:
        return set()
    query = select(Decision.comment_id).where(
        Decision.comment_id.in_(comment_ids),
        Decision.actor == "staff",
        Decision.action.in_(tuple(TRANSITIONS)),
    )
    return set(session.scalars(query))


def _removed_parents(session: Session, held: list[Comment]) -> list[dict[str, int | None]]:
    """What the thread's reading gives for its replies, for the held ones, thread by thread."""
    by_thread: defaultdict[int, list[dict[str, int | None]]] = defaultdict(list)
    for comment in held:
        by_thread[comment.thread_id].append({"id": comment.id, "parent_id": comment.parent_id})
    removed: list[dict[str, int | None]] = []
    for thread_id, rows in by_thread.items():
        removed += removed_ancestors(session, thread_id, rows)
    return removed
