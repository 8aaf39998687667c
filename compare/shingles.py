"""Corpus candidate search: which text segments of different documents are worth a closer look.

Retrieve approximately, then verify exactly.  Every text segment of every
document is reduced to hashes: its content words, its *phrases* (pairs of
consecutive content words, the phrases the scorer weighs) and the hash of its
content words in order (its *text key*: equal for two segments that say the
same words).  Hashes are stable 64-bit integers (BLAKE2b, so every process
and every machine agrees), held in numpy arrays rather than Python objects, so
100,000 documents fit in a few GB.

The index holds phrases and text keys.  A key held by more than
``stock_cap(segments)`` text segments of the corpus is a *stock phrase*: it
says how the corpus writes, not what it reuses, and it retrieves nothing (the
report counts such keys and says so).  The cap grows with the corpus as the
square root of its segments: a fixed cap turns, as a corpus grows, every
phrase of its common vocabulary into a stock phrase (at 100,000 documents a
cap of 64 dropped most keys of the planted copies of the benchmark), while a
cap proportional to the corpus would keep every key ever seen and expand a
number of pairs quadratic in the corpus.  Two segments of different
documents sharing at least ``MIN_SHARED_KEYS`` of the remaining keys are a
candidate pair (a text key counts as ``MIN_SHARED_KEYS``: two segments that
say the same words are a candidate however short).  Work grows with the
number of keys and of the pairs their postings expand, never with the number
of pairs of segments.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from compare.model import Document, Options, SegmentRole, Span
from compare.normalize import FUNCTION_WORDS, token_keys
from compare.segment import segment

MIN_SHARED_KEYS = 2  # keys two segments must share to be a candidate pair
MIN_STOCK_CAP = 64  # the stock-phrase cap of a small corpus (a key in more segments than this is stock)
PAIRS_PER_SHARD = 4_000_000  # pairs of postings one shard of the candidate search expands at most (memory bound)

Hashes = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]

_WORD_HASHES: dict[str, int] = {}  # per process: the vocabulary is small, hashing it once is enough
_MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant: combining two hashes keeps them spread
_TEXT_SALT = 0xD6E8FEB86659FD93  # a text key's second copy (a text key counts twice)


def stable_hash(text: str) -> int:
    """Return a 64-bit hash of ``text`` that is the same in every process (unlike ``hash``).

    >>> stable_hash("china") == stable_hash("china") != stable_hash("chin")
    True
    """
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def word_hash(key: str) -> int:
    """Return ``stable_hash(key)``, remembered for the process's lifetime."""
    found = _WORD_HASHES.get(key)
    if found is None:
        found = _WORD_HASHES[key] = stable_hash(key)
    return found


def phrase_hash(phrase: tuple[str, str]) -> int:
    """Return the stable hash of a phrase (two consecutive content-word keys).

    >>> phrase_hash(("river", "flood")) == phrase_hash(("river", "flood")) != phrase_hash(("flood", "river"))
    True
    """
    return ((word_hash(phrase[0]) * _MIX) ^ word_hash(phrase[1])) & _MASK


def stock_cap(segments: int) -> int:
    """Return how many text segments may hold a key before it counts as a stock phrase.

    >>> stock_cap(1_000), stock_cap(350_000), stock_cap(3_500_000)
    (64, 592, 1871)
    """
    return max(MIN_STOCK_CAP, math.isqrt(segments))


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """What the corpus steps need of one document, in compact, picklable form.

    ``spans`` holds the ``(start, end)`` of the document's text segments (page
    noise left out), in order.  For each text segment, ``words`` and
    ``phrases`` hold its distinct content-word and phrase hashes, sorted and
    concatenated, ``word_bounds``/``phrase_bounds`` where each segment's run
    starts; ``text_keys`` holds the hash of its content words in order (0 for
    a segment without any).
    """

    name: str
    chars: int
    spans: Ints  # shape (segments, 2)
    boilerplate: tuple[Span, ...]
    words: Hashes
    word_bounds: Ints
    phrases: Hashes
    phrase_bounds: Ints
    text_keys: Hashes

    @property
    def segments(self) -> tuple[Span, ...]:
        """The text segments as spans."""
        return tuple(Span(int(start), int(end)) for start, end in self.spans.tolist())

    @property
    def counted_chars(self) -> int:
        """Characters of the text segments: what every share of the report counts."""
        return int((self.spans[:, 1] - self.spans[:, 0]).sum()) if len(self.spans) else 0

    def segment_words(self, k: int) -> Hashes:
        """Return the distinct content-word hashes of text segment ``k``."""
        return self.words[self.word_bounds[k] : self.word_bounds[k + 1]]

    def segment_phrases(self, k: int) -> Hashes:
        """Return the distinct phrase hashes of text segment ``k``."""
        return self.phrases[self.phrase_bounds[k] : self.phrase_bounds[k + 1]]


