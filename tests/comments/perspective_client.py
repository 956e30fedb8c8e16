"""Calling the Perspective-compatible API the way Coral Talk's Perspective client does.

Coral joins ``/comments:analyze`` to its configured endpoint, puts the key in ``?key=`` and
POSTs ``{"comment": {"text"}, "doNotStore", "requestedAttributes": {"TOXICITY": {}},
"languages": ["en"]}`` as JSON.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments.extensions import db
from comments.models import LabelledExample

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
#: Spam the shipped model is sure of.
CHANNEL_SPAM = "Hey guys check out my new song on my channel and subscribe http://music.example"


def coral_body(text: str, **extra: Any) -> dict[str, Any]:
    """Coral's analyze request, as its perspective client formats it."""
    return {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
        **extra,
    }


def call(client: FlaskClient, path: str, key: str | None, body: Any) -> Any:
    """POST a JSON body (or raw bytes) with the key in the query string, like Coral."""
    url = f"{path}?{urlencode({'key': key})}" if key is not None else path
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data=data, headers={"Content-Type": "application/json"})


def table_counts(app: Flask) -> dict[str, int]:
    """Rows in every table of the schema."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def examples(app: Flask) -> list[LabelledExample]:
    with app.app_context():
        rows = list(db.session.scalars(select(LabelledExample).order_by(LabelledExample.id)))
        db.session.expunge_all()
        return rows


def utf16_slice(text: str, begin: int, end: int) -> str:
    """What a JavaScript platform gets from ``text.slice(begin, end)``."""
    return text.encode("utf-16-le")[2 * begin : 2 * end].decode("utf-16-le")


def summary(response: Any, attribute: str = "TOXICITY") -> float:
    score = response.get_json()["attributeScores"][attribute]["summaryScore"]
    assert score["type"] == "PROBABILITY"
    return float(score["value"])
