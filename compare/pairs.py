"""Links into pairs: exact spans, the kind of each pair, and its word diff."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from compare.links import RUN_RATIO, Budget, Link
from compare.model import DiffOp, OpTag, Options, Pair, PairKind, Segmentation, Span
from compare.normalize import tokenize
from compare.scoring import Scorer, character_ratio
from compare.worddiff import diff_words

MIN_EDGE_TOKENS = 3  # words a copied passage must share to extend into a neighbour


def to_pair(link: Link, a: Segmentation, b: Segmentation, scorer: Scorer, options: Options,
            budget: Budget) -> Pair:
    """Turn a link into a pair: spans, kind, and the word diff."""
    if link.spans is not None:  # the pair is part of its segments: its kind is that part's
        span_a, span_b = link.spans
        fa = scorer.features_of(a.document.text, span_a.start, span_a.end)
        fb = scorer.features_of(b.document.text, span_b.start, span_b.end)
        ratio = character_ratio(fa, fb)
    else:
        fa, fb = scorer.passage(0, link.a), scorer.passage(1, link.b)
        span_a = a.segments[link.a[0]].span.cover(a.segments[link.a[-1]].span)
        span_b = b.segments[link.b[0]].span.cover(b.segments[link.b[-1]].span)
        ratio = character_ratio(fa, fb)
        if ratio >= RUN_RATIO and len(link.a) + len(link.b) > 2:
            span_a, span_b = _fit_copied_bounds(a, b, span_a, span_b, link)
    if budget.over():  # no time left for word diffs: one operation for the whole pair
        same = span_a.slice(a.document.text) == span_b.slice(b.document.text)
        ops: tuple[DiffOp, ...] = (DiffOp(OpTag.EQUAL if same else OpTag.REPLACE, span_a, span_b),)
    else:
        ops = _diff_pair(link, a, b, span_a, span_b)
    kind = pair_kind(ops, ratio, lambda: scorer.score_parts(fa, fb)[1], options)
    return Pair(span_a, span_b, kind, round(min(1.0, link.score), 4), link.moved, ops, link.a, link.b)


def pair_kind(ops: tuple[DiffOp, ...], ratio: float, variant_part: Callable[[], float], options: Options) -> PairKind:
    """Return a pair's kind: verbatim only when its word diff has no edit, else variant or partial.

    The word diff compares words after the matching normalisation (case, quotes,
    dashes, spacing), so one changed word makes a pair a variant at most, however
    close the characters; ``ratio`` (character similarity) still names a
    near-copy a variant when its variant score alone would call it partial.
    ``variant_part`` is scored only for a pair with edits (most pairs of a copy have none).

    >>> same, changed = DiffOp(OpTag.EQUAL, Span(0, 4), Span(0, 4)), DiffOp(OpTag.REPLACE, Span(4, 9), Span(4, 8))
    >>> [pair_kind(ops, 0.99, lambda: 0.9, Options()).value for ops in ((same,), (same, changed))]
    ['verbatim', 'variant']
    """
    if ops and all(op.tag is OpTag.EQUAL for op in ops):
        return PairKind.VERBATIM
    if ratio >= options.verbatim_ratio or variant_part() >= options.variant_score:
        return PairKind.VARIANT
    return PairKind.PARTIAL


def _diff_pair(link: Link, a: Segmentation, b: Segmentation, span_a: Span, span_b: Span) -> tuple[DiffOp, ...]:
    """Diff a pair word by word; a run of sentence pairs joined into one passage is diffed sentence by sentence.

    Cutting both sides at the starts of their segments keeps the pieces tiling
    the pair (so the ops still rebuild both passages), keeps each diff local,
    and keeps long copied passages fast.
    """
    text_a, text_b = a.document.text, b.document.text
    if link.spans is not None or len(link.a) != len(link.b) or len(link.a) == 1:
        return diff_words(text_a, text_b, span_a, span_b)
    cuts_a = [span_a.start, *(a.segments[i].span.start for i in link.a[1:]), span_a.end]
    cuts_b = [span_b.start, *(b.segments[j].span.start for j in link.b[1:]), span_b.end]
    if cuts_a != sorted(cuts_a) or cuts_b != sorted(cuts_b):
        return diff_words(text_a, text_b, span_a, span_b)
    ops: list[DiffOp] = []
    for (a0, a1), (b0, b1) in zip(pairwise(cuts_a), pairwise(cuts_b), strict=True):
        for op in diff_words(text_a, text_b, Span(a0, a1), Span(b0, b1)):
            if ops and ops[-1].tag is op.tag:
                ops[-1] = DiffOp(op.tag, ops[-1].a.cover(op.a), ops[-1].b.cover(op.b))
            else:
                ops.append(op)
    return tuple(ops)


def _fit_copied_bounds(a: Segmentation, b: Segmentation, span_a: Span, span_b: Span,
                       link: Link) -> tuple[Span, Span]:
    """Move the ends of a copied passage to where the shared words start and stop.

    A copy rarely starts on a sentence boundary of both texts: the passage is
    trimmed to its first and last shared word on each side.  Only the first
    and last segments are read, however long the passage.
    """
    text_a, text_b = a.document.text, b.document.text
    first_a = tokenize(text_a, span_a.start, a.segments[link.a[0]].span.end)
    first_b = tokenize(text_b, span_b.start, b.segments[link.b[0]].span.end)
    last_a = tokenize(text_a, a.segments[link.a[-1]].span.start, span_a.end)
    last_b = tokenize(text_b, b.segments[link.b[-1]].span.start, span_b.end)
    start_a, start_b = _first_common_run([t.key for t in first_a], [t.key for t in first_b])
    end_a, end_b = _first_common_run([t.key for t in reversed(last_a)], [t.key for t in reversed(last_b)])
    if start_a is None or start_b is None or end_a is None or end_b is None:
        return span_a, span_b
    a0, a1 = first_a[start_a].span.start, last_a[len(last_a) - 1 - end_a].span.end
    b0, b1 = first_b[start_b].span.start, last_b[len(last_b) - 1 - end_b].span.end
    if a0 >= a1 or b0 >= b1:
        return span_a, span_b
    return (Span(a0, end_with_punctuation(text_a, a1, span_a.end)),
            Span(b0, end_with_punctuation(text_b, b1, span_b.end)))


def _first_common_run(keys_a: list[str], keys_b: list[str]) -> tuple[int | None, int | None]:
    """Return where the first run of ``MIN_EDGE_TOKENS`` words common to both sequences starts in each."""
    grams_b: dict[tuple[str, ...], int] = {}
    for y in range(len(keys_b) - MIN_EDGE_TOKENS + 1):
        grams_b.setdefault(tuple(keys_b[y : y + MIN_EDGE_TOKENS]), y)
    for x in range(len(keys_a) - MIN_EDGE_TOKENS + 1):
        found = grams_b.get(tuple(keys_a[x : x + MIN_EDGE_TOKENS]))
        if found is not None:
            return x, found
    return None, None


def end_with_punctuation(text: str, end: int, limit: int) -> int:
    """Extend an end offset over closing punctuation directly after the last word."""
    while end < limit and text[end] in ".!?;:,)]\"'’”":
        end += 1
    return end
