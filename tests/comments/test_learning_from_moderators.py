"""Moderators' decisions become training data: effective labels, retraining, export and import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, func, select

import classifier
from classifier.data import read_csv
from comments.extensions import db
from comments.models import Comment, LabelledExample, Staff
from comments.services import sites, training_data
from comments.services.moderation.authors import ban_author
from comments.services.moderation.decisions import DecisionRequest, decide_comment
from comments.services.training_data import Example
from tests.classifier.synthetic import ADJECTIVES, NOUNS
from tests.comments.conftest import NICE

WORD = "zorblax"  # a made-up insult the base corpora have never seen


def post(client: FlaskClient, *bodies: str) -> list[int]:
    ids = []
    for body in bodies:
        response = client.post("/api/v1/comments", json={"thread": "/post/1", "body": body})
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def decide(app: Flask, comment_id: int, action: str, reason: str = "") -> None:
    """A moderator's decision through the real decision service, committed like a request."""
    with app.app_context():
        session = db.session()
        staff = session.scalars(select(Staff).where(Staff.name == "maria")).one()
        comment = session.get(Comment, comment_id)
        assert comment is not None
        decide_comment(session, comment, DecisionRequest(action, reason), staff)
        session.commit()


def examples(app: Flask, site: str | None = None, **options: Any) -> list[Example]:
    with app.app_context():
        session = db.session()
        site_id = sites.get_site(session, site).id if site else None
        return training_data.labelled_examples(session, site_id, **options)


def labels(found: list[Example]) -> dict[str, tuple[bool | None, bool | None]]:
    return {e.text: (e.toxic, e.spam) for e in found}


def count_labelled(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LabelledExample)) or 0


def neutral(i: int, word: str = "") -> str:
    noun, adjective = NOUNS[i % len(NOUNS)], ADJECTIVES[i % len(ADJECTIVES)]
    return f"the {noun} was {adjective}{', ' + word if word else ''} #{i}"


def train(runner: FlaskCliRunner, data: Path, output: Path, *options: str) -> dict[str, Any]:
    args = ["classifier", "train", "--data-dir", str(data), "--output", str(output)]
    result = runner.invoke(args=[*args, "--no-baseline", *options])
    assert result.exit_code == 0, result.output
    card: dict[str, Any] = json.loads((output / "model-card.json").read_text(encoding="utf-8"))
    return card


@pytest.mark.usefixtures("held")
def test_a_word_moderators_keep_rejecting_becomes_toxic_when_retrained(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, moderator: str, base_data: Path
) -> None:
    rejected = post(client, *(neutral(i, WORD) for i in range(12)))
    approved = post(client, *(neutral(i) for i in range(12)))
    for comment_id in rejected:
        decide(app, comment_id, "reject", reason="slur")
    for comment_id in approved:
        decide(app, comment_id, "approve")

    with_dir, without_dir = base_data.parent / "with", base_data.parent / "without"
    options = ("--decision-weight", "5", "--trained-by", moderator)
    card = train(runner, base_data, with_dir, "--with-decisions", *options)
    plain = train(runner, base_data, without_dir)
    learned, before = classifier.load(with_dir), classifier.load(without_dir)

    probe = f"I read the {WORD} interview yesterday"
    assert learned.score(probe).toxicity >= card["thresholds"]["toxicity"]["hold"]
    assert learned.score(probe).toxicity > 0.5
    assert before.score(probe).toxicity < plain["thresholds"]["toxicity"]["hold"]
    assert learned.score(neutral(3)).toxicity < 0.5  # the approved sentences stay acceptable

    extra = card["data"]["extra"]
    assert extra["rows"] == 24 and extra["weight"] == 5.0
    assert extra["labels"] == {"toxic": 12, "not_toxic": 12, "spam": 0, "not_spam": 12}
    assert extra["sources"] == {"moderation/default": 24}
    assert card["trained_by"] == "maria" and "--with-decisions" in card["training_command"]
    assert card["data_fingerprint"] != plain["data_fingerprint"]
    assert plain["data"]["extra"] is None


@pytest.mark.usefixtures("held")
def test_a_reversed_decision_leaves_no_stale_label(
    app: Flask, client: FlaskClient, moderator: str
) -> None:
    restored, approved, unspammed, banned = post(
        client, f"{WORD} one", f"{WORD} two", f"{WORD} three", f"{WORD} four"
    )
    decide(app, restored, "reject", "insult")
    before_restore = datetime.now(UTC)
    decide(app, restored, "restore")
    decide(app, approved, "reject", "insult")
    decide(app, approved, "approve")
    decide(app, unspammed, "spam")
    decide(app, unspammed, "not_spam")
    decide(app, banned, "reject", "insult")
    with app.app_context():  # a ban is recorded as a decision, but does not decide the comment
        session = db.session()
        comment = session.get(Comment, banned)
        assert comment is not None
        ban_author(session, comment, session.scalars(select(Staff)).one(), reason="troll")
        session.commit()

    assert labels(examples(app)) == {
        f"{WORD} two": (False, False),
        f"{WORD} three": (None, False),
        f"{WORD} four": (True, None),
    }
    assert count_labelled(app) == 6  # the history is kept; only the effective labels count
    assert labels(examples(app, until=before_restore)) == {f"{WORD} one": (True, None)}


