"""Signed outbound webhooks per site: comment events recorded with the change that causes
them (events), signed the Standard Webhooks way (signing), delivered with retries (delivery,
worker), managed by admins (endpoints)."""

from comments.services.webhooks.events import (
    record_author_events,
    record_comment_events,
    record_decision_events,
)

__all__ = ["record_author_events", "record_comment_events", "record_decision_events"]
