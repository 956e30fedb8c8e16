"""Statistics on a small dataset whose every number is known in advance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from comments.extensions import db
from comments.models import Comment, Decision, ModelVersion, Site, Thread
from comments.moderation_ui import stats
from tests.moderation_ui.conftest import SignedIn

HOUR = 3600.0


@dataclass(frozen=True)
class Dataset:
    day1: date
    day2: date
    default_site: int


def _comment(session: Session, site: Site, created: datetime, version: str, status: str) -> Comment:
    thread = session.scalar(select(Thread).where(Thread.site_id == site.id))
    if thread is None:
        thread = Thread(site_id=site.id, key="/stats", title="Stats")
        session.add(thread)
        session.flush()
    comment = Comment(
        site_id=site.id,
        thread_id=thread.id,
        status=status,
        body_raw="text",
        body_html="<p>text</p>",
        renderer_version="test",
        body_fingerprint="f" * 64,
        model_version=version,
        toxicity=0.5,
        spam=0.1,
        created_at=created,
        updated_at=created,
    )
    session.add(comment)
    session.flush()
    action = {"published": "publish", "pending": "hold", "spam": "file_spam"}[status]
    session.add(
        Decision(
            comment_id=comment.id,
            actor="model",
            model_version=version,
            action=action,
            from_status=None,
            to_status=status,
            created_at=created,
        )
    )
    return comment


def _staff_decision(
    session: Session, comment: Comment, at: datetime, action: str, to_status: str
) -> None:
    session.add(
        Decision(
            comment_id=comment.id,
            actor="staff",
            model_version=comment.model_version,
            action=action,
            from_status=comment.status,
            to_status=to_status,
            created_at=at,
        )
    )
    if action != "ban":
        comment.status = to_status
    session.flush()


@pytest.fixture
def dataset(app: Flask) -> Dataset:
    """Two model versions over two days, one older comment, one comment on another site."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    d1, d2 = today - timedelta(days=2), today - timedelta(days=1)
    with app.app_context():
        session = db.session()
        session.add_all([ModelVersion(version=v, sha256="0" * 64, card={}) for v in ("m1", "m2")])
        default = session.scalar(select(Site).where(Site.name == "default"))
        assert default is not None
        other = Site(name="other", title="Other")
        session.add(other)
        session.flush()
        at = lambda day, hours: day + timedelta(hours=hours)  # noqa: E731
        _comment(session, default, at(d1, 10), "m1", "published")
        c2 = _comment(session, default, at(d1, 10), "m1", "pending")
        c3 = _comment(session, default, at(d1, 12), "m1", "pending")
        c4 = _comment(session, default, at(d2, 9), "m2", "spam")
        c5 = _comment(session, default, at(d2, 9), "m2", "published")
        c6 = _comment(session, default, at(d2, 9), "m2", "published")
        _comment(session, default, at(d2, 9), "m2", "pending")
        _comment(session, default, today - timedelta(days=40), "m1", "published")
        c8 = _comment(session, other, at(d2, 8), "m1", "pending")
        _staff_decision(session, c2, at(d1, 11), "approve", "published")
        _staff_decision(session, c3, at(d1, 12.5), "reject", "rejected")
        _staff_decision(session, c3, at(d1, 15), "approve", "published")  # not the first
        _staff_decision(session, c4, at(d2, 9.5), "ban", "spam")  # bans are not reviews
        _staff_decision(session, c4, at(d2, 10), "not_spam", "published")
        _staff_decision(session, c5, at(d2, 13), "approve", "published")  # kept after a report
        _staff_decision(session, c6, at(d2, 14), "reject", "rejected")  # taken down: overruled
        _staff_decision(session, c8, at(d2, 9), "reject", "rejected")
        session.commit()
        return Dataset(d1.date(), d2.date(), default.id)


def test_model_outcomes_per_day(app: Flask, dataset: Dataset) -> None:
    with app.app_context():
        days = stats.model_outcomes_by_day(db.session(), frozenset({dataset.default_site}))
    assert days == [
        stats.DayOutcomes(dataset.day1, published=1, pending=2, spam=0),
        stats.DayOutcomes(dataset.day2, published=2, pending=1, spam=1),
    ]
    assert days[0].rate("pending") == pytest.approx(2 / 3)
    with app.app_context():
        everywhere = stats.model_outcomes_by_day(db.session())
    assert [d.total for d in everywhere] == [3, 5]


def test_overrules_per_model_version(app: Flask, dataset: Dataset) -> None:
    """Publishing what the model held or filed, or taking down what it published, overrules
    it; rejecting what it held, or keeping what it published, agrees with it."""
    with app.app_context():
        rows = stats.overrules_by_model(db.session(), frozenset({dataset.default_site}))
    assert rows == [
        stats.Overrules(
            "m1", decided=4, reviewed=2, overruled=1, changes=[("pending", "published", 1)]
        ),
        stats.Overrules(
            "m2",
            decided=4,
            reviewed=3,
            overruled=2,
            changes=[("published", "rejected", 1), ("spam", "published", 1)],
        ),
    ]
    assert rows[0].rate == pytest.approx(0.5)
    with app.app_context():
        everywhere = stats.overrules_by_model(db.session())
    assert (everywhere[0].decided, everywhere[0].reviewed, everywhere[0].overruled) == (5, 3, 1)


