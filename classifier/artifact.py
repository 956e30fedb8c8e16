"""Saving and loading the model artifact, with integrity checks before anything is parsed.

Layout of an artifact directory:

- ``model.npz``: plain numpy arrays (vocabularies as UTF-8 bytes, IDF, weights, intercepts and a
  JSON config), read with ``allow_pickle=False`` -- loading cannot run code.  The zip is written
  with fixed timestamps so the same weights give the same bytes (and the same sha256).
- ``model-card.json``: the model card, including the sha256 of ``model.npz``.
- ``MODEL_CARD.md``: a human-readable rendering of the card.
- ``SIGNATURE``: for artifacts in a model registry, an HMAC-SHA256 of the card and the arrays
  under a key kept *outside* the artifact directory, so whoever can write the directory cannot
  forge a model the service will load.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import FeatureConfig
from .model import HEADS, Model

MODEL_FILE = "model.npz"
CARD_FILE = "model-card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
SIGNATURE_FILE = "SIGNATURE"
#: What makes up an artifact, in the order a copy should be made; the card may lack its twin.
ARTIFACT_FILES = (MODEL_FILE, CARD_FILE, CARD_MARKDOWN)
_SIGNATURE_CONTEXT = b"comments-ml model artifact v1\n"
FORMAT = 1
BLOCKS = ("word", "char")


class ModelLoadError(Exception):
    """The artifact is missing, corrupted, tampered with or incompatible; nothing was loaded."""


def default_model_path() -> Path:
    """The shipped artifact directory, inside the installed package."""
    return Path(__file__).resolve().parent / "artifacts" / "default"


def sha256_bytes(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _bytes_array(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def encode_arrays(
    config: FeatureConfig,
    blocks: dict[str, tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    intercepts: npt.NDArray[np.float64],
) -> dict[str, npt.NDArray[Any]]:
    """The arrays stored in ``model.npz``; ``blocks`` maps name -> (vocabulary, idf, weights)."""
    header = {"format": FORMAT, "features": config.to_dict(), "heads": list(HEADS)}
    arrays: dict[str, npt.NDArray[Any]] = {
        "config": _bytes_array(json.dumps(header, sort_keys=True)),
        "intercepts": np.asarray(intercepts, dtype=np.float64),
    }
    for name, (vocabulary, idf, weights) in blocks.items():
        if any("\n" in feature for feature in vocabulary):
            raise ValueError(f"block {name!r}: a feature contains a newline")
        arrays[f"{name}_vocabulary"] = _bytes_array("\n".join(vocabulary))
        arrays[f"{name}_idf"] = np.asarray(idf, dtype=np.float32)
        arrays[f"{name}_weights"] = np.asarray(weights, dtype=np.float32)
    return arrays


def encode_npz(arrays: dict[str, npt.NDArray[Any]]) -> bytes:
    """A deterministic ``.npz`` (sorted names, fixed timestamps), as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[name], allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def model_from_arrays(
    arrays: dict[str, npt.NDArray[Any]], card: dict[str, Any], version: str
) -> Model:
    header = json.loads(bytes(arrays["config"]).decode("utf-8"))
    if header.get("format") != FORMAT or header.get("heads") != list(HEADS):
        raise ModelLoadError(f"unsupported artifact format {header.get('format')!r}")
    vocabularies = []
    for name in BLOCKS:
        text = bytes(arrays[f"{name}_vocabulary"]).decode("utf-8")
        vocabularies.append(text.split("\n") if text else [])
    return Model(
        FeatureConfig(**header["features"]),
        vocabularies[0],
        vocabularies[1],
        np.concatenate([arrays[f"{name}_idf"] for name in BLOCKS]).astype(np.float64),
        np.concatenate([arrays[f"{name}_weights"] for name in BLOCKS]).astype(np.float64),
        arrays["intercepts"].tolist(),
        card,
        version,
    )


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _check_library(card: dict[str, Any]) -> None:
    recorded = card.get("library_versions", {}).get("scikit-learn")
    if not isinstance(recorded, str):
        raise ModelLoadError(
            "model card does not record the scikit-learn version it was trained with"
        )
    try:
        running = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError as exc:
        raise ModelLoadError("scikit-learn is not installed; cannot check compatibility") from exc
    if _major_minor(recorded) != _major_minor(running):
        raise ModelLoadError(
            f"artifact was trained with scikit-learn {recorded}, running {running}: "
            "major.minor differ; retrain with `flask classifier train`"
        )


