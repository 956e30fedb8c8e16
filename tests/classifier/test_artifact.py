"""Artifact round trip, integrity and compatibility checks, reproducibility."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest

import classifier
from classifier import ModelLoadError
from classifier.artifact import CARD_FILE, CARD_MARKDOWN, MODEL_FILE


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_round_trip(tiny_dir: Path, tiny_card: dict[str, Any]) -> None:
    model = classifier.load(tiny_dir)
    assert model.version == tiny_card["version"]
    assert model.version.endswith(tiny_card["sha256"][:8])
    assert model.card["sha256"] == tiny_card["sha256"]
    assert (tiny_dir / CARD_MARKDOWN).read_text().startswith("# Model card")
    scores = model.score("you are a complete idiot, shut up")
    assert 0.0 <= scores.toxicity <= 1.0 and 0.0 <= scores.spam <= 1.0


def test_load_accepts_a_file_in_the_directory(tiny_dir: Path) -> None:
    assert classifier.load(tiny_dir / MODEL_FILE).version == classifier.load(tiny_dir).version


def test_one_changed_byte_is_refused_before_parsing(tiny_dir: Path, tmp_path: Path) -> None:
    copy = _copy(tiny_dir, tmp_path / "m")
    blob = bytearray((copy / MODEL_FILE).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (copy / MODEL_FILE).write_bytes(bytes(blob))
    parsed = mock.patch("numpy.load", side_effect=AssertionError("parsed before the check"))
    with parsed, pytest.raises(ModelLoadError, match="sha256"):
        classifier.load(copy)


def test_wrong_sklearn_version_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    copy = _copy(tiny_dir, tmp_path / "m")
    card = json.loads((copy / CARD_FILE).read_text())
    card["library_versions"]["scikit-learn"] = "0.24.2"
    (copy / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match=r"scikit-learn 0\.24\.2"):
        classifier.load(copy)


@pytest.mark.parametrize("missing", [MODEL_FILE, CARD_FILE])
def test_missing_files_are_refused(tiny_dir: Path, tmp_path: Path, missing: str) -> None:
    copy = _copy(tiny_dir, tmp_path / "m")
    (copy / missing).unlink()
    with pytest.raises(ModelLoadError):
        classifier.load(copy)


def test_garbage_card_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    copy = _copy(tiny_dir, tmp_path / "m")
    (copy / CARD_FILE).write_text("{not json")
    with pytest.raises(ModelLoadError, match="unreadable"):
        classifier.load(copy)


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        classifier.load(tmp_path / "nowhere")


def test_same_data_and_seed_give_identical_bytes(
    tiny_data: Path, tiny_dir: Path, tmp_path: Path
) -> None:
    card = classifier.train(tiny_data, tmp_path / "again", seed=0, baseline=False, n_jobs=2)
    assert (tmp_path / "again" / MODEL_FILE).read_bytes() == (tiny_dir / MODEL_FILE).read_bytes()
    assert card["sha256"] == json.loads((tiny_dir / CARD_FILE).read_text())["sha256"]


def test_model_file_holds_plain_arrays_only(tiny_dir: Path) -> None:
    with np.load(tiny_dir / MODEL_FILE, allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)


def test_a_save_that_fails_midway_leaves_the_earlier_artifact_whole(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """Training again into the same folder and stopping while the files are written (here: a
    card that cannot be written) must not leave new weights under the old card."""
    copy = _copy(tiny_dir, tmp_path / "m")
    with np.load(copy / MODEL_FILE, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["extra"] = np.zeros(3)  # other weights, other bytes
    card = {**classifier.read_card(copy), "unwritable": object()}
    with pytest.raises(TypeError):
        classifier.artifact.save(copy, arrays, card)
    assert classifier.load(copy).version == classifier.read_card(tiny_dir)["version"]
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in tiny_dir.iterdir())