def prepare_documents(documents: Sequence[Document], options: Options) -> list[PreparedDocument]:
    """Segment documents and hash their text segments' words, phrases and texts (one unit of parallel work).

    >>> [doc] = prepare_documents([Document("d", "Read more: Elsewhere\\n\\nRivers flood valleys.")], Options())
    >>> doc.segments, doc.boilerplate, len(doc.segment_words(0)), len(doc.segment_phrases(0))
    ((Span(start=22, end=44),), (Span(start=0, end=20),), 3, 2)
    """
    cache = _WORD_HASHES
    prepared = []
    for document in documents:
        seg = segment(document, options)
        text = document.text
        spans: list[tuple[int, int]] = []
        boilerplate: list[Span] = []
        hashes: list[int] = []  # content-word hashes of the document's text segments, in order
        ends: list[int] = []  # where each text segment's run of hashes ends
        text_keys: list[int] = []
        for s in seg.segments:
            if s.role is SegmentRole.BOILERPLATE:
                boilerplate.append(s.span)
                continue
            spans.append((s.span.start, s.span.end))
            content = [key for key in token_keys(text, s.span.start, s.span.end) if key not in FUNCTION_WORDS]
            hashes.extend([cache.get(key) or word_hash(key) for key in content])
            ends.append(len(hashes))
            text_keys.append(stable_hash(" ".join(content)) or 1 if content else 0)
        prepared.append(_hashed(document, spans, _merged(boilerplate), hashes, ends, text_keys))
    return prepared


def _hashed(document: Document, spans: list[tuple[int, int]], boilerplate: list[Span], hashes: list[int],
            ends: list[int], text_keys: list[int]) -> PreparedDocument:
    """Return a document's prepared form from its segments' content-word hashes (vectorised per document)."""
    count = len(spans)
    words = np.array(hashes, dtype=np.uint64)
    bounds = np.array([0, *ends], dtype=np.int64)
    owner = np.repeat(np.arange(count, dtype=np.int64), np.diff(bounds))
    same = owner[1:] == owner[:-1] if len(words) else np.zeros(0, dtype=bool)
    with np.errstate(over="ignore"):
        phrases = (words[:-1] * np.uint64(_MIX)) ^ words[1:]  # as phrase_hash (uint64 arithmetic wraps)
    word_runs, word_bounds = _distinct_per_segment(words, owner, count)
    phrase_runs, phrase_bounds = _distinct_per_segment(phrases[same], owner[1:][same], count)
    return PreparedDocument(
        document.name, len(document.text), np.array(spans, dtype=np.int64).reshape(-1, 2), tuple(boilerplate),
        word_runs, word_bounds, phrase_runs, phrase_bounds, np.array(text_keys, dtype=np.uint64),
    )


def _distinct_per_segment(values: Hashes, owner: Ints, count: int) -> tuple[Hashes, Ints]:
    """Return the distinct values of each segment, sorted and concatenated, and where each segment's run starts."""
    if not len(values):
        return values.astype(np.uint64), np.zeros(count + 1, dtype=np.int64)
    order = np.lexsort((values, owner))
    values, owner = values[order], owner[order]
    keep = np.concatenate([[True], (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])])
    values, owner = values[keep], owner[keep]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=count))]).astype(np.int64)
    return values, bounds


def _merged(spans: Sequence[Span]) -> list[Span]:
    """Return the union of spans as disjoint sorted spans (touching spans join)."""
    out: list[Span] = []
    for span in sorted(spans):
        if out and span.start <= out[-1].end:
            out[-1] = out[-1].cover(span)
        else:
            out.append(span)
    return out