def _parse_card(blob: bytes, path: Path) -> dict[str, Any]:
    try:
        card = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"unreadable model card {path}: {exc}") from exc
    if not isinstance(card, dict) or not isinstance(card.get("sha256"), str):
        raise ModelLoadError(f"model card {path} has no sha256")
    return card


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelLoadError(f"no {what} at {path}") from exc
    except OSError as exc:
        raise ModelLoadError(f"cannot read {path}: {exc}") from exc


def read_card(directory: Path) -> dict[str, Any]:
    """The card alone (plain JSON), e.g. to list versions without loading their weights."""
    path = Path(directory) / CARD_FILE
    return _parse_card(_read(path, "model card"), path)


def _signature(key: bytes, card_blob: bytes, model_blob: bytes) -> str:
    message = b"%s%s\n%s\n" % (
        _SIGNATURE_CONTEXT,
        sha256_bytes(card_blob).encode(),
        sha256_bytes(model_blob).encode(),
    )
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(directory: str | Path, key: bytes) -> str:
    """Write ``SIGNATURE`` for the artifact as it is now; call only after verifying it."""
    directory = Path(directory)
    signature = _signature(
        key,
        _read(directory / CARD_FILE, "model card"),
        _read(directory / MODEL_FILE, "model file"),
    )
    (directory / SIGNATURE_FILE).write_text(signature + "\n", encoding="ascii")
    return signature


def _check_signature(directory: Path, key: bytes, card_blob: bytes, model_blob: bytes) -> None:
    try:
        recorded = (directory / SIGNATURE_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{directory} is not signed ({SIGNATURE_FILE}: {exc})") from exc
    if not hmac.compare_digest(recorded, _signature(key, card_blob, model_blob)):
        raise ModelLoadError(
            f"{directory}: signature does not match; the artifact was modified or signed with "
            "another key"
        )


def load(path: str | Path | None = None, *, signing_key: bytes | None = None) -> Model:
    """Load an artifact directory (default: the shipped model), verifying it first.

    Order matters: both files are read as bytes; with ``signing_key`` their HMAC must match
    ``SIGNATURE`` before anything is parsed; then the card (plain JSON) must name the running
    scikit-learn's major.minor and the sha256 of the exact bytes numpy is about to see.
    """
    directory = default_model_path() if path is None else Path(path)
    if directory.is_file():
        directory = directory.parent
    card_blob = _read(directory / CARD_FILE, "model card")
    blob = _read(directory / MODEL_FILE, "model file")
    if signing_key is not None:
        _check_signature(directory, signing_key, card_blob, blob)
    card = _parse_card(card_blob, directory / CARD_FILE)
    _check_library(card)
    digest = sha256_bytes(blob)
    if digest != card["sha256"]:
        raise ModelLoadError(
            f"{directory / MODEL_FILE} is corrupted or was modified: sha256 {digest} does not "
            f"match the model card ({card['sha256']})"
        )
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        return model_from_arrays(arrays, card, str(card.get("version") or digest[:8]))
    except ModelLoadError:
        raise
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"invalid model file {directory / MODEL_FILE}: {exc}") from exc


def save(
    output_dir: Path, arrays: dict[str, npt.NDArray[Any]], card: dict[str, Any]
) -> dict[str, Any]:
    """Write ``model.npz``, the card (with its sha256 and version) and its Markdown twin.

    Every file is built and written beside its final name first, and renamed into place only
    when all three are on disk: a run stopped midway (Ctrl-C, a full disk) over an earlier
    artifact leaves that artifact whole, not new weights under the old card (short of the
    instant between two renames).
    """
    from .card import render_markdown

    blob = encode_npz(arrays)
    digest = sha256_bytes(blob)
    day = str(card["trained_at"])[:10].replace("-", ".")
    card = {**card, "version": f"{day}-{digest[:8]}", "sha256": digest, "artifact_bytes": len(blob)}
    contents = {
        MODEL_FILE: blob,
        CARD_FILE: (json.dumps(card, indent=2) + "\n").encode("utf-8"),
        CARD_MARKDOWN: render_markdown(card).encode("utf-8"),
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    staged = {name: output_dir / f".{name}.partial" for name in contents}
    try:
        for name, data in contents.items():
            staged[name].write_bytes(data)
        for name in ARTIFACT_FILES:  # the card after the weights it describes
            staged[name].replace(output_dir / name)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    return card
