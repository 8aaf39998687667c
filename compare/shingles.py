"""Corpus candidate search: which text segments of different documents are worth a closer look.

Retrieve approximately, then verify exactly.  Every text segment of every
document is reduced to hashes: its content words, its *phrases* (pairs of
consecutive content words, the phrases the scorer weighs), its runs of three
consecutive content words, and the hash of its content words in order (its
*text key*: equal for two segments that say the same words).  Hashes are
stable 64-bit integers (BLAKE2b, so every process and every machine agrees),
held in numpy arrays rather than Python objects.

The index holds phrases, runs of three and text keys.  Two segments of
different documents sharing at least ``MIN_SHARED_KEYS`` of them are a
candidate pair (a text key counts as ``MIN_SHARED_KEYS``: two segments that
say the same words are a candidate however short).  A key held by ``D``
segments expands ``D (D - 1) / 2`` pairs of postings, so the keys held by
the most segments are *stock phrases*: they say how the corpus writes, not
what it reuses, and retrieve nothing.  Which keys are stock follows from one
rule, the same at every size: the *stock cap* is the largest count of holders
whose keys, together with every rarer key, expand at most
``PAIRS_PER_SEGMENT`` pairs per text segment (prefix filtering by document
frequency, with the work bounded).  So work grows linearly with the corpus;
in a corpus whose phrases stay rare the cap grows with it, and in one whose
vocabulary is small (at 100,000 documents of the benchmark's Markov text,
most two-word phrases are held by a hundred segments or more) the cap falls
and the three-word runs still retrieve what was copied.  The report counts
the stock keys and says so (``Candidates``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from compare.model import Document, Options, SegmentRole, Span
from compare.normalize import FUNCTION_WORDS, token_keys
from compare.segment import segment

MIN_SHARED_KEYS = 2  # keys two segments must share to be a candidate pair
MIN_STOCK_CAP = 64  # a key held by at most this many segments is never stock (its pairs are linear in its postings)
PAIRS_PER_SEGMENT = 16  # beyond that, the rarest keys are kept while their pairs stay within this per text segment
PAIRS_PER_SHARD = 4_000_000  # pairs of postings one shard of the candidate search expands at most (memory bound)

Hashes = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]

_WORD_HASHES: dict[str, int] = {}  # per process: the vocabulary is small, hashing it once is enough
_MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant: combining two hashes keeps them spread
_TEXT_SALT = 0xD6E8FEB86659FD93  # a text key's second copy (a text key counts twice)
_RUN_MIX = 0xC2B2AE3D27D4EB4F  # a second odd constant: runs of three hash apart from phrases


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


def stock_cap(holders: Ints, segments: int) -> int:
    """Return the stock cap: how many segments may hold a key before it is a stock phrase.

    ``holders`` gives, for each key, how many segments hold it.  A key held
    by at most ``MIN_STOCK_CAP`` segments is kept whatever the corpus: it
    expands fewer than ``MIN_STOCK_CAP / 2`` pairs per posting, so all of
    them together cost time linear in the corpus.  Past that, the cap rises
    to the most holders a key may have while it, with every rarer key,
    expands at most ``PAIRS_PER_SEGMENT`` pairs per text segment.

    >>> stock_cap(np.array([2, 3, 70, 90, 2000]), segments=1_000)  # 1 + 3 + 2415 + 4005 pairs fit in 16,000
    90
    """
    if not len(holders):
        return MIN_STOCK_CAP
    sizes = np.arange(int(holders.max()) + 1, dtype=np.int64)
    keys = np.bincount(holders, minlength=len(sizes))
    pairs = np.cumsum(keys * (sizes * (sizes - 1) // 2))
    fits = np.flatnonzero((pairs <= PAIRS_PER_SEGMENT * segments) & (keys > 0))
    return max(MIN_STOCK_CAP, int(fits[-1]) if len(fits) else 0)


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """What the corpus steps need of one document, in compact, picklable form.

    ``spans`` holds the ``(start, end)`` of the document's text segments (page
    noise left out), in order.  For each text segment, ``words``, ``phrases``
    and ``runs`` hold its distinct hashes of content words, of phrases and of
    runs of three content words, sorted and concatenated, each with its
    ``*_bounds`` (where each segment's hashes start); ``text_keys`` holds the
    hash of its content words in order (0 for a segment without any).
    """

    name: str
    chars: int
    spans: Ints  # shape (segments, 2)
    boilerplate: tuple[Span, ...]
    words: Hashes
    word_bounds: Ints
    phrases: Hashes
    phrase_bounds: Ints
    runs: Hashes
    run_bounds: Ints
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
    ((Span(start=22, end=43),), (Span(start=0, end=20),), 3, 2)
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
    same_run = owner[2:] == owner[:-2] if len(words) > 1 else np.zeros(0, dtype=bool)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps
        phrases = (words[:-1] * np.uint64(_MIX)) ^ words[1:]  # as phrase_hash
        runs = (phrases[:-1] * np.uint64(_RUN_MIX)) ^ words[2:]
    word_runs, word_bounds = _distinct_per_segment(words, owner, count)
    phrase_runs, phrase_bounds = _distinct_per_segment(phrases[same], owner[1:][same], count)
    three_runs, three_bounds = _distinct_per_segment(runs[same_run], owner[2:][same_run], count)
    return PreparedDocument(
        document.name, len(document.text), np.array(spans, dtype=np.int64).reshape(-1, 2), tuple(boilerplate),
        word_runs, word_bounds, phrase_runs, phrase_bounds, three_runs, three_bounds,
        np.array(text_keys, dtype=np.uint64),
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


class KeyKind(StrEnum):
    """The two indexes of the candidate search."""

    PHRASES = "phrases"  # pairs of consecutive content words
    RUNS = "runs"  # runs of three consecutive content words


def index_keys(doc: PreparedDocument, kind: KeyKind) -> tuple[Hashes, Ints]:
    """Return a document's keys in one index (its phrases or runs of three, and each text key twice) and the
    text segment holding each."""
    numbers = np.arange(len(doc.spans), dtype=np.int64)
    texts = np.flatnonzero(doc.text_keys != 0)
    salted = doc.text_keys[texts] ^ np.uint64(_TEXT_SALT)
    hashes, bounds = (doc.phrases, doc.phrase_bounds) if kind is KeyKind.PHRASES else (doc.runs, doc.run_bounds)
    keys = np.concatenate([hashes, doc.text_keys[texts], salted])
    owners = np.concatenate([np.repeat(numbers, np.diff(bounds)), texts, texts])
    return keys, owners


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs of text segments, numbered globally (document after document), and what was left out.

    ``x < y`` are segment numbers, sorted by ``(x, y)``; ``shared`` the keys each pair shares (in the index
    that found it with the most).  Per index: ``caps`` the stock cap, ``stock_keys`` the distinct keys held by
    more segments (they retrieve nothing).  ``unindexed`` counts the text segments holding keys, all of them
    stock in both indexes: nothing retrieves them, so reuse of them alone is not looked for.
    """

    x: Ints
    y: Ints
    shared: Ints
    caps: tuple[int, ...] = ()
    stock_keys: tuple[int, ...] = ()
    unindexed: int = 0

    def notes(self) -> str:
        """Return what the stock caps left out, for a reader of the report ('' when nothing)."""
        parts = [f"{stock:,} {kind.value.replace('runs', 'runs of three words')} held by more than {cap:,} "
                 "text segments" for kind, cap, stock in zip(KeyKind, self.caps, self.stock_keys, strict=True)
                 if stock]
        return ("Stock phrases: " + " and ".join(parts) + " retrieve nothing (the cap keeps the candidate "
                "search linear in the corpus); pairs of documents that share only such phrases are not compared"
                + (f" ({self.unindexed:,} text segments hold no other key, so no reuse of them alone is looked for)"
                   if self.unindexed else "") + ". A pair's figures never change: only whether it is compared."
                if parts else "")


def candidate_pairs(prepared: Sequence[PreparedDocument], threads: int = 1,
                    caps: Sequence[int | None] = (None, None)) -> Candidates:
    """Return the candidate pairs of text segments of different documents, with their shared key counts.

    A pair is a candidate when it shares ``MIN_SHARED_KEYS`` keys of one
    index: two phrases, or two runs of three words (a shared run of four), or
    its text.  ``caps`` overrides the stock cap of each index (``stock_cap``).
    """
    found = [_index_pairs(prepared, kind, threads, cap) for kind, cap in zip(KeyKind, caps, strict=True)]
    seg_total = max(sum(len(p.spans) for p in prepared), 1)
    ids = np.concatenate([f.x * seg_total + f.y for f in found])
    shared = np.concatenate([f.shared for f in found])
    order = np.lexsort((-shared, ids))  # per pair, the index sharing the most first
    ids, shared = ids[order], shared[order]
    first = np.concatenate([[True], ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, dtype=bool)
    ids, shared = ids[first], shared[first]
    keyed = np.logical_or.reduce([f.keyed for f in found])
    free = np.logical_or.reduce([f.free for f in found])
    return Candidates(ids // seg_total, ids % seg_total, shared, tuple(f.cap for f in found),
                      tuple(f.stock_keys for f in found), int((keyed & ~free).sum()))


@dataclass(frozen=True, slots=True)
class _IndexPairs:
    """What one index finds: candidate pairs ``(x, y, shared)``, its cap and stock keys, and per segment
    whether it holds a key (``keyed``) and one that is not stock (``free``)."""

    x: Ints
    y: Ints
    shared: Ints
    cap: int
    stock_keys: int
    keyed: npt.NDArray[np.bool_]
    free: npt.NDArray[np.bool_]


def _index_pairs(prepared: Sequence[PreparedDocument], kind: KeyKind, threads: int,
                 cap: int | None) -> _IndexPairs:
    """Return the candidate pairs one index finds, its stock cap and stock keys, and which segments it holds.

    The pairs are expanded shard by shard (ranges of ``x``, so memory stays
    bounded), on ``threads`` threads (numpy's sorting and indexing release the GIL).
    """
    seg_counts = np.array([len(p.spans) for p in prepared], dtype=np.int64)
    seg_doc = np.repeat(np.arange(len(prepared), dtype=np.int32), seg_counts)
    offsets = np.concatenate([[0], np.cumsum(seg_counts)])
    total = int(offsets[-1])
    keys_parts, owner_parts = [], []
    for d, p in enumerate(prepared):
        keys, owners = index_keys(p, kind)
        keys_parts.append(keys)
        owner_parts.append(owners + offsets[d])
    empty = np.zeros(0, dtype=np.int64)
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, dtype=np.uint64)
    owners = np.concatenate(owner_parts) if owner_parts else empty
    del keys_parts, owner_parts
    keyed = np.zeros(total, dtype=bool)
    free = np.zeros(total, dtype=bool)
    if not len(keys):
        return _IndexPairs(empty, empty, empty, cap or MIN_STOCK_CAP, 0, keyed, free)
    keyed[owners] = True
    order = np.argsort(keys, kind="stable")  # stable: owners stay ascending within a key's group
    keys, owners = keys[order], owners[order]
    del order

    # Groups of equal keys; keep those held by 2..cap segments.
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(keys)]]))
    cap = stock_cap(sizes, total) if cap is None else cap
    stock = sizes > cap
    free[owners[~np.repeat(stock, sizes)]] = True
    eligible = (sizes >= 2) & ~stock
    keep = np.repeat(eligible, sizes)
    owners = owners[keep]
    del keys, keep
    if not len(owners):
        return _IndexPairs(empty, empty, empty, cap, int(stock.sum()), keyed, free)
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
    return _IndexPairs(np.concatenate([x for x, _, _ in parts]), np.concatenate([y for _, y, _ in parts]),
                       np.concatenate([n for _, _, n in parts]), cap, int(stock.sum()), keyed, free)
