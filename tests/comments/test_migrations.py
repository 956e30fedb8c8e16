"""The schema lives in migrations/: one head, and an upgraded database matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, inspect, select, text, update

from comments import MIGRATIONS_DIR
from comments.extensions import db
from comments.models import Base, Site, WebhookEndpoint
from tests.comments.conftest import PostComment, StaffToken


def test_single_head() -> None:
    from alembic.config import Config

    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_database_matches_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_models_and_the_upgraded_database_agree_on_which_ids_are_never_reused(
    app: Flask,
) -> None:
    """The comparison above does not look at SQLite's AUTOINCREMENT (migration 0023): a table
    declared so in the models but not migrated, or the reverse, would go unseen."""
    declared = {
        name
        for name, table in Base.metadata.tables.items()
        if table.dialect_options["sqlite"]["autoincrement"]
    }
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL's sequences never reuse an id")
        tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE :declaring"
        migrated = set(connection.scalars(text(tables), {"declaring": "%AUTOINCREMENT%"}))
    assert "comments" in declared and declared == migrated


def test_every_index_of_the_models_is_in_the_upgraded_database(app: Flask) -> None:
    """Read from the catalogue, since reflection (and so the comparison above) skips the
    expression indexes on SQLite: a batch rebuild of their table would lose them unseen."""
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    with app.app_context(), db.engine.connect() as connection:
        catalogue = (
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if connection.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
        present = set(connection.scalars(text(catalogue)))
    assert "ix_comments_status_spam" in declared
    assert declared - present == set()


def test_default_site_exists_after_upgrade(app: Flask) -> None:
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.name == "default"))
        assert site is not None
        assert site.moderation == "auto" and site.max_links == 3


def test_endpoints_that_took_every_event_get_the_authors_events(app: Flask) -> None:
    """Migration 0014: "every event" stays every event; a narrower choice stays narrow."""
    import flask_migrate

    earlier = ["comment.created", "comment.published", "comment.held", "comment.decided"]
    with app.app_context():
        flask_migrate.downgrade(revision="0013")
        site_id = db.session.scalar(select(Site.id).where(Site.name == "default"))
        for url, events in (
            ("https://a.example/all", earlier),
            ("https://b.example/x", earlier[:1]),
        ):
            db.session.execute(
                WebhookEndpoint.__table__.insert().values(
                    site_id=site_id, url=url, secret="whsec_x", events=events
                )
            )
        db.session.commit()
        flask_migrate.upgrade()
        rows = dict(db.session.execute(select(WebhookEndpoint.url, WebhookEndpoint.events)).all())
    assert rows["https://a.example/all"] == [*earlier, "comment.edited", "comment.deleted"]
    assert rows["https://b.example/x"] == ["comment.created"]


def test_a_downgrade_and_upgrade_keep_every_comment(app: Flask, post_comment) -> None:
    """On SQLite, dropping a column of ``sites`` rebuilds the table; with foreign keys on, the
    rebuild's DROP TABLE used to cascade and delete every thread and comment."""
    import flask_migrate

    from comments.models import Comment

    ids = [post_comment(body=f"Comment number {n} on the post.").get_json()["id"] for n in (1, 2)]
    with app.app_context():
        flask_migrate.downgrade(revision="0010")
        flask_migrate.upgrade()
        kept = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
    assert kept == ids


def test_edit_extensions_go_and_come_back_without_touching_comments(
    app: Flask, post_comment: PostComment
) -> None:
    """Migration 0017 adds and drops a column in place: every comment stays, every index of
    ``comments`` with it (a SQLite rebuild could not copy the expression indexes), and after
    an upgrade each comment starts without extensions."""
    import flask_migrate

    from comments.models import Comment

    def columns_and_indexes() -> tuple[set[str], set[str]]:
        with db.engine.connect() as connection:
            schema = inspect(connection)
            columns = {column["name"] for column in schema.get_columns("comments")}
            # From the catalogue: reflection skips expression indexes on SQLite.
            catalogue = (
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments'"
                if connection.dialect.name == "sqlite"
                else "SELECT indexname FROM pg_indexes WHERE tablename = 'comments'"
            )
            return columns, set(connection.scalars(text(catalogue)))

    ids = [post_comment(body=f"Comment number {n} on the post.").get_json()["id"] for n in (1, 2)]
    with app.app_context():
        columns, indexes = columns_and_indexes()
        assert "ix_comments_status_toxicity" in indexes
        db.session.execute(update(Comment).values(edit_extensions=3))
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision="0016")
        # 0018's index of thread changes and 0024's of author names go first, on the way down.
        later = {"ix_comments_thread_status_updated", "ix_comments_lower_name_status"}
        assert columns_and_indexes() == (columns - {"edit_extensions"}, indexes - later)
        flask_migrate.upgrade()
        assert columns_and_indexes() == (columns, indexes)
        rows = db.session.execute(
            select(Comment.id, Comment.edit_extensions).order_by(Comment.id)
        ).all()
    assert [tuple(row) for row in rows] == [(ids[0], 0), (ids[1], 0)]


