"""A small synthetic labelled corpus with the shared data's layout (``text,toxic,spam,source``).

Unit tests train on this instead of the real corpora: it is fast, deterministic and needs no
data directory.  Two toxicity "datasets" and two spam "videos" give leave-one-source-out
validation something to hold out.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

INSULTS = ["idiot", "moron", "loser", "clown", "fool", "jerk", "imbecile", "troll"]
NOUNS = ["article", "update", "analysis", "photo", "recipe", "essay", "interview", "report"]
ADJECTIVES = ["thoughtful", "helpful", "interesting", "balanced", "clear", "useful"]
SITES = ["cheapdeals", "freegifts", "winbig", "clickhere", "bestoffers", "easymoney"]
TOXIC = [
    "you are a complete {insult}, shut up",
    "what an {insult}, nobody wants you here",
    "only an {insult} would write this garbage",
    "Go away you stupid {insult}!!!",
]
CLEAN = [
    "thanks for the {adjective} {noun}",
    "I found the {noun} {adjective} and well written",
    "Great {noun}, I learned a lot from it",
    "the {noun} was {adjective}, looking forward to more",
]
SPAM = [
    "check out my channel http://{site}.com and subscribe!!!",
    "FREE gifts at www.{site}.net click now",
    "visit {site}.com to win money, subscribe to my channel",
    "Subscribe to me and check {site}.com for free stuff",
]
HAM = [
    "this song is {adjective}, I listen every day",
    "love this video, the {noun} part was {adjective}",
    "who is still watching this in 2015?",
    "the {noun} at the end was {adjective}",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        insult=rng.choice(INSULTS),
        noun=rng.choice(NOUNS),
        adjective=rng.choice(ADJECTIVES),
        site=rng.choice(SITES),
    )


def write_corpus(directory: Path, seed: int = 0, per_source: int = 60) -> Path:
    """Write ``tox.csv`` and ``spam.csv`` into ``directory`` and return it."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "tox.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "toxic", "spam", "source"])
        for source in ("forum-a", "forum-b/train", "forum-b/test"):
            for i in range(per_source):
                toxic = i % 3 == 0
                text = _fill(rng.choice(TOXIC if toxic else CLEAN), rng) + f" #{i}"
                writer.writerow([text, int(toxic), "", source])
    with (directory / "spam.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "toxic", "spam", "source"])
        for source in ("youtube-spam-collection/video-a", "youtube-spam-collection/video-b"):
            for i in range(per_source):
                spam = i % 2 == 0
                text = _fill(rng.choice(SPAM if spam else HAM), rng) + "\ufeff"
                writer.writerow([text, "", int(spam), source])
    return directory