def test_time_to_first_staff_decision(app: Flask, dataset: Dataset) -> None:
    with app.app_context():
        timing = stats.time_to_decision(db.session(), frozenset({dataset.default_site}))
    # Waits: 1 h and 30 min on day 1; 1 h (the ban before it does not count), 4 h and 5 h on
    # day 2.
    assert timing.count == 5
    assert timing.median_seconds == pytest.approx(HOUR)
    assert timing.by_day == [
        stats.DayTiming(dataset.day1, 0.75 * HOUR, 2),
        stats.DayTiming(dataset.day2, 4 * HOUR, 3),
    ]


def test_windows_leave_old_decisions_out(app: Flask, dataset: Dataset) -> None:
    """Two days back from the day after day 2 reach day 2 only."""
    now = datetime.combine(dataset.day2 + timedelta(days=2), datetime.min.time(), UTC)
    only_default = frozenset({dataset.default_site})
    with app.app_context():
        session = db.session()
        days = stats.model_outcomes_by_day(session, only_default, days=2, now=now)
        assert [d.day for d in days] == [dataset.day2]
        timing = stats.time_to_decision(session, only_default, days=2, now=now)
        assert (timing.count, timing.median_seconds) == (3, 4 * HOUR)


def test_empty_database(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        assert stats.model_outcomes_by_day(session) == []
        assert stats.overrules_by_model(session) == []
        assert stats.time_to_decision(session) == stats.Timing(None, 0, [])


def test_statistics_page_plots_and_tabulates_the_numbers(
    signed_in: SignedIn, dataset: Dataset
) -> None:
    page = signed_in("analyst").get("/moderation/stats").text
    assert page.count("<svg") == 4 and page.count('role="img"') == 4
    assert f'<tr data-day="{dataset.day1.isoformat()}">' in page
    assert "1 (33%)" in page and "2 (67%)" in page
    m1 = page[page.index('<tr data-version="m1">') :]
    m1 = m1[: m1.index("</tr>")]
    assert "33%" in m1 and "pending → published: 1" in m1 and "rejected" not in m1  # every site
    assert "published → rejected: 1; spam → published: 1" in page
    assert 'data-stat="median">1 h<' in page
    assert 'data-stat="size-pending">1<' in page and 'data-stat="size-published">6<' in page


def test_an_unpublish_is_one_take_down_and_a_restore_from_spam_waits_for_the_verdict(
    app: Flask,
) -> None:
    """Unpublishing what the model published overrules it, once, whatever follows; restoring
    what it filed as spam decides nothing: the moderator's next decision is compared (and
    timed) instead."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    at = lambda hours: start - timedelta(days=2) + timedelta(hours=hours)  # noqa: E731
    with app.app_context():
        session = db.session()
        session.add(ModelVersion(version="m3", sha256="0" * 64, card={}))
        site = session.scalar(select(Site).where(Site.name == "default"))
        assert site is not None
        rejected, left, kept, filed, refiled = (
            _comment(session, site, at(1), "m3", status)
            for status in ("published", "published", "published", "spam", "spam")
        )
        for comment in (rejected, left, kept):
            _staff_decision(session, comment, at(2), "restore", "pending")  # Unpublish
        _staff_decision(session, rejected, at(3), "reject", "rejected")  # not counted again
        _staff_decision(session, kept, at(3), "approve", "published")  # a second thought
        for comment in (filed, refiled):
            _staff_decision(session, comment, at(2), "restore", "pending")
        _staff_decision(session, filed, at(26), "approve", "published")  # the next day
        _staff_decision(session, refiled, at(26), "spam", "spam")
        session.commit()

        [row] = stats.overrules_by_model(session)
        timing = stats.time_to_decision(session)
    assert row == stats.Overrules(
        "m3",
        decided=5,
        reviewed=5,
        overruled=4,
        changes=[("published", "unpublished", 3), ("spam", "published", 1)],
    )
    # An hour to each Unpublish; a day and an hour to each verdict on those taken out of spam.
    assert (timing.count, timing.median_seconds) == (5, HOUR)
    assert timing.by_day == [
        stats.DayTiming(at(0).date(), HOUR, 3),
        stats.DayTiming(at(24).date(), 25 * HOUR, 2),
    ]


def test_the_statistics_page_says_unpublished_not_pending(signed_in: SignedIn, app: Flask) -> None:
    with app.app_context():
        session = db.session()
        session.add(ModelVersion(version="m3", sha256="0" * 64, card={}))
        site = session.scalar(select(Site).where(Site.name == "default"))
        assert site is not None
        comment = _comment(session, site, datetime.now(UTC) - timedelta(hours=2), "m3", "published")
        _staff_decision(session, comment, datetime.now(UTC), "restore", "pending")
        session.commit()
    page = signed_in("analyst").get("/moderation/stats").text
    row = page[page.index('<tr data-version="m3">') :]
    assert "published → unpublished: 1" in row[: row.index("</tr>")]
