"""Tokens -> columns of the weight table, with as few Python and numpy steps as possible.

On a small VM every step costs microseconds (numpy calls most of all) and random lookups in large
dicts hit cold memory, so:

- the table has one row per feature, ``[column, idf, weight per head]`` (float32: lossless, the
  artifact stores float32 and columns stay below 2**24);
- every token of the vocabulary has its rows and columns (unigram and char n-grams) precomputed
  at load time; other tokens are resolved in plain Python (char n-gram columns, no numpy) and
  memoised;
- a bigram is found from the previous token's successor map (one text) or from a numpy hash
  table of ``(first, second)`` column pairs (a batch), without building strings.

Scoring works on *chunks*, the whitespace-separated pieces of the normalised text (``idiot,``):
tokens never span whitespace, so a chunk's tokens, and their columns, are the same wherever it
appears.  Each chunk seen is memoised with its columns packed as int32 bytes (its unigrams, char
n-grams and the bigrams inside it, after a header for the bigrams across chunks).  One text is
then a ``str.split`` and a dict lookup per chunk; a batch is one ``split`` and one ``bytes.join``
for all its texts, and numpy for the rest.  Explanations still go token by token (:meth:`rows`).

The memos are plain dicts (atomic operations under the GIL), cleared when full; the rest is
immutable, so one instance can be shared by threads.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from .features import (
    TOKEN_RE,
    FeatureConfig,
    is_word,
    meta_spans,
    shouting_candidates,
    token_ngrams,
)
from .text import Analysed

Rows = npt.NDArray[np.float32]
Columns = npt.NDArray[np.int32]
Successors = dict[int, int]  # next token's column -> bigram column
# packed int32: a header of three negative numbers (-1 - number of columns, -2 - first, -2 -
# last), then the columns; first: the first token's unigram column (or -1); last: the last
# token's unigram column if it has bigram successors (or -1).  Only atomic values: the garbage
# collector stops tracking such tuples, and a full collection then has fewer objects to visit.
Chunk = tuple[bytes, int, int]
# rows, unigram column, the token as a chunk by itself (None for the casing pseudo-tokens, which
# text cannot contain as one token)
Known = tuple[Rows, int, Chunk | None]
MEMO_LIMIT = 50_000  # unseen tokens, ~0.2 kB each
CHUNK_LIMIT = 50_000  # chunks per memo (two memos: ~0.3 kB per chunk in all)
_HASH = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing of bigram keys
# Between two texts' chunks in a batch, and before a casing pseudo-token's name to make it a
# chunk: normalised text has no control characters.
SEPARATOR = "\x00"
META = "\x01"
_MARK = -(2**31)  # the separator's header
if array("i").itemsize != 4:  # pragma: no cover - every platform numpy supports
    raise ImportError("array('i') must hold 32-bit integers")


def _packed(columns: Sequence[int]) -> bytes:
    return array("i", columns).tobytes()


class _ChunkMemo(dict[str, Chunk]):
    """Chunk -> :data:`Chunk`, filled on first sight (``__missing__``), cleared when full."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        super().__init__()
        self._vocabulary = vocabulary

    def __missing__(self, chunk: str) -> Chunk:
        return self._vocabulary.remember_chunk(chunk)


