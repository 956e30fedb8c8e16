"""Comment texts for the HTTP benches: real ones from the training corpora when available.

A fixed, seeded mix, so every run and every server sees the same bodies: 80% labelled neither
toxic nor spam, 10% toxic, 10% spam, 40-600 characters each (synthetic sentences when the corpora
are missing; the result says which).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARES = (("clean", 0.8), ("toxic", 0.1), ("spam", 0.1))
SENTENCES = {
    "clean": [
        "Thanks for the clear summary, the point about the alliance's history was new to me.",
        "Interesting read. Does anyone know how this compares with the 1961 treaty?",
        "The council voted on the budget last night and many residents think it was wrong.",
    ],
    "toxic": ["You are a complete idiot if you believe any of this, shut up."],
    "spam": ["Check out my channel http://spam.example/sub for free gift cards, subscribe now!"],
}


def data_dir() -> Path:
    return Path(os.environ.get("TRAINING_DATA_DIR") or ROOT.parent / "shared" / "data")


def _pools() -> tuple[dict[str, list[str]], str]:
    folder = data_dir()
    if not folder.is_dir():
        return SENTENCES, "synthetic"
    from classifier.data import read_dir

    corpus = read_dir(folder)
    pools: dict[str, list[str]] = {"clean": [], "toxic": [], "spam": []}
    for text, toxic, spam in zip(corpus.texts, corpus.toxic, corpus.spam, strict=True):
        if not 40 <= len(text.strip()) <= 600:
            continue
        if toxic == 1:
            pools["toxic"].append(text)
        elif spam == 1:
            pools["spam"].append(text)
        elif toxic == 0 or spam == 0:
            pools["clean"].append(text)
    return pools, f"corpora in {folder}"


def comment_texts(n: int, seed: int = 0) -> tuple[list[str], str]:
    """n texts in the fixed mix, shuffled; and where they came from."""
    pools, source = _pools()
    rng = random.Random(seed)
    texts = []
    for kind, share in SHARES:
        pool = sorted(pools[kind])
        texts += [rng.choice(pool) for _ in range(round(n * share))]
    rng.shuffle(texts)
    return texts[:n], source
