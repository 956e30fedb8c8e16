"""Reading labelled CSVs: what users' spreadsheets look like."""

from __future__ import annotations

from pathlib import Path

from classifier.data import data_fingerprint, fingerprint, read_csv, read_dir

ROWS = "text,toxic,spam,source\ncafé idiot,1,,forum\nnice one,0,0,forum\n"


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain", tmp_path / "excel"
    plain.mkdir()
    excel.mkdir()
    (plain / "a.csv").write_bytes(ROWS.encode("utf-8"))
    (excel / "a.csv").write_bytes(ROWS.encode("utf-8-sig"))  # Excel's "CSV UTF-8"

    with_mark = read_dir(excel)
    assert with_mark.texts == ["café idiot", "nice one"]
    assert with_mark.toxic.tolist() == [1, 0]
    assert fingerprint(with_mark) == fingerprint(read_dir(plain))


def test_files_without_a_byte_order_mark_keep_their_fingerprints(tmp_path: Path) -> None:
    """Model cards' fingerprints must still name the same data (values from before "-sig")."""
    path = tmp_path / "a.csv"
    path.write_bytes(ROWS.encode("utf-8"))
    corpus = read_csv(path)
    assert fingerprint(corpus) == "787454ccdb4552071858e3dc2d949f7d5d164e68eee3353aba43e9275d7bcad5"
    assert data_fingerprint(corpus.files, None) == (
        "b3e625e17249762b95ee5544aae74b39b36331ebb36c478c5e03da5259a1e863"
    )


def test_labels_read_the_same_in_every_labelled_file(tmp_path: Path) -> None:
    """Training, evaluation and calibration files take the spellings import takes: true/false
    (any case, as pandas and spreadsheets write booleans) and 1.0/0.0 beside 1/0."""
    path = tmp_path / "a.csv"
    path.write_text(
        "text,toxic,spam,source\na,True,FALSE,x\nb,false,1.0,x\nc,0.0,,x\n", encoding="utf-8"
    )
    corpus = read_csv(path)
    assert corpus.toxic.tolist() == [1, 0, 0] and corpus.spam.tolist() == [0, 1, -1]
