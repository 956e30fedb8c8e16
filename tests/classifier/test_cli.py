"""``flask classifier score|train`` through a throwaway app (``evaluate``: test_evaluate_cli)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_score_round_trip(runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    rows = [
        {"id": "1", "text": "you are a complete idiot, shut up"},
        {"id": "2", "text": "thanks for the thoughtful article,\nreally"},
        {"id": "3", "text": "check out my channel http://winbig.com and subscribe!!!"},
        {"id": "4", "text": ""},
    ]
    source = _write(tmp_path / "in.csv", rows)
    target = tmp_path / "out.csv"
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(target),
            "--model",
            str(tiny_dir),
        ]
    )
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["id"] for r in scored] == ["1", "2", "3", "4"]
    assert [r["text"] for r in scored] == [r["text"] for r in rows]
    assert all(0.0 <= float(r[c]) <= 1.0 for r in scored for c in ("toxicity", "spam"))
    assert float(scored[0]["toxicity"]) > float(scored[1]["toxicity"])
    assert float(scored[2]["spam"]) > float(scored[1]["spam"])


def test_score_shows_progress_on_stderr_for_a_large_file(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path
) -> None:
    """Tens of thousands of rows take seconds: a bar (its label when stderr is not a terminal)
    says how many, while the scores file stays free of it. A small file gets no bar."""
    args = ["classifier", "score", "--model", str(tiny_dir), "--output"]
    large = [{"text": f"comment {i},\nover two lines"} for i in range(2500)]
    result = runner.invoke(
        args=[*args, str(tmp_path / "a.csv"), "--input", str(_write(tmp_path / "large.csv", large))]
    )
    assert result.exit_code == 0, result.output
    assert "scoring 2500 rows" in result.stderr
    assert "scoring" not in (tmp_path / "a.csv").read_text(encoding="utf-8")
    small = runner.invoke(
        args=[
            *args,
            str(tmp_path / "b.csv"),
            "--input",
            str(_write(tmp_path / "small.csv", large[:10])),
        ]
    )
    assert small.exit_code == 0 and "scoring" not in small.stderr


def test_score_keeps_a_labelled_files_spam_column(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path
) -> None:
    """The corpora and exports carry a `spam` label column: its score goes beside it, not over
    it, so labels and scores can be compared."""
    rows = [
        {"text": "check out my channel http://winbig.com", "toxic": "", "spam": "1"},
        {"text": "thanks for the article", "toxic": "0", "spam": "0"},
    ]
    target = tmp_path / "out.csv"
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--model",
            str(tiny_dir),
            "--output",
            str(target),
            "--input",
            str(_write(tmp_path / "labelled.csv", rows)),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "'spam' column: its score is in 'spam_score'" in result.stderr
    with target.open(newline="", encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["spam"] for r in scored] == ["1", "0"]
    assert float(scored[0]["spam_score"]) > float(scored[1]["spam_score"])
    assert all(0 <= float(r["toxicity"]) <= 1 for r in scored)


def test_score_needs_a_text_column(runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [{"body": "hello"}])
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
            "--model",
            str(tiny_dir),
        ]
    )
    assert result.exit_code != 0
    assert "no 'text' column" in result.output


def test_bad_model_is_a_clean_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [{"text": "hello"}])
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
            "--model",
            str(tmp_path / "empty"),
        ]
    )
    assert result.exit_code != 0 and "model card" in result.output


def _train(runner: FlaskCliRunner, data: Path, output: Path, *options: str) -> Result:
    args = ["classifier", "train", "--data-dir", str(data), "--output", str(output)]
    return runner.invoke(args=[*args, "--no-baseline", *options])


def test_train(runner: FlaskCliRunner, tiny_data: Path, tmp_path: Path) -> None:
    result = _train(runner, tiny_data, tmp_path / "m")
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m" / "model-card.json").read_text())
    assert "--no-baseline" in card["training_command"]
    assert "written to" in result.output


def test_train_says_what_it_is_doing_before_each_slow_stage(
    runner: FlaskCliRunner, tiny_data: Path, tmp_path: Path
) -> None:
    """On the full corpora counting takes seconds and every fold more: no silent stretch."""
    result = _train(runner, tiny_data, tmp_path / "m")
    assert result.exit_code == 0, result.output
    lines = [line.split("] ", 1)[-1] for line in result.output.splitlines()]
    counting = lines.index("normalising 300 texts and counting word and character n-grams")
    assert lines[counting + 1].startswith("features: ")
    validating = lines.index("validating: 4 folds, each holding out one source, 2 at a time")
    folds = [line for line in lines if line.startswith("ours: held out ")]
    assert [fold.rsplit(" (", 1)[1] for fold in folds] == [f"{n} of 4 folds)" for n in range(1, 5)]
    assert validating < lines.index(folds[0])


def test_the_seed_changes_nothing_and_the_card_says_so(
    runner: FlaskCliRunner, tiny_data: Path, tmp_path: Path
) -> None:
    """Training draws no random numbers: every seed gives the same bytes, hence the same
    version, so a card naming a seed would name whichever was registered first. If this
    fails, randomness came back: record the seed on the card again and document it."""
    versions = []
    for seed in ("0", "1", "12345"):
        result = _train(runner, tiny_data, tmp_path / seed, "--seed", seed)
        assert result.exit_code == 0, result.output
        assert "note: --seed changes nothing" in result.output
        assert "gives the same model (the same sha256)" in result.output
        card = json.loads((tmp_path / seed / "model-card.json").read_text())
        assert "seed" not in card and "--seed" not in card["training_command"]
        assert card["randomness"].startswith("none:")
        versions.append(card["version"])
    assert len(set(versions)) == 1
    assert (tmp_path / "0" / "model.npz").read_bytes() == (
        tmp_path / "1" / "model.npz"
    ).read_bytes()
    assert "Randomness: none" in (tmp_path / "1" / "MODEL_CARD.md").read_text()
    help_text = runner.invoke(args=["classifier", "train", "--help"]).output
    assert "every seed gives the same model" in " ".join(help_text.split())


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no *.csv training files in"),
        ({"a.csv": b"body,toxic\nhello,1\n"}, "a.csv: missing column(s) ['source', 'spam',"),
        ({"a.csv": b""}, "a.csv: no rows (the file is empty)"),
        (
            {"a.csv": b"text,toxic,spam,source\n", "b.csv": b"text,toxic,spam,source\nok,0,,x\n"},
            "a.csv: no rows (only a header)",
        ),
        ({"a.csv": b"text,toxic,spam,source\nok,0,,x\ncaf\xe9,1,,x\n"}, "a.csv:3: not UTF-8 text"),
        # One source to hold out and nothing left to learn from: scikit-learn's traceback before.
        (
            {"a.csv": b"text,toxic,spam,source\nfine,0,0,x\nawful,1,1,x\n"},
            "toxicity: leave-one-source-out validation needs rows labelled for toxicity from at "
            "least two sources (a file, or a YouTube video), found only x",
        ),
    ],
)
def test_train_refuses_unreadable_data_in_one_line(
    runner: FlaskCliRunner, tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name, content in files.items():
        (data / name).write_bytes(content)
    output = tmp_path / "m"
    result = runner.invoke(
        args=["classifier", "train", "--data-dir", str(data), "--output", str(output)]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert message in result.output and "Traceback" not in result.output
    assert not output.exists()


def test_score_and_evaluate_read_excel_csv_with_a_byte_order_mark(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes("text,toxic,spam,source\nyou idiot,1,,x\nthanks,0,,x\n".encode("utf-8-sig"))
    target = tmp_path / "out.csv"
    model = ["--model", str(tiny_dir)]
    result = runner.invoke(
        args=["classifier", "score", "--input", str(source), "--output", str(target), *model]
    )
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["text"] for r in scored] == ["you idiot", "thanks"]
    out = tmp_path / "report"
    evaluate = ["classifier", "evaluate", "--data", str(source), "--bootstrap", "0"]
    result = runner.invoke(args=[*evaluate, *model, "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text())["data"]["rows"] == 2


def test_score_refuses_an_output_folder_that_does_not_exist(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    source = _write(tmp_path / "in.csv", [{"text": "hello"}])
    target = tmp_path / "missing" / "out.csv"
    result = runner.invoke(
        args=["classifier", "score", "--input", str(source), "--output", str(target)]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--output" in result.output and "missing' does not exist" in result.output


def test_score_refuses_text_that_is_not_utf8_and_leaves_the_output_as_it_was(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path
) -> None:
    lines = [b"id,text"] + [f"{i},comment number {i}".encode() for i in range(2, 2500)]
    source = tmp_path / "in.csv"
    source.write_bytes(b"\n".join([*lines, b"2500,caf\xe9 latin-1", b"2501,last"]) + b"\n")
    target = tmp_path / "out.csv"
    target.write_text("earlier results\n", encoding="utf-8")
    result = runner.invoke(
        args=[
            "classifier",
            "score",
            "--input",
            str(source),
            "--output",
            str(target),
            "--model",
            str(tiny_dir),
        ]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"{source}:2500: not UTF-8 text" in result.output and "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("id,text\n", "no rows (only a header)"), ("", "no rows (the file is empty)")],
)
def test_score_refuses_a_file_without_rows_and_leaves_the_output_as_it_was(
    runner: FlaskCliRunner, tiny_dir: Path, tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("earlier results\n", encoding="utf-8")
    args = ["--input", str(source), "--output", str(target), "--model", str(tiny_dir)]
    result = runner.invoke(args=["classifier", "score", *args])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output == f"Error: {source}: {message}; {target} was left as it was\n"
    assert target.read_text(encoding="utf-8") == "earlier results\n"