@pytest.mark.usefixtures("held")
def test_duplicates_collapse_to_the_latest_label(
    app: Flask, client: FlaskClient, moderator: str
) -> None:
    first, second, third = post(client, f"You {WORD.upper()}", f"you {WORD}", "fine essay")
    decide(app, first, "reject", "insult")
    decide(app, third, "approve")
    decide(app, second, "approve")
    found = examples(app)
    assert [(e.text, e.toxic, e.spam) for e in found] == [
        ("fine essay", False, False),
        (f"you {WORD}", False, False),
    ]
    assert found[1].comment_id == second and found[1].source == "moderation/default"


@pytest.mark.usefixtures("held")
def test_deleted_comments_keep_their_labels(
    app: Flask, client: FlaskClient, moderator: str
) -> None:
    gone, reconsidered = post(client, f"{WORD} gone", f"{WORD} reconsidered")
    decide(app, gone, "reject", "insult")
    decide(app, reconsidered, "reject", "insult")
    decide(app, reconsidered, "approve")
    with app.app_context():
        db.session.execute(delete(Comment).where(Comment.id.in_([gone, reconsidered])))
        db.session.commit()
    found = examples(app)
    assert labels(found) == {f"{WORD} gone": (True, None), f"{WORD} reconsidered": (False, False)}
    assert all(e.comment_id is None for e in found)


def test_reader_reports_count_only_once_a_moderator_decides(
    app: Flask, client: FlaskClient, moderator: str
) -> None:
    [comment_id] = post(client, NICE)
    report = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"})
    assert report.status_code == 201
    assert examples(app) == []
    decide(app, comment_id, "reject", "abusive")
    assert labels(examples(app)) == {NICE: (True, None)}


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_round_trips(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    moderator: str,
    tmp_path: Path,
    fmt: str,
) -> None:
    tricky = f'He said "{WORD}", twice,\nthen left \u2713'
    rejected, approved, spam = post(client, tricky, "a fine essay", "buy pills at example.com")
    decide(app, rejected, "reject", "insult, with a comma")
    decide(app, approved, "approve")
    decide(app, spam, "spam")
    path = tmp_path / f"labels.{fmt}"

    result = runner.invoke(args=["classifier", "export", "--output", str(path)])
    assert result.exit_code == 0 and "exported 3" in result.output, result.output
    if fmt == "csv":  # the export is a training file in the corpora's own layout
        assert read_csv(path).toxic.tolist() == [1, 0, -1]

    again = runner.invoke(args=["classifier", "import", str(path)])
    assert again.exit_code == 0 and "imported 0" in again.output, again.output
    with app.app_context():
        sites.create_site(db.session(), "other", {}, by="cli")
        db.session.commit()
    result = runner.invoke(args=["classifier", "import", str(path), "--site", "other"])
    assert result.exit_code == 0 and "imported 3" in result.output, result.output

    def essence(found: list[Example]) -> list[tuple[Any, ...]]:
        return [(e.text, e.toxic, e.spam, e.reason, e.decided_at) for e in found]

    original, imported = examples(app, "default"), examples(app, "other")
    assert essence(imported) == essence(original)
    assert original[0].text == tricky and original[0].reason == "insult, with a comma"
    assert {(e.source, e.comment_id) for e in imported} == {("import/other", None)}


