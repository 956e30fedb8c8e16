"""The data model for the whole product; the schema itself lives only in migrations/."""

from comments.models.authors import Ban, TrustedAuthor
from comments.models.base import Base
from comments.models.comments import (
    STATUSES,
    Comment,
    CommentScore,
    CommentSignal,
    CommentTombstone,
)
from comments.models.imports import ImportedComment
from comments.models.mail import NOTIFY_CHOICES, MailSubscription, OutboxMail
from comments.models.moderation import (
    Decision,
    LabelledExample,
    ModelEvent,
    ModelVersion,
    Report,
)
from comments.models.privacy import ERASURE_MODES, PRIVACY_KINDS, PrivacyRequest
from comments.models.revisions import NUDGE_OUTCOMES, CommentRevision, Nudge
from comments.models.sites import MODERATION_MODES, Site, SiteApiKey, SiteSettingChange, Thread
from comments.models.staff import ROLES, ApiToken, Staff
from comments.models.webhooks import EVENT_TYPES, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ERASURE_MODES",
    "EVENT_TYPES",
    "MODERATION_MODES",
    "NOTIFY_CHOICES",
    "NUDGE_OUTCOMES",
    "PRIVACY_KINDS",
    "ROLES",
    "STATUSES",
    "ApiToken",
    "Ban",
    "Base",
    "Comment",
    "CommentRevision",
    "CommentScore",
    "CommentSignal",
    "CommentTombstone",
    "Decision",
    "ImportedComment",
    "LabelledExample",
    "MailSubscription",
    "ModelEvent",
    "ModelVersion",
    "Nudge",
    "OutboxMail",
    "PrivacyRequest",
    "Report",
    "Site",
    "SiteApiKey",
    "SiteSettingChange",
    "Staff",
    "Thread",
    "TrustedAuthor",
    "WebhookDelivery",
    "WebhookEndpoint",
]
