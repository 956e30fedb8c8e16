"""The reported queue starts from the open reports, few beside the comments, and reads their
comments by id, under a site filter or for a moderator limited to some sites as without them:
SQLite, which has no statistics, read the site's comments through ix_comments_site_status_created
instead (48 ms for the count and 160 ms for the page at a million comments). PostgreSQL, which
plans by statistics, already started from the reports; its plans are checked too."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Select, insert, select, text

from comments.extensions import db
from comments.models import Comment, Report, Site, Thread
from comments.services import sites
from comments.services.moderation.queue import (
    QueueQuery,
    capped_queue_counts,
    counts_statement,
    exact_counts_statement,
    page_statement,
    queue_counts,
    queue_page,
)
from tests.comments.query_plans import plan
from tests.conftest import SERVER_URL

COMMENTS, REPORTED_EVERY = 4000, 400


@pytest.fixture
def site_id(app: Flask) -> int:
    """4,000 published comments on the default site, one in 400 with an open report (as in
    bench/seed.py; at one in 40, PostgreSQL reads a table this small whole), and one reported on
    the site "other". PostgreSQL is analysed, as autovacuum would have; SQLite is left as the
    service leaves it (no ANALYZE)."""
    with app.app_context():
        session = db.session()
        found = session.scalar(select(Site.id).where(Site.name == "default"))
        assert found is not None
        thread_id = session.execute(
            insert(Thread).values(site_id=found, key="/busy").returning(Thread.id)
        ).scalar_one()
        comment = {"body_raw": "x", "body_html": "<p>x</p>", "renderer_version": "1"}
        session.execute(
            insert(Comment),
            [
                {
                    **comment,
                    "site_id": found,
                    "thread_id": thread_id,
                    "body_fingerprint": f"f{n}",
                    "status": "published",
                }
                for n in range(COMMENTS)
            ],
        )
        other = sites.create_site(session, "other", {}, by="cli")
        session.flush()
        elsewhere = session.execute(
            insert(Thread).values(site_id=other.id, key="/there").returning(Thread.id)
        ).scalar_one()
        session.execute(
            insert(Comment).values(
                **comment,
                site_id=other.id,
                thread_id=elsewhere,
                body_fingerprint="o",
                status="published",
            )
        )
        ids = list(session.scalars(select(Comment.id).order_by(Comment.id)))
        session.execute(
            insert(Report),
            [{"comment_id": id_, "reason": "abusive"} for id_ in [*ids[::REPORTED_EVERY], ids[-1]]],
        )
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
        return found


def starts_from_the_open_reports(details: str) -> None:
    """SQLite reads ix_reports_open, PostgreSQL its few reports whole; either then reads each
    reported comment by its id."""
    assert "reports" in details, details
    assert "INTEGER PRIMARY KEY" in details or "pk_comments" in details, details
    assert "ix_comments_site_status_created" not in details, details
    assert "SCAN comments" not in details and "Seq Scan on comments" not in details, details


def reported_count(query: QueueQuery) -> Select[tuple[int]]:
    """The reported queue's count alone, of the counts a queue page shows."""
    return select(counts_statement(query, 1000).selected_columns.reported)


#: A site filter, a moderator's sites (the plan is the same whichever ids), both, by score.
QUERIES = {
    "site filter": QueueQuery(queue="reported", site="default"),
    "staff's sites": QueueQuery(queue="reported", site_ids=frozenset({1, 2})),
    "both, by score": QueueQuery(
        queue="reported", site="default", site_ids=frozenset({1}), sort="toxic"
    ),
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_reported_page_under_sites_starts_from_the_open_reports(
    app: Flask, site_id: int, query: QueueQuery
) -> None:
    with app.app_context():
        details = plan(db.session.connection(), page_statement(query))
    starts_from_the_open_reports(details)


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_reported_count_under_sites_starts_from_the_open_reports(
    app: Flask, site_id: int, query: QueueQuery
) -> None:
    with app.app_context():
        details = plan(db.session.connection(), reported_count(query))
    starts_from_the_open_reports(details)


def test_the_exact_reported_count_for_a_moderators_sites_starts_from_the_open_reports(
    app: Flask, site_id: int
) -> None:
    """The statistics page's queue sizes (queue_counts), which no cap bounds."""
    statement = exact_counts_statement(frozenset({1, 2}))
    with app.app_context():
        details = plan(db.session.connection(), select(statement.selected_columns.reported))
    starts_from_the_open_reports(details)


@pytest.mark.skipif(bool(SERVER_URL), reason="SQLite's planner; PostgreSQL's goes by statistics")
def test_the_other_counts_under_a_site_stay_ranges_of_its_index(app: Flask, site_id: int) -> None:
    query = QueueQuery(queue="reported", site_ids=frozenset({site_id}))
    with app.app_context():
        connection = db.session.connection()
        statement = counts_statement(query, 1000)
        for queue in ("pending", "published"):
            details = plan(connection, select(statement.selected_columns[queue]))
            assert "ix_comments_site_status_created (site_id=? AND status=?)" in details, details


def test_the_reported_queue_under_sites_holds_their_reported_comments_only(
    app: Flask, site_id: int
) -> None:
    with app.app_context():
        session = db.session()
        other = session.scalar(select(Site.id).where(Site.name == "other"))
        for query, site, reported in (
            (QueueQuery(queue="reported", site_ids=frozenset({site_id})), site_id, 10),
            (QueueQuery(queue="reported", site="other"), other, 1),
        ):
            listed = queue_page(session, query).comments
            assert [comment.site_id for comment in listed] == [site] * reported
            assert capped_queue_counts(session, query, 1000).counts["reported"] == reported
        assert queue_counts(session, frozenset({site_id}))["reported"] == 10
