"""Crafted pickles never run: whatever an attacker puts in or beside an artifact.

Every payload here is real: unpickling it opens (creates) a marker file, and the first test
shows that it does when loaded the naive way. Every other test hands it to the loader, in the
shipped-model path (sha256 in the card) and the registry path (HMAC, then sha256), and asserts
that the marker never appears and the refusal says why. test_artifact.py covers ordinary
corruption and test_model_registry.py the registry's commands; this file covers code execution.
"""

from __future__ import annotations

import io
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import classifier
from classifier import ModelLoadError
from classifier.artifact import CARD_FILE, MODEL_FILE, SIGNATURE_FILE, sha256_bytes
from comments.services.model_store import ModelStore, StoreError

KEY = b"the registry's signing key"
#: What numpy says when allow_pickle=False stops it (an object array, or a whole pickle).
PICKLE_REFUSED = r"Object arrays cannot be loaded when allow_pickle=False|pickled \(object\) data"


class Exploit:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "PWNED"


@pytest.fixture
def artifact(tiny_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_dir, tmp_path / "artifact"))


def object_array(marker: Path) -> np.ndarray[Any, Any]:
    return np.array([Exploit(marker)], dtype=object)


def npz_with_exploit(artifact: Path, marker: Path, member: str) -> bytes:
    """The artifact's arrays with ``member`` (new or replaced) holding the exploit."""
    with np.load(artifact / MODEL_FILE, allow_pickle=False) as npz:
        arrays: dict[str, Any] = {name: npz[name] for name in npz.files}
    arrays[member] = object_array(marker)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # np.savez pickles object arrays; that is the attack
    return buffer.getvalue()


def plant(artifact: Path, blob: bytes, *, fix_card: bool = True) -> None:
    """Replace model.npz; with ``fix_card`` also make the card's sha256 match, as an attacker
    who can write the directory would."""
    (artifact / MODEL_FILE).write_bytes(blob)
    if fix_card:
        card = json.loads((artifact / CARD_FILE).read_text())
        card["sha256"] = sha256_bytes(blob)
        (artifact / CARD_FILE).write_text(json.dumps(card))


def joblib_bytes(marker: Path) -> bytes:
    buffer = io.BytesIO()
    joblib.dump({"model": Exploit(marker)}, buffer)
    return buffer.getvalue()


def test_the_exploits_are_real(artifact: Path, marker: Path) -> None:
    """Loaded the unsafe way, each payload runs: so "no marker" below means "did not run"."""
    loaders = [
        lambda: pickle.loads(pickle.dumps(Exploit(marker))),
        lambda: joblib.load(io.BytesIO(joblib_bytes(marker))),
        lambda: np.load(
            io.BytesIO(npz_with_exploit(artifact, marker, "exploit")), allow_pickle=True
        )["exploit"],
    ]
    for load in loaders:
        load()
        assert marker.exists()
        marker.unlink()


@pytest.mark.parametrize("member", ["exploit", "intercepts"])
def test_object_array_in_model_npz_is_refused_by_allow_pickle(
    artifact: Path, marker: Path, member: str
) -> None:
    """The shipped-model path: the card's sha256 matches, so numpy itself must refuse."""
    plant(artifact, npz_with_exploit(artifact, marker, member))
    with pytest.raises(ModelLoadError, match=PICKLE_REFUSED):
        classifier.load(artifact)
    assert not marker.exists()