#: What migration 0021 adds to threads.
_LISTING_COLUMNS = {"last_comment_at", "closed_changed_at", "closed_changed_by"}


def test_the_thread_listing_columns_are_filled_from_the_comments_and_keep_them(
    app: Flask, post_comment: PostComment
) -> None:
    """Migration 0021 rebuilds ``threads`` on SQLite: down and up again, every thread keeps its
    comments, and each thread's last comment time is its newest comment's (or its own time
    for a thread without any left)."""
    import flask_migrate

    from comments.models import Comment, Thread

    ids = [post_comment(thread=path).get_json()["id"] for path in ("/a", "/b", "/b", "/gone")]
    with app.app_context():
        db.session.execute(delete(Comment).where(Comment.id == ids.pop()))
        db.session.commit()
        newest = dict(
            db.session.execute(
                select(Thread.key, func.max(Comment.created_at))
                .join(Comment, Comment.thread_id == Thread.id)
                .group_by(Thread.key)
            ).all()
        )
        newest["/gone"] = db.session.scalar(select(Thread.created_at).where(Thread.key == "/gone"))
        db.session.remove()
        flask_migrate.downgrade(revision="0020")
        with db.engine.connect() as connection:
            threads = {column["name"] for column in inspect(connection).get_columns("threads")}
        assert not threads & _LISTING_COLUMNS
        flask_migrate.upgrade()
        listed = dict(db.session.execute(select(Thread.key, Thread.last_comment_at)).all())
        kept = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
    assert listed == newest and kept == ids


def test_healthz_says_when_the_schema_needs_an_upgrade(app: Flask) -> None:
    """A database never migrated, or left behind by an upgrade of the code, made /healthz
    answer an HTML 500 (PostgreSQL) or "the database cannot be reached" (SQLite)."""
    import flask_migrate

    client = app.test_client()
    with app.app_context():
        flask_migrate.downgrade(revision="0016")
    answer = client.get("/healthz")
    assert answer.status_code == 503 and "Retry-After" not in answer.headers
    database = answer.get_json()["database"]
    assert database["ok"] is False
    assert database["error"] == (
        "schema at revision 0016, this code needs 0027: run flask --app wsgi db upgrade"
    )
    with app.app_context():
        flask_migrate.downgrade(revision="base")
    assert "schema at revision none" in client.get("/healthz").get_json()["database"]["error"]
    with app.app_context():
        flask_migrate.upgrade()
    assert client.get("/healthz").status_code == 200


def test_healthz_accepts_a_schema_newer_than_the_code(app: Flask) -> None:
    """Rolling upgrades migrate first: instances on the older code keep serving meanwhile."""
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        db.session.commit()
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["database"]["ok"] is True


def test_closed_threads_go_and_come_back_keeping_every_thread_and_site(
    app: Flask, post_comment: PostComment
) -> None:
    """Migration 0019 adds ``threads.closed`` and ``sites.close_after_days`` in place: down
    and up again, every thread, site and comment stays, and each thread follows its site
    again (the settings themselves go with the columns)."""
    import flask_migrate

    from comments.models import Comment, Thread

    def columns(table: str) -> set[str]:
        with db.engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns(table)}

    ids = [post_comment(thread=f"/post/{n}").get_json()["id"] for n in (1, 2)]
    with app.app_context():
        threads, sites = columns("threads"), columns("sites")
        db.session.execute(update(Thread).values(closed=True))
        db.session.execute(update(Site).values(close_after_days=7))
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision="0018")
        # 0020's and 0021's columns go too, on the way down past them.
        assert columns("threads") == threads - {
            "closed",
            "tombstones_pruned_before",
            *_LISTING_COLUMNS,
        }
        assert columns("sites") == sites - {"close_after_days"}
        flask_migrate.upgrade()
        assert (columns("threads"), columns("sites")) == (threads, sites)
        rows = db.session.execute(select(Thread.key, Thread.closed).order_by(Thread.key)).all()
        days = db.session.scalars(select(Site.close_after_days)).all()
        kept = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
    assert [tuple(row) for row in rows] == [("/post/1", None), ("/post/2", None)]
    assert days == [0] and kept == ids


