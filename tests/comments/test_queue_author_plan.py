"""The queue's author filter (e-mail, or name in any case) reads the author's comments, not the
queue: each side of its OR is a range of an index (ix_comments_email_site_status,
ix_comments_lower_name_status from migration 0024), for the page and for each queue's count."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import insert, select, text

from comments.extensions import db
from comments.models import Comment, Site, Thread
from comments.services.moderation.queue import QueueQuery, counts_statement, page_statement
from tests.comments.query_plans import plan

AUTHORS, PER_AUTHOR = 400, 10
STATUSES = ("published", "published", "published", "pending", "spam")


@pytest.fixture
def seeded(app: Flask) -> None:
    """4,000 comments by 400 authors, ten each in every status. PostgreSQL is analysed, as
    autovacuum would have; SQLite is left as the service leaves it (no ANALYZE)."""
    with app.app_context():
        session = db.session()
        site_id = session.scalar(select(Site.id).where(Site.name == "default"))
        thread_id = session.execute(
            insert(Thread).values(site_id=site_id, key="/busy").returning(Thread.id)
        ).scalar_one()
        comment = {"body_raw": "x", "body_html": "<p>x</p>", "renderer_version": "1"}
        session.execute(
            insert(Comment),
            [
                {
                    **comment,
                    "site_id": site_id,
                    "thread_id": thread_id,
                    "body_fingerprint": f"f{author}-{n}",
                    "author_name": f"Author {author}",
                    "author_email": f"author{author}@example.org",
                    "status": STATUSES[n % len(STATUSES)],
                }
                for author in range(AUTHORS)
                for n in range(PER_AUTHOR)
            ],
        )
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()


def reads_the_author_through_both_indexes(details: str) -> None:
    assert "ix_comments_email_site_status" in details, details
    assert "ix_comments_lower_name_status" in details, details
    assert "SCAN comments" not in details and "Seq Scan on comments" not in details, details


#: The author alone, and with the filters whose own index SQLite would otherwise read instead.
QUERIES = {
    "e-mail": QueueQuery(queue="published", author="author7@example.org"),
    "name by score": QueueQuery(queue="published", author="AUTHOR 7", sort="toxic"),
    "site": QueueQuery(queue="pending", author="Author 7", site="default"),
    "staff's sites and thread": QueueQuery(
        queue="spam", author="Author 7", site_ids=frozenset({1}), thread="/busy"
    ),
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_a_page_under_an_author_reads_their_comments_only(
    app: Flask, seeded: None, query: QueueQuery
) -> None:
    with app.app_context():
        details = plan(db.session.connection(), page_statement(query))
    reads_the_author_through_both_indexes(details)


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_counts_under_an_author_read_their_comments_only(
    app: Flask, seeded: None, query: QueueQuery
) -> None:
    with app.app_context():
        details = plan(db.session.connection(), counts_statement(query, 1000))
    reads_the_author_through_both_indexes(details)
