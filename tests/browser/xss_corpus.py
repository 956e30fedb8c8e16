"""The shared XSS corpus as stored comments: every payload posted in every user field.

Payloads go through the public API (the in-process test client on the live server's database,
rate limits off), so validation, cleaning, rendering and storage are exactly the service's.
Each payload gets one comment carrying it in the body, the author name and the website; a field
the API refuses is recorded as refused (the answer must be a clean 400/422 naming the field)
and the comment is posted again without it.

A website is almost never a valid address as typed (none of the corpus is), so each payload
refused there is also tried inside a real address, ``https://xss.example/?q=<payload>`` with
spaces as ``%20``: that is how hostile characters reach a stored website, and it puts them in
front of every renderer of websites.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments.extensions import db
from comments.models import Comment

PAYLOADS_PATH = Path(__file__).resolve().parents[3] / "shared" / "security" / "xss-payloads.txt"
#: The fields a reader controls that people see; the website has two forms, see above.
FIELDS = ("body", "author_name", "author_url")
ADDRESS = "https://xss.example/?q="
#: Comments per thread: a few hundred, so each thread spans several pages of the widget (200 a
#: page) and of the moderation queue (200 a page).
THREAD_SIZE = 480
#: Shown when a refused body leaves a comment to carry the payload's other fields.
STAND_IN_BODY = "(the payload was refused as a body)"


def load_payloads() -> list[str]:
    return PAYLOADS_PATH.read_text(encoding="utf-8", errors="replace").splitlines()


def describe(payload: str, limit: int = 160) -> str:
    text = repr(payload)
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True, slots=True)
class StoredComment:
    """One stored comment, as the database holds it, and the payload it carries."""

    id: int
    payload: int
    thread: str
    status: str
    body: str
    body_html: str
    author_name: str
    author_url: str | None

    def expected(self) -> dict[str, str | None]:
        """What each surface must show of this comment, as exact text (checked in the page)."""
        return {"body": self.body, "author_name": self.author_name, "author_url": self.author_url}

    def fields(self) -> set[str]:
        """The user fields this comment carries from its payload (the rest stayed empty)."""
        present = {"body"} if self.body != STAND_IN_BODY else set()
        present |= {"author_name"} if self.author_name else set()
        return present | ({"author_url"} if self.author_url else set())


@dataclass(frozen=True, slots=True)
class Refusal:
    payload: int
    field: str
    status: int
    answer: Any


@dataclass
class Corpus:
    payloads: list[str]
    site: str
    threads: list[str]
    comments: dict[int, StoredComment] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    #: Answers that were neither a creation nor a field refusal (5xx above all): must stay empty.
    unexpected: list[tuple[int, int, Any]] = field(default_factory=list)

    def in_thread(self, thread: str) -> list[StoredComment]:
        return sorted((c for c in self.comments.values() if c.thread == thread), key=_by_id)

    def refused(self, field_name: str) -> list[int]:
        return [r.payload for r in self.refusals if r.field == field_name]

    def carrying_comments(self, field_name: str) -> list[StoredComment]:
        """The comments that carry their payload in this field."""
        return [c for c in self.comments.values() if field_name in c.fields()]

    def carrying(self, field_name: str) -> set[int]:
        return {c.id for c in self.carrying_comments(field_name)}

    def statuses(self) -> Counter[str]:
        return Counter(c.status for c in self.comments.values())


def _by_id(comment: StoredComment) -> int:
    return comment.id


def _field_errors(answer: Any) -> dict[str, Any]:
    errors = answer.get("errors") if isinstance(answer, dict) else None
    return errors if isinstance(errors, dict) else {}


def _address(payload: str) -> str:
    return ADDRESS + payload.replace(" ", "%20")


def _post_one(client: FlaskClient, corpus: Corpus, index: int, thread: str) -> int | None:
    """Post payload ``index`` in every field; drop what is refused; return the comment id."""
    payload = corpus.payloads[index]
    fields: dict[str, str] = {"body": payload, "author_name": payload, "author_url": payload}
    website_form = "as typed"
    for _attempt in range(4):
        response = client.post(
            "/api/v1/comments",
            json={"site": corpus.site, "thread": thread, "thread_title": thread, **fields},
        )
        answer = response.get_json(silent=True)
        if response.status_code == 201:
            return int(answer["id"])
        errors = _field_errors(answer)
        if response.status_code not in (400, 422) or not errors or set(errors) - set(fields):
            corpus.unexpected.append((index, response.status_code, answer))
            return None
        for name in errors:
            label = name if name != "author_url" else f"author_url ({website_form})"
            corpus.refusals.append(Refusal(index, label, response.status_code, answer))
            if name == "body":
                fields["body"] = STAND_IN_BODY
            elif name == "author_url" and website_form == "as typed":
                fields["author_url"], website_form = _address(payload), "in an address"
            else:
                del fields[name]
    corpus.unexpected.append((index, 0, "still refused after dropping every refused field"))
    return None


def store_corpus(app: Flask, site: str, run: str) -> Corpus:
    """Post every payload through the API, in threads of THREAD_SIZE; read back what is stored."""
    payloads = load_payloads()
    count = -(-len(payloads) // THREAD_SIZE)
    threads = [f"/xss-corpus/{run}/{n:02d}" for n in range(count)]
    corpus = Corpus(payloads, site, threads)
    client = app.test_client()
    posted: dict[int, tuple[int, str]] = {}
    for index in range(len(payloads)):
        thread = threads[index // THREAD_SIZE]
        comment_id = _post_one(client, corpus, index, thread)
        if comment_id is not None:
            posted[comment_id] = (index, thread)
    corpus.comments = read_back(app, posted)
    return corpus


def read_back(app: Flask, posted: dict[int, tuple[int, str]]) -> dict[int, StoredComment]:
    """The stored rows of the posted comments: what every surface must show, exactly."""
    with app.app_context():
        rows = db.session.execute(
            select(
                Comment.id,
                Comment.status,
                Comment.body_raw,
                Comment.body_html,
                Comment.author_name,
                Comment.author_url,
            ).where(Comment.id.in_(posted))
        ).all()
        db.session.remove()
    return {
        row.id: StoredComment(
            id=row.id,
            payload=posted[row.id][0],
            thread=posted[row.id][1],
            status=row.status,
            body=row.body_raw,
            body_html=row.body_html,
            author_name=row.author_name or "",
            author_url=row.author_url,
        )
        for row in rows
    }
