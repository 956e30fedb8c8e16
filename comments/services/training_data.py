"""Moderators' decisions as training data: the effective labelled examples, exported or imported.

What counts as a label (see ``decisions.LABELS``): approve = not toxic and not spam, reject =
toxic (spam unknown), spam = spam (toxicity unknown), not_spam = not spam.

- Per comment only its latest moderation action counts.  A later approve, reject, spam or
  not_spam replaces the earlier label; a restore withdraws it (the comment goes back to the
  queue, unlabelled).  Bans and other decisions that do not decide the comment change nothing.
- Examples outlive their comments: the text decided on is stored with the label.  When a comment
  is deleted outright its decision history goes with it, and the rule below picks its latest label.
- Duplicates by normalised text (``classifier.normalize``) collapse to the latest example, so a
  text posted and decided twice teaches the model once, with the moderators' latest view.
- Reader reports are not labels by themselves: an open report is an unconfirmed claim (and the
  report button is itself abused).  A report a moderator acted on is covered by that decision.
- Imported examples (``source="import"``) belong to no comment, so no decision reverses them;
  they compete with other examples only through the duplicate rule, by their ``decided_at``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

import classifier
from comments.models import Comment, Decision, LabelledExample, Site
from comments.services.moderation.decisions import ACTIONS

#: How far ahead of this machine's clock an exported ``decided_at`` may be (another host's clock).
CLOCK_SKEW = timedelta(minutes=5)
COLUMNS = ("text", "toxic", "spam", "source", "reason", "decided_at", "comment_id")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class Example:
    """One effective label; ``source`` is ``"<origin>/<site>"``, e.g. ``moderation/default``."""

    text: str
    toxic: bool | None
    spam: bool | None
    source: str
    reason: str = ""
    decided_at: datetime | None = None
    comment_id: int | None = None


class InvalidExamples(ValueError):
    """A file of examples has bad rows; each problem names its line and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _latest_actions(
    session: Session, site_id: int | None, until: datetime | None
) -> dict[int, int]:
    """comment id -> id of its latest staff moderation decision (the one whose label counts)."""
    query = select(Decision.comment_id, Decision.id).where(
        Decision.actor == "staff", Decision.action.in_(ACTIONS)
    )
    if site_id is not None:
        query = query.join(Comment, Comment.id == Decision.comment_id)
        query = query.where(Comment.site_id == site_id)
    if until is not None:
        query = query.where(Decision.created_at <= until)
    return dict(session.execute(query.order_by(Decision.created_at, Decision.id)).all())


def labelled_examples(
    session: Session, site_id: int | None = None, until: datetime | None = None
) -> list[Example]:
    """The examples training should see (rules in the module docstring), oldest first.

    ``until`` gives the state as it was then: later examples and decisions are ignored.
    """
    query = (
        select(LabelledExample, Site.name)
        .join(Site, Site.id == LabelledExample.site_id)
        .order_by(LabelledExample.created_at, LabelledExample.id)
    )
    if site_id is not None:
        query = query.where(LabelledExample.site_id == site_id)
    if until is not None:
        query = query.where(LabelledExample.created_at <= until)
    latest = _latest_actions(session, site_id, until)
    effective: dict[str, Example] = {}
    for row, site in session.execute(query).all():
        if row.comment_id is not None and latest.get(row.comment_id) != row.decision_id:
            continue  # superseded by a later decision on the same comment
        key = classifier.normalize(row.text) or row.text
        effective.pop(key, None)  # re-inserted last: the dict stays in order of decision
        effective[key] = Example(
            text=row.text,
            toxic=row.toxic,
            spam=row.spam,
            source=f"{row.source}/{site}",
            reason=row.reason,
            decided_at=row.created_at,
            comment_id=row.comment_id,
        )
    return list(effective.values())


def as_corpus(examples: Iterable[Example]) -> classifier.Corpus:
    """The examples as extra training data for ``classifier.train``."""
    examples = list(examples)
    return classifier.Corpus.from_labels(
        [e.text for e in examples],
        [e.toxic for e in examples],
        [e.spam for e in examples],
        [e.source for e in examples],
    )


# --- files: CSV and JSON Lines, labels read as in training files (parse_label) -------------


def format_of(filename: str, given: str | None) -> str:
    """The explicit format, else the one the file name's extension says."""
    if given:
        return given
    for suffix, name in FORMATS.items():
        if filename.lower().endswith(suffix):
            return name
    raise ValueError(f"cannot tell the format of {filename!r} from its name; pass --format")


