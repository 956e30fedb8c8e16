"""The data model for the whole product; the schema itself lives only in migrations/."""

from comments.models.base import Base
from comments.models.comments import STATUSES, Comment, CommentScore, CommentSignal
from comments.models.moderation import Decision, ModelVersion, Report
from comments.models.sites import MODERATION_MODES, Site, Thread

__all__ = [
    "MODERATION_MODES",
    "STATUSES",
    "Base",
    "Comment",
    "CommentScore",
    "CommentSignal",
    "Decision",
    "ModelVersion",
    "Report",
    "Site",
    "Thread",
]
