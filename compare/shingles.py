"""Corpus candidate search: which segments of different documents are worth scoring.

Retrieve approximately, then verify exactly.  Every text segment of every
document is reduced to *keys*: its phrases (pairs of consecutive content
words, the same phrases the scorer weighs) and the hash of its folded text.
Keys are hashed to stable 64-bit integers (BLAKE2b, so every process and every
machine agrees) and put into one inverted index, held as sorted numpy arrays
rather than Python dicts, so 100,000 documents fit in a few hundred MB.

A key found in more than ``MAX_KEY_SEGMENTS`` segments is a stock phrase,
not evidence of reuse, and is dropped (prefix filtering by document
frequency); two segments of different documents that share at least
``MIN_SHARED_KEYS`` of the remaining keys are a candidate pair.  Work grows
with the number of keys, not with the number of pairs of segments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from compare.model import Document, Options, SegmentRole, Span
from compare.normalize import FUNCTION_WORDS, fold, token_keys
from compare.segment import segment

MAX_KEY_SEGMENTS = 64  # a key held by more segments than this is a stock phrase
MIN_SHARED_KEYS = 2  # keys two segments must share to be scored
MIN_SEGMENT_KEYS = 2  # segments with fewer content phrases (a heading, "Thank you.") are not indexed

Keys = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]


_WORD_HASHES: dict[str, int] = {}  # per process: the vocabulary is small, hashing it once is enough
_MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant: combining two hashes keeps them spread


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
    """Return the stable hash of a phrase (two consecutive content-word keys)."""
    return ((word_hash(phrase[0]) * _MIX) ^ word_hash(phrase[1])) & _MASK


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """What the corpus steps need of one document, in compact, picklable form.

    ``segments`` are the spans of the document's text segments (boilerplate
    left out), in order; ``words`` and ``keys`` hold, for each text segment,
    its distinct content-word hashes and its index keys, concatenated, with
    ``word_bounds``/``key_bounds`` giving where each segment's run starts.
    """

    name: str
    chars: int
    segments: tuple[Span, ...]
    boilerplate: tuple[Span, ...]
    words: Keys
    word_bounds: Ints
    keys: Keys
    key_bounds: Ints


def prepare_document(document: Document, options: Options) -> PreparedDocument:
    """Segment one document and hash its segments' words and index keys."""
    seg = segment(document, options)
    text = document.text
    cache = _WORD_HASHES
    segments: list[Span] = []
    boilerplate: list[Span] = []
    words: list[int] = []
    keys: list[int] = []
    word_bounds, key_bounds = [0], [0]
    for s in seg.segments:
        if s.role is SegmentRole.BOILERPLATE:
            boilerplate.append(s.span)
            continue
        content = [k for k in token_keys(text, s.span.start, s.span.end) if k not in FUNCTION_WORDS]
        segments.append(s.span)
        hashes = [cache.get(k) or word_hash(k) for k in content]
        words.extend(sorted(set(hashes)))
        phrases = {((left * _MIX) ^ right) & _MASK for left, right in pairwise(hashes)}  # as phrase_hash
        if len(phrases) >= MIN_SEGMENT_KEYS:
            phrases.add(stable_hash("\x1e" + " ".join(fold(s.span.slice(text)).split())))
            keys.extend(sorted(phrases))
        word_bounds.append(len(words))
        key_bounds.append(len(keys))
    return PreparedDocument(
        document.name, len(text), tuple(segments), tuple(_merged(boilerplate)),
        np.array(words, dtype=np.uint64), np.array(word_bounds, dtype=np.int64),
        np.array(keys, dtype=np.uint64), np.array(key_bounds, dtype=np.int64),
    )