def index_keys(doc: PreparedDocument) -> tuple[Hashes, Ints]:
    """Return a document's index keys (phrases, and each text key twice) and the text segment holding each."""
    counts = np.diff(doc.phrase_bounds)
    owners = np.repeat(np.arange(len(doc.spans), dtype=np.int64), counts)
    texts = np.flatnonzero(doc.text_keys != 0)
    keys = np.concatenate([doc.phrases, doc.text_keys[texts], doc.text_keys[texts] ^ np.uint64(_TEXT_SALT)])
    return keys, np.concatenate([owners, texts, texts])


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs of text segments, numbered globally (document after document), and what was left out.

    ``x < y`` are segment numbers, sorted by ``(x, y)``; ``shared`` the keys each pair shares.
    ``stock_keys`` counts the distinct keys held by more than ``cap`` segments (they retrieve nothing);
    ``unindexed`` the segments with keys, all of them stock.
    """

    x: Ints
    y: Ints
    shared: Ints
    cap: int
    stock_keys: int
    unindexed: int


def candidate_pairs(prepared: Sequence[PreparedDocument], threads: int = 1, cap: int | None = None) -> Candidates:
    """Return the candidate pairs of text segments of different documents, with their shared key counts.

    ``cap`` overrides ``stock_cap`` of the corpus's segment count.  The pairs
    are expanded shard by shard (ranges of ``x``, so memory stays bounded), on
    ``threads`` threads (numpy's sorting and indexing release the GIL).
    """
    seg_counts = np.array([len(p.spans) for p in prepared], dtype=np.int64)
    seg_doc = np.repeat(np.arange(len(prepared), dtype=np.int32), seg_counts)
    offsets = np.concatenate([[0], np.cumsum(seg_counts)])
    total = int(offsets[-1])
    cap = stock_cap(total) if cap is None else cap
    keys_parts, owner_parts = [], []
    for d, p in enumerate(prepared):
        keys, owners = index_keys(p)
        keys_parts.append(keys)
        owner_parts.append(owners + offsets[d])
    empty = np.zeros(0, dtype=np.int64)
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, dtype=np.uint64)
    owners = np.concatenate(owner_parts) if owner_parts else empty
    del keys_parts, owner_parts
    if not len(keys):
        return Candidates(empty, empty, empty, cap, 0, 0)
    order = np.argsort(keys, kind="stable")  # stable: owners stay ascending within a key's group
    keys, owners = keys[order], owners[order]
    del order

    # Groups of equal keys; keep those held by 2..cap segments.
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(keys)]]))
    stock = sizes > cap
    indexed_owners = np.unique(owners[~np.repeat(stock, sizes)])
    unindexed = len(np.unique(owners)) - len(indexed_owners)
    eligible = (sizes >= 2) & ~stock
    keep = np.repeat(eligible, sizes)
    owners = owners[keep]
    del keys, keep
    if not len(owners):
        return Candidates(empty, empty, empty, cap, int(stock.sum()), unindexed)
    sizes = sizes[eligible]
    group_start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    room = np.repeat(sizes, sizes) - (np.arange(len(owners)) - group_start)  # postings from here to group end
    del group_start

    # Shards: ranges of x (a posting pairs with the later ones of its group: x is its owner), cut so that
    # each expands about the same number of pairs.
    expanded = np.cumsum(np.bincount(owners, weights=room - 1, minlength=total))
    shards = max(threads, -(-int(expanded[-1]) // PAIRS_PER_SHARD))
    cuts = np.searchsorted(expanded, np.linspace(0, expanded[-1], shards + 1)[1:-1], side="right")
    bounds = list(pairwise([0, *sorted(set(cuts.tolist())), total]))

    def shard(lo: int, hi: int) -> tuple[Ints, Ints, Ints]:
        at = np.flatnonzero((room > 1) & (owners >= lo) & (owners < hi))
        ids_parts = []
        d = 1
        while len(at):
            left, right = owners[at], owners[at + d]
            other = seg_doc[left] != seg_doc[right]
            ids_parts.append(left[other] * total + right[other])
            d += 1
            at = at[room[at] > d]
        if not ids_parts:
            return empty, empty, empty
        pair_ids, shared = np.unique(np.concatenate(ids_parts), return_counts=True)
        strong = shared >= MIN_SHARED_KEYS
        pair_ids = pair_ids[strong]
        return pair_ids // total, pair_ids % total, shared[strong].astype(np.int64)

    if threads > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(threads) as pool:
            parts = list(pool.map(lambda bound: shard(*bound), bounds))
    else:
        parts = [shard(lo, hi) for lo, hi in bounds]
    return Candidates(np.concatenate([x for x, _, _ in parts]), np.concatenate([y for _, y, _ in parts]),
                      np.concatenate([n for _, _, n in parts]), cap, int(stock.sum()), unindexed)
