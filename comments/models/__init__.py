"""The data model for the whole product; the schema itself lives only in migrations/."""

from comments.models.authors import Ban, TrustedAuthor
from comments.models.base import Base
from comments.models.comments import STATUSES, Comment, CommentScore, CommentSignal
from comments.models.moderation import (
    Decision,
    LabelledExample,
    ModelEvent,
    ModelVersion,
    Report,
)
from comments.models.sites import MODERATION_MODES, Site, SiteApiKey, Thread
from comments.models.staff import ROLES, ApiToken, Staff
from comments.models.webhooks import EVENT_TYPES, WebhookDelivery, WebhookEndpoint

__all__ = [
    "EVENT_TYPES",
    "MODERATION_MODES",
    "ROLES",
    "STATUSES",
    "ApiToken",
    "Ban",
    "Base",
    "Comment",
    "CommentScore",
    "CommentSignal",
    "Decision",
    "LabelledExample",
    "ModelEvent",
    "ModelVersion",
    "Report",
    "Site",
    "SiteApiKey",
    "Staff",
    "Thread",
    "TrustedAuthor",
    "WebhookDelivery",
    "WebhookEndpoint",
]
