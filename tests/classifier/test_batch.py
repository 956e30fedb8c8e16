"""Batch scoring gives exactly the scores of one-by-one scoring, and its shortcuts are exact."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import classifier
from classifier import model as model_module
from classifier import vocabulary as vocabulary_module
from classifier.features import meta_spans, shouting_candidates
from classifier.text import analyse, analyse_many

TRICKY = [
    "",
    " ",
    "\t\n  \r\n",
    "🙂",
    "🙂🙂🙂🙂 so happy 😂😂😂😂!!!!",
    "id\u200biot \u200b\u200c\u200d\ufeff zero\u2060width",
    "you are an idiot, shut up",
    "YOU ARE AN IDIOT, SHUT UP!!!",
    "THIS IS SO LOUD and THIS-IS-ALSO-SHOUTING ABCD-EFGH-IJKL-MNOP",
    "check out http://www.WinBig.com/x?y=1 and kidsmediausa.com, mail me: a.b@example.org",
    "<a href='http://spam.biz/x'>click</a> &amp; &#128514; &lt;b&gt;",
    "RT @someone: #LockThemAllUp @USER @USER URL",
    "Привет мир, 你好世界, مرحبا بالعالم, \u03b3\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5, नमस्ते",
    "\uff46\uff52\uff45\uff45 gifts \U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d naïve café",
    "you 1d10t, sh!t h3ll0, f u c k off, stupiiiiiid!!!!!!",
    "I 've seen it , n't I ? == Reply == '''bold''' [[Page|link]] {{cite}} by 192.168.0.1",
    "signed 12:34, 9 October 2007 (UTC)",
    "<caps-text> <caps-word> literally",
    "control \x00 and \x01 characters \x1c\x85\u2028",
    "lone \ud800 surrogates \udfff in caf\u00e9 \ud83d",
    "supercalifragilisticexpialidocious " * 3,
    "the the the the interview interview",
    "a " * 5000,  # counts above the tf table (4096)
    "word " * 3000 + "idiot " * 1500,
    "x" * 20000,
]


def scores(model: classifier.Model, texts: list[str]) -> list[tuple[float, float]]:
    return [(s.toxicity, s.spam) for s in model.score_many(texts)]


def singles(model: classifier.Model, texts: list[str]) -> list[tuple[float, float]]:
    return [(s.toxicity, s.spam) for s in map(model.score, texts)]


@pytest.fixture(scope="module", params=["tiny", "shipped"])
def model(request: pytest.FixtureRequest, tiny_model: classifier.Model) -> classifier.Model:
    return tiny_model if request.param == "tiny" else classifier.load()


def mixed(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words = ["you", "are", "an", "idiot", "thanks", "for", "the", "video", "subscribe"]
    words += ["http://x.com", "check", "out", "LOL", "LOUD!!!", "naïve", "🙂"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 40))) for _ in range(n)]
    return texts + TRICKY


def test_batch_equals_one_by_one_on_tricky_texts(model: classifier.Model) -> None:
    texts = mixed(60)
    batch, alone = scores(model, texts), singles(model, texts)
    assert np.abs(np.array(batch) - np.array(alone)).max() <= 1e-12
    assert batch == alone  # in fact the very same floats: same sums in the same order


@pytest.mark.parametrize("size", [0, 1, model_module.BATCH_MIN - 1, model_module.BATCH_MIN, 50])
def test_every_batch_size(model: classifier.Model, size: int) -> None:
    texts = mixed(50, seed=size)[:size]
    assert scores(model, texts) == singles(model, texts)


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "🙂", "LOUD"])
def test_batches_of_one_repeated_text(model: classifier.Model, text: str) -> None:
    texts = [text] * (model_module.BATCH_MIN + 5)
    assert scores(model, texts) == singles(model, texts)


def test_scores_do_not_depend_on_the_rest_of_the_batch(
    model: classifier.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = mixed(80, seed=1)
    expected = dict(zip(texts, singles(model, texts), strict=True))
    shuffled = random.Random(2).sample(texts, len(texts))
    monkeypatch.setattr(model_module, "BATCH_SIZE", 17)  # several sub-batches
    assert scores(model, shuffled) == [expected[t] for t in shuffled]


def test_memos_stay_bounded(model: classifier.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocabulary_module, "CHUNK_LIMIT", 50)
    vocabulary = model._vocabulary
    vocabulary._chunks.clear()
    vocabulary._packed.clear()
    texts = mixed(100, seed=3)
    expected = singles(model, texts)
    assert scores(model, texts) == expected
    assert len(vocabulary._chunks) <= 50 and len(vocabulary._packed) <= 50


def test_concurrent_batches(tiny_model: classifier.Model) -> None:
    texts = mixed(200, seed=4)
    expected = singles(tiny_model, texts)
    tiny_model._vocabulary._chunks.clear()
    tiny_model._vocabulary._packed.clear()
    parts = [texts[i::4] for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda part: scores(tiny_model, part), parts))
    assert got == [expected[i::4] for i in range(4)]


def test_bigram_table_matches_the_successor_maps(model: classifier.Model) -> None:
    vocabulary = model._vocabulary
    pairs = [(a, b, c) for a, after in vocabulary.successors.items() for b, c in after.items()]
    keys = np.array([a << 24 | b for a, b, _ in pairs], dtype=np.int64)
    assert vocabulary.bigram_columns(keys).tolist() == [c for _, _, c in pairs]
    rng = np.random.default_rng(0)
    unigrams = np.array(sorted(vocabulary.successors), dtype=np.int64)
    strangers = rng.choice(unigrams, 2000) << 24 | rng.choice(unigrams, 2000)
    expected = [
        vocabulary.successors[int(k) >> 24].get(int(k) & 0xFFFFFF, -1) for k in strangers.tolist()
    ]
    assert vocabulary.bigram_columns(strangers).tolist() == expected


def test_known_tokens_chunks_are_resolved_like_any_chunk(model: classifier.Model) -> None:
    vocabulary = model._vocabulary
    for token, (_, _, chunk) in list(vocabulary._known.items())[:3000]:
        if chunk is not None:
            assert vocabulary._resolve_tokens(token) == chunk


def fuzz(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        *"aAbBiIoO013457@$|!.*_- '\"#&;<>/:=[](){}\n\t\u200b\u00e9\u0430\u03b1\uff41?,%`",
        *("@USER", "http://", "www.", ".com", "  ", "&amp;", "#Tag", "@bob", "RT @x:", "'''"),
        *("==", "[[", "{{", "1.2.3.4", " n't", " 's", "!!!!", "aaaa", "🙂🙂🙂🙂", "你好世界", "ﬁ"),
        *("\u2003", "\x00", "\x01", "&#10;", "HELLO", "ABCD-EFGH", " , ", " .", "f u c k"),
        *("\ud800", "caf\u00e9", "\u0131", "\u0130", "\u00df"),
    ]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def test_analyse_many_is_analyse() -> None:
    texts = TRICKY + fuzz(3000, seed=5)
    assert analyse_many(texts) == [analyse(t) for t in texts]
    assert analyse_many([]) == []


def test_shouting_candidates_include_every_shouting_text() -> None:
    cleans = [analyse(t).clean for t in TRICKY] + fuzz(3000, seed=6)
    candidates = set(shouting_candidates(cleans))
    assert {i for i, clean in enumerate(cleans) if meta_spans(clean)} <= candidates
