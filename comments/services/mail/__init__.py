"""E-mail: an outbox written with the change that causes each mail (outbox.queue_mail), a
sender with retries (sender, worker), readers' reply subscriptions (subscriptions), and what
readers and moderators are told (notifications, digests), with signed links (links)."""

from comments.services.mail.outbox import queue_mail

__all__ = ["queue_mail"]
