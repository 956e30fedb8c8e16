"""What readers and moderators are mailed, queued in the transaction of the event.

Queueing costs nothing when e-mail is off (SMTP_HOST unset) and, when it is on, nothing in
the common case: subscriptions are read only for a published reply or a comment published by
a moderator, and who wants immediate mail is cached per process (``staff_recipients``).

- The author who ticked "E-mail me replies" gets one confirmation mail (not for spam).
- Each confirmed subscriber to the parent of a published reply gets the reply, unless they
  wrote it themself (same address); once, however often a moderator publishes it again.
- The confirmed subscriber of a comment a moderator publishes after review is told so, on its
  first publication only: the ticked box is the only consent we have, so authors who did not
  tick it get nothing.
- Moderators who chose "immediate" get a mail per held or reported comment on their sites,
  including a published or spam comment its author's edit holds.

A mail still waiting in the outbox (an SMTP outage, retries) is withdrawn in the transaction
that makes it wrong (``_withdraw``): a reply or "published" mail once the comment is no longer
published, a moderators' notice once a moderator decided the comment or its author deleted it.
Deleting then, rather than checking in the sender, keeps the sender's polling free of joins
and knows what happened, which a moderators' notice needs: it is about a comment that is not
published by design. Confirmations stay: they go to the author, about their own text.
An author's edit that leaves such a mail right in all but its text queues it again, with the
new text, to the recipients it had (``comment_edited``).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comments.models import Comment, MailSubscription, OutboxMail, Report, Thread
from comments.services.mail import links, settings, staff_recipients, subscriptions, texts
from comments.services.mail.outbox import queue_mail


def open_reports(session: Session, comment_id: int) -> list[int]:
    query = select(Report.id).where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
    return list(session.scalars(query.limit(2)))


def _enabled(*, wanted: bool = True) -> bool:
    if settings.current().enabled:
        return True
    if wanted:
        settings.warn_once("off", "SMTP_HOST is unset: e-mail notifications are off")
    return False


def comment_submitted(session: Session, comment: Comment, notify_replies: bool) -> None:
    """After submit_comment stored a new comment."""
    if not _enabled(wanted=notify_replies) or comment.status == "spam":
        return
    if notify_replies and comment.author_email:
        subscriptions.subscribe(session, comment)
    if comment.status == "published" and comment.parent_id is not None:
        _mail_subscribers_of_parent(session, comment)
    elif comment.status == "pending":
        _mail_moderators(session, comment, "held")


#: Mails that show readers a published comment.
READER_KINDS = ("reply", "published")


def comment_decided(
    session: Session, comment: Comment, *, first_publication: bool, settled: bool
) -> None:
    """After a moderator's decision: a comment published for the first time may owe mails.

    The parent's subscribers get a reply, and its author the news, on its first publication
    only: a comment that was published before (then unpublished, rejected, or held by an edit)
    reached them, or was news to its author, then. ``settled`` is false for a decision that
    sends the comment back to the queue (Unpublish, restore), where it waits again.
    """
    _withdraw(session, comment, moderators=settled)
    if not first_publication or not _enabled(wanted=False):
        return
    if comment.parent_id is not None:
        _mail_subscribers_of_parent(session, comment)
    own = subscriptions.confirmed_for(session, [comment.id])
    if own:
        thread = session.get(Thread, comment.thread_id)
        for subscription in own:
            _send(session, subscription, "published", thread, comment)


def comment_edited(
    session: Session, comment: Comment, *, before: str, first_publication: bool
) -> None:
    """After its author's edit, which re-decided the comment (``before`` is its status then).

    Pending mails about it quote the text it replaced: each is withdrawn, and queued again
    with the new text if it still applies (a reader mail while the comment is published, a
    moderators' notice while it waits), to the same recipients, less any who unsubscribed or
    stopped wanting immediate mail since. A published or spam comment the edit holds starts
    waiting now, so every moderator who wants immediate mail is told, as of a comment held when
    posted: once each, the withdrawn notices included. A first publication mails the
    parent's subscribers as a moderator's approve does; its author is not told, having just
    published it, as nobody is told of a comment published when posted.
    """
    withdrawn = _delete_pending(session, comment, [*READER_KINDS, "moderation"])
    if comment.status == "published":
        _send_again(session, comment, withdrawn)
    staff = withdrawn.get("moderation")
    held_by_edit = before in ("published", "spam") and comment.status == "pending"
    if held_by_edit and _enabled(wanted=False):
        _mail_moderators(session, comment, "held")
    elif staff and comment.status == "pending":
        _mail_moderators(session, comment, "held", only=staff)
    elif staff and comment.status == "published" and open_reports(session, comment.id):
        _mail_moderators(session, comment, "reported", only=staff)
    if first_publication and comment.parent_id is not None and _enabled(wanted=False):
        _mail_subscribers_of_parent(session, comment)


def comment_deleted(session: Session, comment: Comment) -> None:
    """After its author deleted the comment: nothing about it is mailed any more."""
    _withdraw(session, comment, moderators=True)


def _withdraw(session: Session, comment: Comment, *, moderators: bool) -> None:
    """Delete the pending mails about ``comment`` that are now wrong: reader mails if it is
    not published, and moderators' notices if ``moderators`` (nothing waits any more)."""
    kinds = [
        *(READER_KINDS if comment.status != "published" else ()),
        *(("moderation",) if moderators else ()),
    ]
    if kinds:
        _delete_pending(session, comment, kinds)


def _delete_pending(session: Session, comment: Comment, kinds: list[str]) -> dict[str, set[str]]:
    """Delete the pending mails of these kinds about ``comment``; answers their recipients
    by kind. Sent ones stay, as the log, until MAIL_KEEP_DAYS; one a sender is sending
    already goes."""
    deleted = session.execute(
        delete(OutboxMail)
        .where(
            OutboxMail.comment_id == comment.id,
            OutboxMail.status == "pending",
            OutboxMail.kind.in_(kinds),
        )
        .returning(OutboxMail.kind, OutboxMail.to_address),
        execution_options={"synchronize_session": False},
    )
    recipients: dict[str, set[str]] = {}
    for kind, address in deleted:
        recipients.setdefault(kind, set()).add(address)
    return recipients


def _send_again(session: Session, comment: Comment, withdrawn: dict[str, set[str]]) -> None:
    """Queue the withdrawn reader mails about the published ``comment`` again, as it reads
    now, to those of their recipients still subscribed."""
    again = [
        (template, subscription)
        for template, about in (("reply", comment.parent_id), ("published", comment.id))
        if about is not None and withdrawn.get(template)
        for subscription in subscriptions.confirmed_for(session, [about])
        if subscription.email in withdrawn[template]
    ]
    if not again:
        return
    thread = session.get(Thread, comment.thread_id)
    for template, subscription in again:
        _send(session, subscription, template, thread, comment)


def comment_reported(session: Session, comment: Comment) -> None:
    """After a reader's report: mailed for the comment's first open report only."""
    if not _enabled(wanted=False) or not staff_recipients.immediate(session, comment.site_id):
        return
    if len(open_reports(session, comment.id)) == 1:
        _mail_moderators(session, comment, "reported")


def _mail_subscribers_of_parent(session: Session, reply: Comment) -> None:
    assert reply.parent_id is not None
    found = subscriptions.confirmed_for(session, [reply.parent_id])
    recipients = [s for s in found if s.email != (reply.author_email or "")]
    if not recipients:
        return
    thread = session.get(Thread, reply.thread_id)
    for subscription in recipients:
        _send(session, subscription, "reply", thread, reply)


def _send(
    session: Session,
    subscription: MailSubscription,
    template: str,
    thread: Thread | None,
    comment: Comment,
) -> None:
    """One reader mail, with a visible unsubscribe link and RFC 8058 one-click headers."""
    unsubscribe = links.unsubscribe_url(subscription)
    title = texts.quoted_name(thread)
    subject = (
        f"New reply to your comment on {title}"
        if template == "reply"
        else f"Your comment on {title} is published"
    )
    queue_mail(
        session,
        to=subscription.email,
        subject=subject,
        text=texts.render(
            template,
            name=texts.one_line(comment.author_name or "Someone", 80),
            title=title,
            text=texts.quoted(comment.body_html),
            link=texts.comment_link(thread, comment.id),
            unsubscribe=unsubscribe,
        ),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        kind=template,
        comment_id=comment.id,
    )


def _mail_moderators(
    session: Session, comment: Comment, reason: str, *, only: set[str] | None = None
) -> None:
    """One mail per moderator who wants immediate mail (of those addressed ``only``)."""
    recipients = [
        recipient
        for recipient in staff_recipients.immediate(session, comment.site_id)
        if only is None or recipient.email in only
    ]
    if not recipients:
        return
    thread = session.get(Thread, comment.thread_id)
    title = texts.quoted_name(thread)
    site = thread.site.name if thread is not None else "a site"
    base = settings.base_url()
    for recipient in recipients:
        queue_mail(
            session,
            to=recipient.email,
            subject=f"[{site}] Comment {reason}: {title}",
            text=texts.render(
                "held",
                site=site,
                title=title,
                reason=reason,
                name=texts.one_line(comment.author_name or "Anonymous", 80),
                text=texts.excerpt(comment.body_html, 1000),
                link=links.staff_url(recipient.staff_id, comment.id),
                settings=f"{base}/moderation/settings",
            ),
            kind="moderation",
            comment_id=comment.id,
        )