@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        ("csv", "text,toxic,spam\nfine,0,0\nnasty,2,\nspam here,,1\n"),
        (
            "jsonl",
            '{"text": "fine", "toxic": 0, "spam": 0}\n{"text": "also fine", "toxic": 0}\n'
            '{"text": "nasty", "toxic": 2, "spam": null}\n',
        ),
    ],
)
def test_a_bad_import_names_line_and_field_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, fmt: str, rows: str
) -> None:
    path = tmp_path / f"bad.{fmt}"
    path.write_text(rows, encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3, toxic: must be 1, 0, true, false or empty, got" in result.output
    assert "nothing imported" in result.output
    assert count_labelled(app) == 0


@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        # DataFrame.to_csv: booleans as True/False, a 0/1 column with gaps as floats.
        ("csv", "text,toxic,spam\nfine,False,False\nnasty,True,\nbuy pills,,1.0\n"),
        # DataFrame.to_json(orient="records", lines=True): true/false, gaps as null.
        (
            "jsonl",
            '{"text":"fine","toxic":false,"spam":false}\n'
            '{"text":"nasty","toxic":true,"spam":null}\n'
            '{"text":"buy pills","toxic":null,"spam":1.0}\n',
        ),
    ],
)
def test_labels_as_pandas_writes_them_import(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, fmt: str, rows: str
) -> None:
    path = tmp_path / f"notebook.{fmt}"
    path.write_text(rows, encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 0 and "imported 3" in result.output, result.output
    assert labels(examples(app)) == {
        "fine": (False, False),
        "nasty": (True, None),
        "buy pills": (None, True),
    }


@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        ("csv", "text,toxic,note\nnasty,1,seen twice\nfine,0,\n"),
        ("jsonl", '{"text": "nasty", "toxic": 1}\n{"text": "fine", "toxic": 0}\n'),
    ],
)
def test_examples_labelled_for_one_head_import_from_csv_as_from_json_lines(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, fmt: str, rows: str
) -> None:
    """A toxicity-only file needs no empty spam column, whatever its format."""
    path = tmp_path / f"toxicity.{fmt}"
    path.write_text(rows, encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 0 and "imported 2" in result.output, result.output
    assert labels(examples(app)) == {"nasty": (True, None), "fine": (False, None)}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("header.csv", "text,toxic,spam\n", "no rows (only a header)"),
        ("empty.csv", "", "no rows (the file is empty)"),
        ("empty.jsonl", "\n", "no rows (the file is empty)"),
    ],
)
def test_an_import_without_rows_says_so(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: {message}; nothing imported\n"
    assert count_labelled(app) == 0


@pytest.mark.parametrize(
    ("fmt", "rows"),
    [("csv", "text,toxic,spam\nfine,0,0\n"), ("jsonl", '{"text": "fine", "toxic": 0}\n')],
)
def test_a_file_with_a_byte_order_mark_imports(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, fmt: str, rows: str
) -> None:
    path = tmp_path / f"excel.{fmt}"
    path.write_text(rows, encoding="utf-8-sig")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 0 and "imported 1" in result.output, result.output
    assert [e.text for e in examples(app)] == ["fine"]


def test_an_import_that_is_not_utf8_names_the_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"text,toxic,spam\nfine,0,0\ncaf\xe9,1,\n")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}:3: not UTF-8 text; nothing imported" in result.output
    assert count_labelled(app) == 0


def test_every_problem_is_reported_at_once(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,toxic,spam,decided_at\n,1,,\nok,,,\nok,1,,yesterday\n", encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code != 0
    for problem in (
        "line 2, text: must be a non-empty string",
        "line 3, toxic: at least one of toxic and spam must be labelled",
        "line 4, decided_at: must be an ISO 8601 date and time",
    ):
        assert problem in result.output
    assert count_labelled(app) == 0


def test_a_json_lines_file_reports_bad_lines_with_every_other_problem(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """A line that is not JSON does not hide the problems of the lines around it."""
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "a", "toxic": 1}\n{"text": "b", "toxic": 2}\n{"text": "c", "toxic": 1,\n'
        '["d", 1]\n{"text": "e", "toxic": "x"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[1:] == [
        "line 2, toxic: must be 1, 0, true, false or empty, got 2",
        "line 3: not valid JSON (Expecting property name enclosed in double quotes)",
        "line 4: not a JSON object",
        "line 5, toxic: must be 1, 0, true, false or empty, got 'x'",
    ]
    assert count_labelled(app) == 0


def test_a_decided_at_in_the_future_is_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Such a label would outrank every later moderator decision on the same text."""
    path = tmp_path / "typo.csv"
    path.write_text("text,toxic,spam,decided_at\nok,1,,2099-01-01T00:00:00\n", encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 2, decided_at: must not be in the future, got '2099-01-01T00:00:00'" in (
        result.output
    )
    assert count_labelled(app) == 0


def test_a_file_not_separated_by_commas_shows_its_header(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Excel in many locales saves "CSV" with semicolons: the header shows it at once."""
    path = tmp_path / "excel.csv"
    path.write_text("text;toxic;spam\nok;1;\n", encoding="utf-8")
    result = runner.invoke(args=["classifier", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert (
        "line 1: needs a text column and a toxic or spam column (columns: text;toxic;spam)"
        in result.output
    )
    assert count_labelled(app) == 0


def test_commands_refuse_unclear_requests(runner: FlaskCliRunner, tmp_path: Path) -> None:
    def fails(*args: str) -> str:
        result = runner.invoke(args=["classifier", *args])
        assert result.exit_code != 0, result.output
        return result.output

    assert "pass --format" in fails("export", "--output", str(tmp_path / "labels.txt"))
    assert "Unknown site" in fails("export", "--output", str(tmp_path / "x.csv"), "--site", "nope")
    assert "greater than 0" in fails("train", "--with-decisions", "--decision-weight", "0")
    assert "need --with-decisions" in fails("train", "--site", "default")
    assert "--with-decisions needs --output" in fails("train", "--with-decisions")
    assert "no labelled examples" in fails("train", "--with-decisions", "--output", str(tmp_path))
    for name in ("x.csv", "x.jsonl"):
        refused = fails("export", "--output", str(tmp_path / "missing" / name))
        assert "missing' does not exist" in refused and "Traceback" not in refused
