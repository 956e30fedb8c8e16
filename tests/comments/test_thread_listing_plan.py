"""Listing a site's threads costs a page, not the site: the page is read in the order of
ix_threads_site_last_comment (no sort of the site's threads, no look at their comments), and
only its own threads' published comments are counted, from ix_comments_thread_status_id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select, text

from comments.extensions import db
from comments.models import Comment, Site, Thread
from comments.services.thread_listing import page_statement, published_counts_statement
from tests.comments.query_plans import plan

AFTER = (datetime(2026, 12, 1, tzinfo=UTC), 40)
THREADS, PER_THREAD = 400, 10


@pytest.fixture
def site_id(app: Flask) -> int:
    """A site of 400 threads and 4,000 comments, analysed: both engines plan by statistics,
    and on an empty table PostgreSQL scans whatever the indexes (read by hand at 5,000)."""
    with app.app_context():
        session = db.session()
        found = session.scalar(select(Site.id).where(Site.name == "default"))
        assert found is not None
        session.execute(
            insert(Thread), [{"site_id": found, "key": f"/{n}"} for n in range(THREADS)]
        )
        thread_ids = list(session.scalars(select(Thread.id)))
        comment = {"body_raw": "x", "body_html": "<p>x</p>", "renderer_version": "1"}
        session.execute(
            insert(Comment),
            [
                {
                    **comment,
                    "site_id": found,
                    "thread_id": thread_id,
                    "body_fingerprint": "f",
                    "status": ("published", "pending", "spam")[n % 3],
                }
                for thread_id in thread_ids
                for n in range(PER_THREAD)
            ],
        )
        session.commit()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        return found


@pytest.mark.parametrize("after", [None, AFTER], ids=["first page", "next page"])
def test_a_page_of_threads_is_read_in_index_order(app: Flask, site_id: int, after: Any) -> None:
    with app.app_context():
        details = plan(db.session.connection(), page_statement(site_id, 51, after))
    assert "ix_threads_site_last_comment" in details, details
    assert "TEMP B-TREE" not in details and "Sort" not in details, details  # no sort step


def test_only_the_pages_threads_comments_are_counted(app: Flask, site_id: int) -> None:
    """A range of (thread_id, status) per thread: either index that starts so will do."""
    with app.app_context():
        connection = db.session.connection()
        details = plan(connection, published_counts_statement([3, 5, 8]))
        if connection.dialect.name == "sqlite":
            assert "(thread_id=? AND status=?)" in details, details
        else:
            assert "Index Cond: ((thread_id = ANY" in details, details
            assert "AND (status = 'published'" in details, details