def test_object_array_without_a_valid_signature_is_refused_before_parsing(
    artifact: Path, marker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    classifier.sign(artifact, KEY)  # signed as registered, then tampered with
    plant(artifact, npz_with_exploit(artifact, marker, "exploit"))
    monkeypatch.setattr(np, "load", _must_not_parse)
    with pytest.raises(ModelLoadError, match="signature does not match"):
        classifier.load(artifact, signing_key=KEY)
    (artifact / SIGNATURE_FILE).unlink()
    with pytest.raises(ModelLoadError, match="is not signed"):
        classifier.load(artifact, signing_key=KEY)
    assert not marker.exists()


def test_an_insider_signing_an_object_array_is_still_refused(artifact: Path, marker: Path) -> None:
    """Signed with the right key (an insider, or a stolen key): allow_pickle=False still holds."""
    plant(artifact, npz_with_exploit(artifact, marker, "exploit"))
    classifier.sign(artifact, KEY)
    with pytest.raises(ModelLoadError, match=PICKLE_REFUSED):
        classifier.load(artifact, signing_key=KEY)
    assert not marker.exists()


@pytest.mark.parametrize("fmt", ["joblib", "pickle"])
def test_a_pickle_in_place_of_model_npz_is_refused(artifact: Path, marker: Path, fmt: str) -> None:
    blob = joblib_bytes(marker) if fmt == "joblib" else pickle.dumps(Exploit(marker))
    plant(artifact, blob)
    with pytest.raises(ModelLoadError, match=PICKLE_REFUSED):
        classifier.load(artifact)
    classifier.sign(artifact, KEY)
    with pytest.raises(ModelLoadError, match=PICKLE_REFUSED):
        classifier.load(artifact, signing_key=KEY)
    assert not marker.exists()


def test_a_pickle_beside_the_artifact_is_never_read_nor_copied(
    artifact: Path, marker: Path, tmp_path: Path
) -> None:
    for name in ("model.joblib", "model.pkl", "model.npz.pkl"):
        (artifact / name).write_bytes(joblib_bytes(marker))
    model = classifier.load(artifact)
    store = ModelStore(tmp_path / "store", KEY)
    stored = store.add(artifact)
    assert stored.version == model.version
    assert sorted(p.name for p in store.path_for(model.version).iterdir()) == sorted(
        [*(n for n in classifier.ARTIFACT_FILES if (artifact / n).exists()), SIGNATURE_FILE]
    )
    assert not marker.exists()


def test_a_pickle_given_as_the_model_path_is_refused(artifact: Path, marker: Path) -> None:
    """MODEL_PATH pointing at a pickle: the loader reads that directory's card and model.npz."""
    evil = artifact.parent / "evil"
    evil.mkdir()
    (evil / "model.joblib").write_bytes(joblib_bytes(marker))
    with pytest.raises(ModelLoadError, match="no model card"):
        classifier.load(evil / "model.joblib")
    assert not marker.exists()


@pytest.mark.parametrize(
    "pointer",
    [
        {"model_file": "evil.joblib"},
        {"path": "../evil/model.joblib"},
        {"artifact": "evil.joblib", "format": "joblib"},
    ],
)
def test_a_card_pointing_elsewhere_is_ignored(
    artifact: Path, marker: Path, pointer: dict[str, str]
) -> None:
    """The loader reads only model.npz; a card that names another file, with that file's
    sha256, is refused because model.npz no longer matches it."""
    evil = joblib_bytes(marker)
    (artifact / "evil.joblib").write_bytes(evil)
    card = json.loads((artifact / CARD_FILE).read_text())
    (artifact / CARD_FILE).write_text(json.dumps({**card, **pointer}))
    assert classifier.load(artifact).version == card["version"]  # the pointer changes nothing
    (artifact / CARD_FILE).write_text(json.dumps({**card, **pointer, "sha256": sha256_bytes(evil)}))
    with pytest.raises(ModelLoadError, match=r"sha256 \w+ does not match the model card"):
        classifier.load(artifact)
    assert not marker.exists()


def test_a_pickled_card_or_a_card_naming_a_path_is_refused(
    artifact: Path, marker: Path, tmp_path: Path
) -> None:
    store = ModelStore(tmp_path / "store", KEY)
    card = json.loads((artifact / CARD_FILE).read_text())
    (artifact / CARD_FILE).write_text(json.dumps({**card, "version": "../../outside"}))
    with pytest.raises(StoreError, match="is not a model version"):
        store.add(artifact)
    assert not (tmp_path / "outside").exists()
    (artifact / CARD_FILE).write_bytes(pickle.dumps(Exploit(marker)))
    with pytest.raises(ModelLoadError, match="unreadable model card"):
        classifier.load(artifact)
    with pytest.raises(StoreError, match="unreadable model card"):
        store.add(artifact)
    assert not marker.exists()


def _must_not_parse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("numpy parsed the file before its signature was checked")
