"""Reading the labelled corpora (``text,toxic,spam,source``; labels read by ``parse_label``)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt

from .text import normalize

MISSING = -1
REQUIRED_COLUMNS = ("text", "toxic", "spam", "source")


class DataError(ValueError):
    """A labelled file or folder cannot be used; the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """Parallel columns; labels are int8 with ``MISSING`` where a dataset does not label them."""

    texts: list[str]
    toxic: npt.NDArray[np.int8]
    spam: npt.NDArray[np.int8]
    sources: list[str]
    files: list[dict[str, object]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def from_labels(
        cls,
        texts: Sequence[str],
        toxic: Sequence[bool | None],
        spam: Sequence[bool | None],
        sources: Sequence[str],
    ) -> Corpus:
        """Build from plain values (``None`` = not labelled), e.g. moderators' decisions."""

        def column(labels: Sequence[bool | None]) -> npt.NDArray[np.int8]:
            return np.array([MISSING if v is None else int(v) for v in labels], dtype=np.int8)

        if not len(texts) == len(toxic) == len(spam) == len(sources):
            raise ValueError("texts, labels and sources must have the same length")
        return cls(list(texts), column(toxic), column(spam), list(sources))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: How a label may be written in any labelled file (case aside): 1/0 as the corpora and our
#: exports write it, true/false as pandas writes a boolean column (``to_json``: true/false,
#: ``to_csv``: True/False), 1.0/0.0 as it writes a 0/1 column with gaps (floats, NaN as empty).
LABEL_WORDS = {"1": 1, "0": 0, "true": 1, "false": 0, "1.0": 1, "0.0": 0}
LABEL_HELP = "1, 0, true, false or empty"


def parse_label(value: object) -> int:
    """1, 0 or ``MISSING`` (empty, or JSON null) from a CSV cell or a JSON value.

    Raises ``ValueError`` naming ``LABEL_HELP`` for anything else ("2", "yes", 0.5).
    """
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "":
            return MISSING
        if word in LABEL_WORDS:
            return LABEL_WORDS[word]
    raise ValueError(f"must be {LABEL_HELP}, got {value!r}")


def _label(value: str | None, path: Path, line: int) -> int:
    try:
        return parse_label(value)
    except ValueError as error:
        raise DataError(f"{path}:{line}: label {error}") from None


def _undecodable_line(path: Path) -> int:
    """The first line that is not UTF-8 (a newline byte never occurs inside a character)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


@contextmanager
def _opened(path: Path) -> Iterator[TextIO]:
    """``path`` as text for ``csv``; a file that is not UTF-8 or not CSV raises ``DataError``.

    A leading byte-order mark (Excel's "CSV UTF-8") is dropped, so its first column is still
    ``text``; files without one read exactly as before, and their fingerprints stay the same.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield handle
    except UnicodeDecodeError:
        raise DataError(f"{path}:{_undecodable_line(path)}: not UTF-8 text") from None
    except csv.Error as error:
        raise DataError(f"{path}: not a readable CSV file ({error})") from error


def missing_columns(path: Path, required: Iterable[str], found: Sequence[str]) -> DataError:
    """Name what is missing and what the header holds: a header read as one column
    ('text;toxic;spam') shows at once that the file is not separated by commas."""
    missing = sorted(set(required) - set(found))
    return DataError(f"{path}: missing column(s) {missing} (columns: {list(found)})")


def no_rows(path: Path, header: Sequence[str] | None) -> DataError:
    """A file with nothing to read, said as such rather than as a missing column."""
    return DataError(f"{path}: no rows ({'only a header' if header else 'the file is empty'})")


def read_csv(path: Path) -> Corpus:
    """Read one labelled CSV; a missing ``source`` column defaults to the file stem, and one
    of ``toxic`` and ``spam`` may be missing (that head is then unlabelled)."""
    texts: list[str] = []
    toxic: list[int] = []
    spam: list[int] = []
    sources: list[str] = []
    with _opened(path) as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise no_rows(path, reader.fieldnames)
        if "text" not in reader.fieldnames:
            raise missing_columns(path, ["text"], reader.fieldnames)
        if not {"toxic", "spam"} & set(reader.fieldnames):
            raise DataError(
                f"{path}: no 'toxic' or 'spam' column (columns: {list(reader.fieldnames)})"
            )
        for row in reader:
            texts.append(row["text"] or "")
            toxic.append(_label(row.get("toxic"), path, reader.line_num))
            spam.append(_label(row.get("spam"), path, reader.line_num))
            sources.append(row.get("source") or path.stem)
    if not texts:
        raise no_rows(path, reader.fieldnames)
    counts = Counter(sources)
    return Corpus(
        texts,
        np.array(toxic, dtype=np.int8),
        np.array(spam, dtype=np.int8),
        sources,
        [{"file": path.name, "sha256": sha256_file(path), "rows": len(texts), "sources": counts}],
    )


def concat(parts: Iterable[Corpus]) -> Corpus:
    parts = list(parts)
    return Corpus(
        [t for p in parts for t in p.texts],
        np.concatenate([p.toxic for p in parts]) if parts else np.zeros(0, np.int8),
        np.concatenate([p.spam for p in parts]) if parts else np.zeros(0, np.int8),
        [s for p in parts for s in p.sources],
        [f for p in parts for f in p.files],
    )


def read_dir(data_dir: Path) -> Corpus:
    """All ``*.csv`` files of ``data_dir`` in name order (deterministic row order => same model)."""
    paths = sorted(data_dir.glob("*.csv"))
    if not paths:
        raise DataError(f"no *.csv training files in {data_dir}")
    for path in paths:
        with _opened(path) as handle:
            header = next(csv.reader(handle), [])
        if not header:
            raise no_rows(path, header)
        if set(REQUIRED_COLUMNS) - set(header):
            raise missing_columns(path, REQUIRED_COLUMNS, header)
    return concat(read_csv(path) for path in paths)


def group_of(source: str) -> str:
    """The unit held out in validation: a whole dataset, except one YouTube video at a time."""
    dataset, _, split = source.partition("/")
    return source if dataset == "youtube-spam-collection" and split else dataset


def dedupe(corpus: Corpus) -> tuple[Corpus, int]:
    """One row per normalised text, the last one winning; rows with no label or no text dropped.

    Rows are expected oldest first, so a text decided twice (or posted twice and decided both
    times) keeps only its latest label instead of teaching the model both.  Returns the rows kept,
    in their original order, and how many were dropped.
    """
    last: dict[str, int] = {}
    for i, text in enumerate(corpus.texts):
        key = normalize(text)
        if key and (corpus.toxic[i] >= 0 or corpus.spam[i] >= 0):
            last[key] = i
    keep = sorted(last.values())
    kept = Corpus(
        [corpus.texts[i] for i in keep],
        corpus.toxic[keep],
        corpus.spam[keep],
        [corpus.sources[i] for i in keep],
    )
    return kept, len(corpus) - len(kept)


def fingerprint(corpus: Corpus) -> str:
    """sha256 of the rows in order (text, labels, source): names exactly what was trained on."""
    digest = hashlib.sha256()
    columns = (corpus.texts, corpus.toxic.tolist(), corpus.spam.tolist(), corpus.sources)
    for row in zip(*columns, strict=True):
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def data_fingerprint(files: Iterable[dict[str, object]], extra: str | None) -> str:
    """sha256 over each base file's name and sha256, then the extra examples' fingerprint."""
    lines = [f"{f['file']} {f['sha256']}" for f in files]
    lines.append(f"extra {extra or '-'}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