def test_site_setting_changes_go_down_and_come_back_leaving_the_sites_alone(
    app: Flask, client: FlaskClient, staff_headers: StaffToken
) -> None:
    """Migration 0022 is a table of its own: down drops it (and its records), up makes it again,
    with its index, and the sites and their settings stay as they were throughout."""
    import flask_migrate

    from comments.models import SiteSettingChange

    admin = staff_headers("admin")
    assert (
        client.patch("/api/v1/sites/default", json={"max_links": 7}, headers=admin).status_code
        == 200
    )

    def tables() -> set[str]:
        with db.engine.connect() as connection:
            return set(inspect(connection).get_table_names())

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SiteSettingChange)) == 1
        db.session.remove()
        flask_migrate.downgrade(revision="0021")
        assert "site_setting_changes" not in tables()
        flask_migrate.upgrade()
        assert "site_setting_changes" in tables()
        with db.engine.connect() as connection:
            indexes = inspect(connection).get_indexes("site_setting_changes")
        assert [index["column_names"] for index in indexes] == [["site_id", "created_at", "id"]]
        assert db.session.scalar(select(func.count()).select_from(SiteSettingChange)) == 0
        assert db.session.scalar(select(Site.max_links).where(Site.name == "default")) == 7


def test_the_author_name_index_goes_and_comes_back_keeping_every_comment(
    app: Flask, client: FlaskClient, staff_headers: StaffToken, post_comment: PostComment
) -> None:
    """Migration 0024 adds ix_comments_lower_name_status (an expression index, which reflection
    skips on SQLite: read from the catalogue); the queue's author filter lists the same comments
    after it went down and came back."""
    import flask_migrate

    from comments.models import Comment

    moderator = staff_headers("moderator")
    ids = [post_comment(author_name=name).get_json()["id"] for name in ("Ann Lee", "Bob")]
    by_author = "/api/v1/moderation/queue?status=published&author=ANN%20LEE"

    def indexes() -> set[str]:
        with db.engine.connect() as connection:
            catalogue = (
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                if connection.dialect.name == "sqlite"
                else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
            return set(connection.scalars(text(catalogue)))

    listed = [item["id"] for item in client.get(by_author, headers=moderator).get_json()["items"]]
    assert listed == ids[:1]
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="0023")
        assert "ix_comments_lower_name_status" not in indexes()
        assert "ix_comments_email_site_status" in indexes()
        flask_migrate.upgrade()
        assert "ix_comments_lower_name_status" in indexes()
        kept = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
    assert kept == ids
    again = client.get(by_author, headers=moderator).get_json()["items"]
    assert [item["id"] for item in again] == listed


def test_the_author_name_index_built_by_hand_first_is_kept_by_the_upgrade(app: Flask) -> None:
    """As 0024 advises for a large PostgreSQL table (there CONCURRENTLY, so writes go on):
    the upgrade finds the index already there and goes on."""
    import flask_migrate

    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="0023")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE INDEX ix_comments_lower_name_status"
                " ON comments (lower(author_name), status)"
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0027"


#: The indexes migration 0005 adds, as an operator would build them by hand first.
_QUEUE_INDEXES_BY_HAND = {
    "ix_comments_status_created": "comments (status, created_at, id)",
    "ix_comments_status_toxicity": "comments (status, coalesce(toxicity, -1.0), id)",
    "ix_comments_status_spam": "comments (status, coalesce(spam, -1.0), id)",
    "ix_comments_email_site_status": "comments (author_email, site_id, status)",
    "ix_reports_open": "reports (comment_id) WHERE resolved_at IS NULL",
}


def test_the_queue_indexes_built_by_hand_first_are_kept_by_the_upgrade(app: Flask) -> None:
    """As 0005 advises for a large PostgreSQL table (there CONCURRENTLY, so writes go on):
    the upgrade finds its indexes already there and goes on to the head."""
    import flask_migrate

    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="0004")
        with db.engine.begin() as connection:
            for name, target in _QUEUE_INDEXES_BY_HAND.items():
                connection.exec_driver_sql(f"CREATE INDEX {name} ON {target}")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0027"
            catalogue = (
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                if connection.dialect.name == "sqlite"
                else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
            indexes = set(connection.scalars(text(catalogue)))
    assert set(_QUEUE_INDEXES_BY_HAND) <= indexes
    assert "ix_comments_site_email" not in indexes