class _PackedMemo(dict[str, bytes]):
    """Chunk -> its packed columns alone (``Chunk[0]``), for batches: one object less to reach
    per chunk than :class:`_ChunkMemo` (the lookups are most of a batch's tokenising cost)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        super().__init__()
        self._vocabulary = vocabulary

    def __missing__(self, chunk: str) -> bytes:
        return self._vocabulary.remember_chunk(chunk)[0]


class Vocabulary:
    """The exported vocabulary, IDF and weights, indexed for scoring."""

    def __init__(
        self,
        config: FeatureConfig,
        word_vocabulary: list[str],
        char_vocabulary: list[str],
        idf: npt.NDArray[np.float64],
        weights: npt.NDArray[np.float64],
    ) -> None:
        n_word = len(word_vocabulary)
        n = n_word + len(char_vocabulary)
        if idf.shape != (n,) or weights.shape[0] != n or n >= 2**24:
            raise ValueError("vocabulary, idf and weights disagree in size (or are too large)")
        self.config = config
        self.n_word = n_word
        self.table = np.column_stack([np.arange(n), idf, weights]).astype(np.float32)
        self.word_index = {feature: i for i, feature in enumerate(word_vocabulary)}
        self.char_index = {feature: i + n_word for i, feature in enumerate(char_vocabulary)}
        # A bigram is in the vocabulary only if both its tokens are (document frequency).
        self.successors: dict[int, Successors] = {}
        for feature, column in self.word_index.items():
            first, space, second = feature.partition(" ")
            if space:
                followers = self.successors.setdefault(self.word_index[first], {})
                followers[self.word_index[second]] = column
        maps = self.successors.values()
        size = sum(map(len, maps))
        before = np.repeat(np.fromiter(self.successors, np.int64, len(maps)), list(map(len, maps)))
        after = np.fromiter(chain.from_iterable(maps), np.int64, size)
        bigrams = np.fromiter(chain.from_iterable(map(dict.values, maps)), np.int32, size)
        self._bigram_table(before << 24 | after, bigrams)
        self._known = self._precompute([f for f in word_vocabulary if " " not in f])
        self._unseen: dict[str, tuple[int, ...]] = {}
        self._explained: dict[str, tuple[int, ...]] = {}
        self._chunks = _ChunkMemo(self)
        self._packed = _PackedMemo(self)

    def token_columns(self, token: str) -> tuple[int, ...]:
        """A token's unigram column (-1 when not in the vocabulary), then its char n-grams'
        (words only): what an explanation charges to the token. Memoised, as explaining
        recomputed the n-grams of every word of every held comment."""
        columns = self._explained.get(token)
        if columns is None:
            chars = self.char_columns(token) if is_word(token) else []
            columns = (self.word_index.get(token, -1), *chars)
            if len(self._explained) >= MEMO_LIMIT:
                self._explained.clear()
            self._explained[token] = columns
        return columns

    def char_columns(self, token: str) -> list[int]:
        """Columns of a word token's char n-grams that are in the vocabulary."""
        index = self.char_index
        return [index[g] for g in token_ngrams(token, self.config) if g in index]

    def _precompute(self, tokens: list[str]) -> dict[str, Known]:
        """Rows (char n-grams, then unigram), column, bigram successors and :data:`Chunk` (when
        the token is a chunk by itself) of known tokens."""
        columns: list[int] = []
        bounds = []
        for token in tokens:
            start = len(columns)
            if is_word(token):
                columns += self.char_columns(token)
            columns.append(self.word_index[token])
            bounds.append((start, len(columns)))
        rows = self.table.take(np.array(columns, dtype=np.intp), axis=0)
        # Every token's chunk (header, then columns), packed into one buffer with numpy.
        starts, ends = np.array(bounds, dtype=np.intp).reshape(-1, 2).T
        unigrams = np.array(columns, dtype=np.int32).take(ends - 1)
        chained = np.array([c in self.successors for c in unigrams.tolist()], dtype=bool)
        at = starts + 3 * np.arange(len(tokens))  # where each token's header goes
        buffer = np.empty(len(columns) + 3 * len(tokens), dtype=np.int32)
        buffer[at] = -1 - (ends - starts)
        buffer[at + 1] = -2 - unigrams
        buffer[at + 2] = np.where(chained, -2 - unigrams, -1)
        owner = np.repeat(np.arange(len(tokens)), ends - starts)
        buffer[np.arange(len(columns)) + 3 * (owner + 1)] = columns
        packed = buffer.tobytes()
        known: dict[str, Known] = {}
        findall = TOKEN_RE.findall
        for token, (a, b), start, last in zip(
            tokens, bounds, (4 * at).tolist(), np.where(chained, unigrams, -1).tolist(), strict=True
        ):
            column = columns[b - 1]
            chunk: Chunk | None = (packed[start : start + 4 * (b - a + 3)], column, last)
            # The casing pseudo-tokens are not tokens: as text, they are several.
            if not token.isalnum() and findall(token) != [token]:
                chunk = None
            known[token] = (rows[a:b], column, chunk)
        return known

    def _unseen_columns(self, token: str) -> tuple[int, ...]:
        columns = self._unseen.get(token)
        if columns is None:
            columns = tuple(self.char_columns(token)) if is_word(token) else ()
            if len(self._unseen) >= MEMO_LIMIT:
                self._unseen.clear()
            self._unseen[token] = columns
        return columns

    def rows(self, doc: Analysed) -> Rows:
        """One table row per feature occurrence of ``doc`` (repeats kept: they are the counts)."""
        known = self._known.get
        parts: list[Rows] = []
        append = parts.append
        extra: list[int] = []
        followers: Successors | None = None  # bigrams starting with the previous token
        for token in TOKEN_RE.findall(doc.norm):
            entry = known(token)
            if entry is None:  # an unseen token: no unigram, so no bigram either
                extra += self._unseen_columns(token)
                followers = None
                continue
            rows, column, _ = entry
            append(rows)
            if followers is not None:
                bigram = followers.get(column)
                if bigram is not None:
                    extra.append(bigram)
            followers = self.successors.get(column)
        if self.config.meta:
            index = self.word_index
            extra += [index[token] for token, _, _ in meta_spans(doc.clean) if token in index]
        if extra:
            parts.append(self.table.take(extra, axis=0))
        return np.concatenate(parts) if parts else self.table[:0]

    # --- scoring: chunks ----------------------------------------------------------------------

    def remember_chunk(self, chunk: str) -> Chunk:
        """Resolve a chunk and memoise it for both scoring paths (each memo is cleared when
        full)."""
        entry = self.resolve_chunk(chunk)
        if len(self._chunks) >= CHUNK_LIMIT:
            self._chunks.clear()
        self._chunks[chunk] = entry
        if len(self._packed) >= CHUNK_LIMIT:
            self._packed.clear()
        self._packed[chunk] = entry[0]
        return entry

    def resolve_chunk(self, chunk: str) -> Chunk:
        """The :data:`Chunk` of one whitespace-free piece of normalised text (uncached)."""
        entry = self._known.get(chunk)
        if entry is not None and entry[2] is not None:  # a known token by itself: precomputed
            return entry[2]
        if chunk == SEPARATOR:
            return _packed((_MARK, -1, -1)), -1, -1
        if chunk[0] == META:
            column = self.word_index.get(chunk[1:])
            return _packed((-1, -1, -1) if column is None else (-2, -1, -1, column)), -1, -1
        return self._resolve_tokens(chunk)

    def _resolve_tokens(self, chunk: str) -> Chunk:
        known = self._known.get
        parts: list[bytes] = []
        inside: list[int] = []  # bigrams within the chunk
        first = None
        column = -1
        followers: Successors | None = None
        for token in TOKEN_RE.findall(chunk):
            found = known(token)
            if found is None:  # an unseen token: no unigram, so no bigram either
                parts.append(_packed(self._unseen_columns(token)))
                column, followers = -1, None
            else:
                _, column, alone = found
                if alone is None:  # pragma: no cover - only pseudo-tokens, which are not tokens
                    raise AssertionError(f"{token!r} is not a token")
                parts.append(alone[0][12:])  # its columns, without the header
                if followers is not None:
                    bigram = followers.get(column)
                    if bigram is not None:
                        inside.append(bigram)
                followers = self.successors.get(column)
            if first is None:
                first = column
        if inside:
            parts.append(_packed(inside))
        columns = b"".join(parts)
        first = -1 if first is None else first
        last = column if followers is not None else -1
        header = _packed((-1 - len(columns) // 4, -2 - first, -2 - last))
        return header + columns, first, last

    def _meta_columns(self, doc: Analysed) -> list[int]:
        index = self.word_index
        return [index[token] for token, _, _ in meta_spans(doc.clean) if token in index]

    def columns(self, doc: Analysed) -> Columns:
        """The column of every feature occurrence of ``doc`` (repeats kept: they are the counts),
        sorted."""
        chunks = self._chunks
        successors = self.successors.get
        parts: list[bytes] = []
        append = parts.append
        across: list[int] = []  # bigrams across chunks
        followers: Successors | None = None  # bigrams starting with the previous token
        pieces = doc.norm.split()
        for piece in pieces:
            packed, first, last = chunks[piece]
            append(packed)
            if followers is not None:
                bigram = followers.get(first)
                if bigram is not None:
                    across.append(bigram)
            followers = successors(last)
        if self.config.meta:
            across += self._meta_columns(doc)
        if across:
            append(_packed(across))
        # The chunks' headers (three negative numbers each) sort first.
        return np.sort(np.frombuffer(b"".join(parts), dtype=np.int32))[3 * len(pieces) :]

    def columns_many(self, docs: Sequence[Analysed]) -> tuple[Columns, npt.NDArray[np.intp]]:
        """The columns of the feature occurrences of all ``docs``, grouped by document, and the
        ``indptr`` delimiting each document's (a CSR matrix's ``indices`` and ``indptr``).

        One ``split`` and one ``bytes.join`` of the chunks' packed columns for the whole batch
        (texts separated by a :data:`SEPARATOR` chunk); the bigrams across chunks are then
        found for all of them at once (a numpy hash table) and written over the next chunk's
        header, and the other header numbers (the negative ones) dropped.
        """
        if not docs:
            return np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.intp)
        norms = [doc.norm for doc in docs]
        if self.config.meta:  # casing pseudo-tokens, as chunks of their own
            for i in shouting_candidates([doc.clean for doc in docs]):
                meta = " ".join([META + token for token, _, _ in meta_spans(docs[i].clean)])
                norms[i] = f"{norms[i]} {meta}"
        pieces = f" {SEPARATOR} ".join(norms).split()
        packed = np.frombuffer(b"".join(map(self._packed.__getitem__, pieces)), np.int32)
        heads = (packed < 0).nonzero()[0].reshape(-1, 3)  # one row per chunk
        header = packed.take(heads)
        separators = (header[:, 0] == _MARK).nonzero()[0]
        if separators.size != len(docs) - 1:
            raise ValueError(f"normalised text contains {SEPARATOR!r}")  # cannot happen
        sizes = -1 - header[:, 0]  # columns per chunk
        sizes[separators] = 0
        # Bigrams across chunks: the last token of a chunk and the first of the next (a
        # separator's are -1, so no bigram spans two texts).
        last, first = -2 - header[:-1, 2], -2 - header[1:, 1]
        pair = ((last >= 0) & (first >= 0)).nonzero()[0]
        found = self.bigram_columns(last.take(pair).astype(np.int64) << 24 | first.take(pair))
        hit = found >= 0
        after = pair[hit] + 1  # the chunk whose header takes the bigram
        stream = packed.copy()
        stream[heads[after, 0]] = found[hit]
        sizes[after] += 1
        ends = np.zeros(len(docs) + 1, dtype=np.intp)
        ends[1:-1] = np.cumsum(sizes).take(separators)
        columns = stream[stream >= 0]
        ends[-1] = columns.size
        return columns, ends

    def _bigram_table(self, pairs: npt.NDArray[np.int64], bigrams: Columns) -> None:
        """An open-addressing hash table (linear probing, load <= 1/2) of ``before << 24 | after``
        -> bigram column, built and probed with numpy over all keys at once."""
        bits = max(4, int(2 * max(1, pairs.size) - 1).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.full(1 << bits, -1, dtype=np.int32)
        slot = self._slots(pairs)
        pending = np.arange(pairs.size)
        while pending.size:
            free = pending[self._keys.take(slot.take(pending)) < 0]
            # One key per free slot this round; the others probe on.
            _, winners = np.unique(slot.take(free), return_index=True)
            placed = free.take(winners)
            self._keys[slot.take(placed)] = pairs.take(placed)
            self._values[slot.take(placed)] = bigrams.take(placed)
            is_placed = np.zeros(pairs.size, dtype=bool)
            is_placed[placed] = True
            pending = pending[~is_placed.take(pending)]
            slot[pending] = (slot.take(pending) + 1) & self._mask

    def _slots(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        hashed: npt.NDArray[np.uint64] = keys.view(np.uint64) * _HASH  # keys are >= 0
        return (hashed >> self._shift).view(np.int64)

    def bigram_columns(self, pairs: npt.NDArray[np.int64]) -> Columns:
        """Bigram column of each ``before << 24 | after`` key, -1 if not in the vocabulary."""
        slot = self._slots(pairs)
        key = self._keys.take(slot)  # most keys are found at their first slot
        found = self._values.take(slot)
        missed = key != pairs
        found[missed] = -1
        pending = (missed & (key >= 0)).nonzero()[0]
        slot[pending] = (slot.take(pending) + 1) & self._mask
        while pending.size:
            probe = slot.take(pending)
            key = self._keys.take(probe)
            hit = key == pairs.take(pending)
            found[pending[hit]] = self._values.take(probe[hit])
            more = ~hit & (key >= 0)
            pending = pending[more]
            slot[pending] = (probe[more] + 1) & self._mask
        return found
