"""Passages: the pairs that belong to one reused stretch of text, reported as one unit.

Pairs are the rows a reader compares; a passage is what was reused: a
reworded paragraph is one passage of several sentence pairs, with the
sentences that found no counterpart inside it.  Two pairs belong to one
passage when they lie close in both documents: on each side, the text
between them is at most ``passage_gap`` times the longer of the two (a
reworded passage may shuffle its sentences; a copy continues past a
sentence the copier dropped).  A passage runs from the first word its
pairs share to the last (``Passage.a`` and ``Passage.b``).

Where one passage renders most of both documents (``whole_share`` of each
side's text), the documents render each other throughout, and "all of A is
all of B" says nothing: such a passage is cut wherever one linear map stops
placing its pairs within ``passage_slack`` of their own length, so that a
translation's passages still map character to character (which is what the
evaluation kit's projection measure checks), and its pieces keep their
sentence bounds (they tile the documents).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from compare.calibration import Costs
from compare.links import NEAR_COPY_RATIO
from compare.model import OpTag, Pair, Passage, Segmentation, SegmentRole, Span

_WORD = re.compile(r"\w")  # an equal operation holding one shares words, not just punctuation

CHECKED_PAIRS = 64  # a piece's last pairs checked against its linear map each time it grows (and its first)


def find_passages(pairs: Sequence[Pair], a: Segmentation, b: Segmentation, costs: Costs) -> tuple[Passage, ...]:
    """Group the pairs of two segmented documents into passages; every pair lies in exactly one.

    >>> from compare.model import DiffOp, PairKind
    >>> from compare.calibration import Costs
    >>> def pair(a0, a1, b0, b1):
    ...     return Pair(Span(a0, a1), Span(b0, b1), PairKind.VARIANT, 0.9, False,
    ...                 (DiffOp(OpTag.EQUAL, Span(a0, a1), Span(b0, b1)),), (), ())
    >>> costs = Costs(moved=2, partial=2, partners=2, orphan=2, passage_gap=1.0, ordered_gap=1.0, copy_gap=1.0,
    ...               whole_share=0.5, passage_slack=0.05)
    >>> from compare.segment import segment
    >>> from compare.model import Document
    >>> a, b = segment(Document("a", "x" * 100)), segment(Document("b", "y" * 100))
    >>> [(p.a, p.b, p.pairs) for p in find_passages([pair(0, 10, 0, 10), pair(11, 20, 11, 21)], a, b, costs)]
    [(Span(start=0, end=20), Span(start=0, end=21), (0, 1))]
    """
    text_a, text_b = _text_chars(a), _text_chars(b)
    passages: list[Passage] = []
    for group in _clusters(pairs, costs):
        span_a, span_b = _cover(pairs, group)
        whole = len(span_a) >= costs.whole_share * text_a and len(span_b) >= costs.whole_share * text_b
        pieces = _linear_pieces(pairs, group, costs.passage_slack) if whole else [group]
        texts = None if whole else (a.document.text, b.document.text)
        passages.extend(_passage(pairs, piece, texts) for piece in pieces)
    return tuple(sorted(passages, key=lambda p: (p.a.start, p.b.start, p.pairs)))


def _clusters(pairs: Sequence[Pair], costs: Costs) -> list[list[int]]:
    """Return the groups of pairs linked, directly or through others, by lying close to each other.

    Two pairs are close when, on each side, the text between them is at most
    ``passage_gap`` times the longer of the two; when they keep their order in
    both documents, one side may stretch to ``ordered_gap`` (a summary's
    consecutive sentences render passages far apart in its source), from
    the other pair and from the pair just before on that side.  Two
    copies (near-verbatim pairs) are close only within ``copy_gap``: a copy
    runs on with what follows it, and two copies apart are two passages.
    """
    copies = [_copied_share(p) >= NEAR_COPY_RATIO for p in pairs]
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k].a.start, pairs[k].b.start, k))
    before_a, before_b = _pair_before(pairs, 0), _pair_before(pairs, 1)
    parent = list(range(len(pairs)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    longest = max((len(p.a) for p in pairs), default=0)
    for n, k in enumerate(order):
        x = pairs[k]
        widest = max(costs.passage_gap, costs.ordered_gap)
        reach = longest + widest * max(len(x.a), longest)  # earlier pairs starting further back cannot be close
        for m in reversed(order[:n]):
            y = pairs[m]
            if y.a.start + reach < x.a.start:
                break
            if root(m) == root(k):
                continue  # already one passage through others
            if copies[k] and copies[m]:
                gap = ordered_gap = costs.copy_gap
            else:
                gap, ordered_gap = costs.passage_gap, costs.ordered_gap
            if (close(x.a, y.a, gap) and close(x.b, y.b, gap)) or \
                    (ordered_gap > gap and _in_order(y, x) and (
                        (close(x.a, y.a, gap) and _stretches(x.b, y.b, before_b[k], ordered_gap))
                        or (close(x.b, y.b, gap) and _stretches(x.a, y.a, before_a[k], ordered_gap)))):
                parent[root(k)] = root(m)
    groups: dict[int, list[int]] = {}
    for k in order:
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _pair_before(pairs: Sequence[Pair], side: int) -> list[Span | None]:
    """Return, for each pair, the span of the pair ending last among those starting before it on one side."""
    spans = [p.a if side == 0 else p.b for p in pairs]
    before: list[Span | None] = [None] * len(pairs)
    last: Span | None = None
    for k in sorted(range(len(spans)), key=lambda k: spans[k].start):
        if last is not None and last.start < spans[k].start:
            before[k] = last
        if last is None or spans[k].end > last.end:
            last = spans[k]
    return before


def _stretches(x: Span, y: Span, before: Span | None, gap: float) -> bool:
    """Tell whether ``x`` lies within ``gap`` of ``y`` and of the pair before it (the text up to it holds no pair).

    Measured from ``y`` alone, a long pair far back would reach past the
    short pairs after it into unrelated text.
    """
    return close(x, y, gap) and (before is None or close(x, before, gap))


def _copied_share(pair: Pair) -> float:
    """Return the share of a pair's characters (both sides) that its word diff finds equal."""
    equal = sum(len(op.a) + len(op.b) for op in pair.ops if op.tag is OpTag.EQUAL)
    return equal / max(len(pair.a) + len(pair.b), 1)