def prepare_documents(documents: Sequence[Document], options: Options) -> list[PreparedDocument]:
    """Prepare several documents (one unit of parallel work)."""
    return [prepare_document(d, options) for d in documents]


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Return the union of spans as disjoint sorted spans (touching spans join)."""
    out: list[Span] = []
    for span in sorted(spans):
        if out and span.start <= out[-1].end:
            out[-1] = out[-1].cover(span)
        else:
            out.append(span)
    return out


@dataclass(frozen=True, slots=True)
class FrequencyTable:
    """How many text segments of the corpus hold each hashed word or key (sorted hashes, counts)."""

    hashes: Keys
    counts: Ints

    @classmethod
    def count(cls, runs: Iterable[Keys]) -> FrequencyTable:
        """Count hashes over runs that each list a segment's distinct hashes."""
        joined = np.concatenate([np.asarray(r, dtype=np.uint64) for r in runs] or [np.zeros(0, np.uint64)])
        hashes, counts = np.unique(joined, return_counts=True)
        return cls(hashes, counts.astype(np.int64))

    def repeated(self) -> FrequencyTable:
        """Return the table without hashes counted once (a missing hash counts as one: the same weight)."""
        keep = self.counts > 1
        return FrequencyTable(self.hashes[keep], self.counts[keep])

    def restricted(self, wanted: Keys) -> FrequencyTable:
        """Return the table of the wanted hashes only (what one unit of work needs to look up)."""
        hashes = np.unique(np.asarray(wanted, dtype=np.uint64))
        if not len(self.hashes) or not len(hashes):
            return FrequencyTable(hashes[:0], np.zeros(0, dtype=np.int64))
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = self.hashes[at] == hashes
        return FrequencyTable(hashes[found], self.counts[at[found]])

    def lookup(self, wanted: Sequence[int]) -> list[int]:
        """Return the count of each wanted hash (0 when never seen)."""
        if not wanted or not len(self.hashes):
            return [0] * len(wanted)
        query = np.array(wanted, dtype=np.uint64)
        at = np.searchsorted(self.hashes, query)
        at = np.minimum(at, len(self.hashes) - 1)
        found = self.hashes[at] == query
        return [int(c) for c in np.where(found, self.counts[at], 0)]


PAIRS_PER_SHARD = 4_000_000  # pairs of postings one shard of the candidate search expands at most (memory bound)


def candidate_pairs(prepared: Sequence[PreparedDocument], threads: int = 1) -> tuple[Ints, Ints, Ints]:
    """Return candidate pairs of text segments of different documents, with their shared key counts.

    Segments are numbered globally, document after document.  Returns arrays
    ``(x, y, shared)`` with ``x < y``, sorted by ``(x, y)``.  The pairs are
    expanded shard by shard (ranges of ``x``, so memory stays bounded), on
    ``threads`` threads (numpy's sorting and indexing release the GIL).
    """
    seg_counts = np.array([len(p.segments) for p in prepared], dtype=np.int64)
    seg_doc = np.repeat(np.arange(len(prepared), dtype=np.int32), seg_counts)
    offsets = np.concatenate([[0], np.cumsum(seg_counts)])
    keys_parts, owner_parts = [], []
    for d, p in enumerate(prepared):
        if len(p.keys):
            keys_parts.append(p.keys)
            owner_parts.append(offsets[d] + np.repeat(np.arange(len(p.segments), dtype=np.int64),
                                                      np.diff(p.key_bounds)))
    empty = np.zeros(0, dtype=np.int64)
    if not keys_parts:
        return empty, empty, empty
    keys = np.concatenate(keys_parts)
    owners = np.concatenate(owner_parts)
    del keys_parts, owner_parts
    order = np.argsort(keys, kind="stable")  # stable: owners stay ascending within a key's group
    keys, owners = keys[order], owners[order]
    del order

    # Groups of equal keys; keep those held by 2..MAX_KEY_SEGMENTS segments.
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(keys)]]))
    eligible = (sizes >= 2) & (sizes <= MAX_KEY_SEGMENTS)
    keep = np.repeat(eligible, sizes)
    owners = owners[keep]
    del keys, keep
    if not len(owners):
        return empty, empty, empty
    sizes = sizes[eligible]
    group_start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    room = np.repeat(sizes, sizes) - (np.arange(len(owners)) - group_start)  # postings from here to group end
    del group_start
    total = int(offsets[-1])

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
    return (np.concatenate([x for x, _, _ in parts]), np.concatenate([y for _, y, _ in parts]),
            np.concatenate([n for _, _, n in parts]))