def _row(example: Example) -> list[Any]:
    """The example's values in ``COLUMNS`` order, labels as 1/0/None."""
    e = example
    labels = [None if v is None else int(v) for v in (e.toxic, e.spam)]
    decided = e.decided_at.isoformat() if e.decided_at else None
    return [e.text, *labels, e.source, e.reason, decided, e.comment_id]


def write_examples(examples: Iterable[Example], handle: TextIO, fmt: str) -> int:
    """Write ``COLUMNS`` per example (CSV: empty for no value); returns the number written."""
    rows = [_row(e) for e in examples]
    if fmt == "csv":
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        for row in rows:
            record = dict(zip(COLUMNS, row, strict=True))
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(rows)


def _label(value: Any) -> bool | None:
    """The same spellings in CSV and JSON Lines as in training files (``classifier.parse_label``:
    1/0, true/false as pandas writes booleans, empty or null for "not labelled")."""
    label = classifier.parse_label(value)
    return None if label < 0 else bool(label)


def _timestamp(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 date and time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date and time, got {value!r}") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed > datetime.now(UTC) + CLOCK_SKEW:
        # The latest label of a text wins and the newest judge a retrained candidate: a date
        # to come would overrule every real decision on that text and never leave the held-back.
        raise ValueError(f"must not be in the future, got {value!r}")
    return parsed


def _parse_row(record: dict[str, Any], line: int, problems: list[str]) -> Example | None:
    """One validated example, or None after adding ``line N, field: message`` to ``problems``."""
    found: list[str] = []
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        found.append(f"line {line}, text: must be a non-empty string")
    labels: dict[str, bool | None] = {}
    for field in ("toxic", "spam"):
        try:
            labels[field] = _label(record.get(field))
        except ValueError as error:
            found.append(f"line {line}, {field}: {error}")
    if not found and labels["toxic"] is None and labels["spam"] is None:
        found.append(f"line {line}, toxic: at least one of toxic and spam must be labelled")
    reason = record.get("reason") or ""
    if not isinstance(reason, str):
        found.append(f"line {line}, reason: must be a string")
    try:
        decided_at = _timestamp(record.get("decided_at"))
    except ValueError as error:
        found.append(f"line {line}, decided_at: {error}")
    if found:
        problems += found
        return None
    source = str(record.get("source") or "import")
    return Example(str(text), labels["toxic"], labels["spam"], source, reason, decided_at)


def _records(handle: TextIO, fmt: str, problems: list[str]) -> Iterable[tuple[int, dict[str, Any]]]:
    """(first line number, record) per row; a CSV header without the columns needed raises
    ``InvalidExamples``, and a JSON line that is not an object is added to ``problems``, so
    the lines around it are still checked."""
    if fmt == "csv":
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            return  # an empty file: no rows, not missing columns
        columns = set(reader.fieldnames)
        needed = [] if "text" in columns else ["a text column"]
        needed += [] if columns & {"toxic", "spam"} else ["a toxic or spam column"]
        if needed:
            raise InvalidExamples(
                [f"line 1: needs {' and '.join(needed)} (columns: {', '.join(reader.fieldnames)})"]
            )
        start = reader.line_num + 1
        for record in reader:
            yield start, record
            start = reader.line_num + 1
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not valid JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        yield number, record


def read_examples(handle: TextIO, fmt: str) -> list[Example]:
    """Every row validated before anything is used; all problems reported together."""
    problems: list[str] = []
    examples = []
    for line, record in _records(handle, fmt, problems):
        example = _parse_row(record, line, problems)
        if example is not None:
            examples.append(example)
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        if len(problems) > _MAX_PROBLEMS:
            shown.append(f"... and {len(problems) - _MAX_PROBLEMS} more")
        raise InvalidExamples(shown)
    return examples


def import_examples(
    session: Session, site: Site, examples: Iterable[Example], now: datetime | None = None
) -> int:
    """Add examples as ``source="import"`` labels of ``site``; returns how many were new.

    A row whose text and labels are already an effective example of the site (or an earlier row
    of the same file) is skipped, so importing an export back changes nothing.  ``decided_at`` is
    kept (``now`` when missing) so the duplicate rule orders imported labels truthfully.
    """
    now = now or datetime.now(UTC)
    seen = {(e.text, e.toxic, e.spam) for e in labelled_examples(session, site.id)}
    added = 0
    for example in examples:
        key = (example.text, example.toxic, example.spam)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            LabelledExample(
                site_id=site.id,
                text=example.text,
                toxic=example.toxic,
                spam=example.spam,
                reason=example.reason,
                source="import",
                created_at=example.decided_at or now,
            )
        )
        added += 1
    session.flush()
    return added