def _in_order(y: Pair, x: Pair) -> bool:
    """Tell whether pair ``y`` comes before pair ``x`` in both documents."""
    return y.a.start <= x.a.start and y.b.start <= x.b.start


def close(x: Span, y: Span, gap: float) -> bool:
    """Tell whether two spans overlap or the text between them is at most ``gap`` times the longer."""
    between = max(x.start, y.start) - min(x.end, y.end)
    return between <= gap * max(len(x), len(y))


def _cover(pairs: Sequence[Pair], group: Sequence[int]) -> tuple[Span, Span]:
    return (Span(min(pairs[k].a.start for k in group), max(pairs[k].a.end for k in group)),
            Span(min(pairs[k].b.start for k in group), max(pairs[k].b.end for k in group)))


def _linear_pieces(pairs: Sequence[Pair], group: list[int], slack: float) -> list[list[int]]:
    """Cut a group (in the order of A) wherever one linear map stops placing each of its pairs, both ways.

    For each pair of a piece, the map of the piece's A cover onto its B cover
    sends the pair's A span to an interval whose middle must lie within
    ``slack`` of the longer of that interval and the pair's B span from the
    middle of the B span (and the same from B to A).  Each time a piece gains
    a pair, the check runs over its first pair and its last ``CHECKED_PAIRS``
    (a linear map strays most at a piece's ends; a run of ten thousand copies
    must not cost ten thousand squared).
    """
    spans = np.array([(pairs[k].a.start, pairs[k].a.end, pairs[k].b.start, pairs[k].b.end) for k in group],
                     dtype=float).reshape(-1, 4)
    pieces: list[list[int]] = []
    first = 0
    cover = spans[0].copy() if len(group) else np.zeros(4)
    for n in range(1, len(group) + 1):
        if n < len(group):
            trial = np.array([min(cover[0], spans[n, 0]), max(cover[1], spans[n, 1]),
                              min(cover[2], spans[n, 2]), max(cover[3], spans[n, 3])])
            checked = np.vstack([spans[first : first + 1], spans[max(first + 1, n - CHECKED_PAIRS) : n + 1]])
            if _all_placed(checked, trial, slack):
                cover = trial
                continue
        pieces.append(group[first:n])
        first = n
        if n < len(group):
            cover = spans[n].copy()
    return pieces


def _all_placed(spans: np.ndarray, cover: np.ndarray, slack: float) -> bool:
    """Tell whether the linear map of ``cover`` (A start, A end, B start, B end) places each span within ``slack``."""
    a0, a1, b0, b1 = cover
    ratio = (b1 - b0) / max(a1 - a0, 1.0)
    for lo, hi, olo, ohi, base, other, scale in (
        (spans[:, 0], spans[:, 1], spans[:, 2], spans[:, 3], a0, b0, ratio),
        (spans[:, 2], spans[:, 3], spans[:, 0], spans[:, 1], b0, a0, 1 / ratio if ratio else 0.0),
    ):
        projected_lo, projected_hi = other + (lo - base) * scale, other + (hi - base) * scale
        error = np.abs((projected_lo + projected_hi) / 2 - (olo + ohi) / 2)
        room = slack * np.maximum(np.maximum(projected_hi - projected_lo, ohi - olo), 1.0)
        if np.any(error > room):
            return False
    return True


def _stripped(text: str, start: int, end: int) -> Span:
    """Return ``[start, end)`` without the whitespace at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _text_chars(seg: Segmentation) -> int:
    return sum(len(s.span) for s in seg.segments if s.role is SegmentRole.TEXT)


def _passage(pairs: Sequence[Pair], group: list[int], texts: tuple[str, str] | None) -> Passage:
    """Return the passage of a group of pairs, trimmed to where their shared words start and stop in ``texts``.

    Shared punctuation alone (the full stops two sentences end with) marks no
    reuse.  Without ``texts`` the passage covers its pairs whole.
    """
    span_a, span_b = _cover(pairs, group)
    shared = [op for k in group for op in pairs[k].ops
              if op.tag is OpTag.EQUAL and _WORD.search(texts[0], op.a.start, op.a.end)] if texts is not None else []
    if shared and texts is not None:
        span_a = _stripped(texts[0], min(op.a.start for op in shared), max(op.a.end for op in shared))
        span_b = _stripped(texts[1], min(op.b.start for op in shared), max(op.b.end for op in shared))
    return Passage(span_a, span_b, tuple(sorted(group)), all(pairs[k].moved for k in group),
                   round(max(pairs[k].score for k in group), 4))
