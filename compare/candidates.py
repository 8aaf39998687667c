"""Candidate search: which segment pairs are worth scoring, found without trying all pairs.

Retrieve approximately, then verify exactly (as datasketch's LSH does):
segments with the same folded text pair at once; every other segment of A
looks up its rarest words and phrases in an inverted index of B (prefix
filtering: near-copies share their rarest keys, and a key found everywhere
never floods the search), adds up the weight of the keys it shares with each
segment of B, and only the segments with the most shared weight are scored.
Once the first of them scores as a near-copy, only those sharing at least
half its weight are scored too (scoring the rest took a fifth of the time of
a 1 MB comparison, and changed no measured result).  Each segment keeps its
best few candidates, seen from both sides.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable

from compare.model import Options, Segmentation, SegmentRole, Span
from compare.scoring import Features, Scorer

_HAS_WORD = re.compile(r"[^\W\d_]")  # a letter: a segment without one has nothing to align

MAX_POSTINGS = 64  # a word in more segments of B than this is too common to retrieve by
RARE_KEYS = 16  # words and phrases of a segment looked up in the index
SHORTLIST_FACTOR = 2  # segments scored exactly per kept candidate
NEAR_COPY_SCORE = 0.8  # a best candidate scoring this high is the segment's counterpart, almost surely
NEAR_COPY_SHARE = 0.5  # past one, only candidates sharing this much of its retrieved weight are scored
BUDGET_CHECK_EVERY = 256  # segments between two looks at the clock


def holds_word(text: str, span: Span) -> bool:
    """Tell whether a span of text holds a letter (a lone "." or "3." of a list has nothing to align).

    >>> holds_word("3. Rivers", Span(0, 2)), holds_word("3. Rivers", Span(0, 9))
    (False, True)
    """
    return _HAS_WORD.search(text, span.start, span.end) is not None


def text_segments(seg: Segmentation) -> list[int]:
    """Return the indices of the segments the aligner pairs: text (not page noise) holding at least one word.

    A lone "." or "3." of a list is no page noise, but has nothing to align either.
    """
    text = seg.document.text
    return [s.index for s in seg.segments if s.role is SegmentRole.TEXT and holds_word(text, s.span)]


def find_candidates(
    scorer: Scorer, a: Segmentation, b: Segmentation, options: Options,
    over_budget: Callable[[], bool] = lambda: False,
) -> dict[tuple[int, int], float]:
    """Return scored candidate pairs ``(i, j) -> score`` of text segments of A and B.

    ``over_budget`` is polled now and then; once it answers True the search
    stops with what it has.
    """
    a_ids, b_ids = text_segments(a), text_segments(b)
    feats_a, feats_b = scorer.features[0], scorer.features[1]

    by_text: dict[str, list[int]] = defaultdict(list)
    for j in b_ids:
        by_text[feats_b[j].folded].append(j)
    postings: dict[str | tuple[str, str], list[int]] = defaultdict(list)
    for j in b_ids:
        for word in feats_b[j].words:
            postings[word].append(j)
        for phrase in feats_b[j].phrases:
            postings[phrase].append(j)

    shortlist = SHORTLIST_FACTOR * options.candidates_per_segment
    scores: dict[tuple[int, int], float] = {}
    seen_texts: Counter[str] = Counter()
    for done, i in enumerate(a_ids):
        if done % BUDGET_CHECK_EVERY == 0 and over_budget():
            break
        fa = feats_a[i]
        same = by_text.get(fa.folded)
        if same and fa.words:
            rank = seen_texts[fa.folded]
            seen_texts[fa.folded] += 1
            for j in _same_text_partners(same, rank):
                scores[(i, j)] = 1.0
        shared: dict[int, float] = defaultdict(float)
        for key in _rarest_keys(fa, postings):
            weight = scorer.word_weight(key) if isinstance(key, str) else scorer.phrase_weight(key)
            for j in postings[key]:
                shared[j] += weight
        top = heapq.nlargest(shortlist, shared, key=shared.__getitem__)
        floor = 0.0
        for j in top:
            if shared[j] < floor:
                break
            score = scores.get((i, j), -1.0)
            if score < 0:
                score = scorer.score(fa, feats_b[j])
                if score > 0:
                    scores[(i, j)] = score
            if j == top[0] and score >= NEAR_COPY_SCORE:
                floor = NEAR_COPY_SHARE * shared[j]
    place_a = {i: k / len(a_ids) for k, i in enumerate(a_ids)}
    place_b = {j: k / len(b_ids) for k, j in enumerate(b_ids)}
    return _best_per_segment(scores, options.candidates_per_segment, place_a, place_b)


def _rarest_keys(fa: Features, postings: dict[str | tuple[str, str], list[int]]) -> list[str | tuple[str, str]]:
    """Return the words and phrases of a passage that are rarest in B (the ones worth looking up).

    Near-copies share their rarest keys; looking up only those keeps retrieval
    cheap however repetitive the vocabulary is (prefix filtering).
    """
    keys: list[str | tuple[str, str]] = [*fa.words, *sorted(fa.phrases)]
    usable = [k for k in keys if 0 < len(postings.get(k, ())) <= MAX_POSTINGS]
    return heapq.nsmallest(RARE_KEYS, usable, key=lambda k: len(postings[k]))


def _same_text_partners(same: list[int], rank: int) -> list[int]:
    """Return the B segments with the same text to pair with the ``rank``-th such segment of A.

    A text repeated thousands of times must not pair all with all: past
    ``MAX_POSTINGS`` copies, the k-th copy of A meets the k-th copy of B and
    its neighbours.
    """
    if len(same) <= MAX_POSTINGS:
        return same
    k = min(rank, len(same) - 1)
    return same[max(0, k - 1) : k + 2]


def _best_per_segment(scores: dict[tuple[int, int], float], keep: int, place_a: dict[int, float],
                      place_b: dict[int, float]) -> dict[tuple[int, int], float]:
    """Keep a pair when it is among the ``keep`` best of its A segment or of its B segment.

    Among equal scores (a paragraph repeated ten times) the nearest in relative
    place wins, so a document against itself keeps every segment's own copy.

    >>> scores = {(0, 0): 1.0, (0, 1): 1.0, (1, 0): 1.0, (1, 1): 1.0}
    >>> sorted(_best_per_segment(scores, 1, {0: 0.0, 1: 0.5}, {0: 0.0, 1: 0.5}))
    [(0, 0), (1, 1)]
    """
    by_a: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    by_b: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for (i, j), score in scores.items():
        nearness = -abs(place_a[i] - place_b[j])
        by_a[i].append((score, nearness, -j))
        by_b[j].append((score, nearness, -i))
    kept: set[tuple[int, int]] = set()
    for i, row in by_a.items():
        kept.update((i, -j) for _, _, j in heapq.nlargest(keep, row))
    for j, column in by_b.items():
        kept.update((-i, j) for _, _, i in heapq.nlargest(keep, column))
    return {pair: scores[pair] for pair in kept}
