"""Files the CLI writes with personal data in them (what is stored about an address, a site's
comments with their authors' addresses, labelled examples) are readable by their owner only,
whatever the umask, and a file already there is replaced, not left readable by others."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from tests.comments.conftest import PostComment

ANN = "ann@example.org"


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common 022, under which open(path, "w") leaves a file readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def commented(post_comment: PostComment) -> None:
    assert post_comment(author_email=ANN).status_code == 201


@pytest.mark.parametrize(
    "args",
    [
        ["privacy", "export", ANN],
        ["export", "default"],
        ["export", "default", "--format", "wxr"],
        ["classifier", "export"],
    ],
)
def test_exports_of_personal_data_are_written_owner_only(
    runner: FlaskCliRunner, commented: None, tmp_path: Path, args: list[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    output = folder / ("out.csv" if args[0] == "classifier" else "out.json")
    result = runner.invoke(args=[*args, "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert mode(output) == 0o600
    assert [p.name for p in folder.iterdir()] == [output.name], "no temporary file is left"


def test_a_readable_file_already_there_is_replaced_by_an_owner_only_one(
    runner: FlaskCliRunner, commented: None, tmp_path: Path
) -> None:
    output = tmp_path / "ann.json"
    output.write_text("old")
    output.chmod(0o644)
    result = runner.invoke(args=["privacy", "export", ANN, "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert mode(output) == 0o600
    assert [c["author_email"] for c in json.loads(output.read_text())["comments"]] == [ANN]


def test_standard_output_is_still_the_default(runner: FlaskCliRunner, commented: None) -> None:
    result = runner.invoke(args=["privacy", "export", ANN])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["comments"][0]["author_email"] == ANN
