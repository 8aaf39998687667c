"""Parallel texts: two documents that render each other throughout (translations, revisions).

Once the backbone covers most of both texts, every gap between its links
is aligned too, in order and with similar lengths as evidence (as Gale and
Church's aligner does); sentences left alone join a neighbouring link; and
each link is split into the clauses that render each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from compare.candidates import text_segments
from compare.clauses import CLAUSE_END, clause_spans
from compare.links import Budget, Link, link_spans, near_verbatim
from compare.model import Options, Segmentation, Span
from compare.scoring import Features, Scorer

MAX_GAP_SEGMENTS = 60  # larger gaps between backbone pairs are not aligned exhaustively
SANDWICH_FIT = 0.5  # length ratio that lets a lone segment between two aligned pairs pair by position
ORDER_STEPS = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))
LENGTH_WEIGHT = 0.5
MAX_GROUP_SEGMENTS = 4  # a run of links realigned clause by clause holds at most this many segments a side
MIN_ORDER_EVIDENCE = 1e-6  # even between anchors, a pair needs a shared word, not just similar lengths


def is_parallel(links: list[Link], a: Segmentation, b: Segmentation, options: Options) -> bool:
    """Tell whether the order-keeping links cover most of both texts (renderings of one another).

    Coverage is counted in characters and in segments, so that one long
    shared sentence does not make two short texts look parallel.
    """
    def coverage(seg: Segmentation, linked: set[int]) -> float:
        ids = text_segments(seg)
        chars = sum(len(seg.segments[i].span) for i in ids)
        if not chars:
            return 0.0
        by_chars = sum(len(seg.segments[i].span) for i in linked) / chars
        return min(by_chars, len(linked) / len(ids))

    cover_a = coverage(a, {i for link in links for i in link.a})
    cover_b = coverage(b, {j for link in links for j in link.b})
    return min(cover_a, cover_b) >= options.parallel_coverage


def fill_gaps(
    links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int], options: Options, budget: Budget
) -> list[Link]:
    """Align the segments between consecutive backbone links, down to ``gap_min_score``."""
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    bounds = [(-1, -1)] + [(pos_a[link.a[-1]], pos_b[link.b[-1]]) for link in links]
    starts = [(pos_a[link.a[0]], pos_b[link.b[0]]) for link in links] + [(len(order_a), len(order_b))]
    filled = list(links)
    for (end_a, end_b), (next_a, next_b) in zip(bounds, starts, strict=True):
        gap_a, gap_b = order_a[end_a + 1 : next_a], order_b[end_b + 1 : next_b]
        if not gap_a or not gap_b or budget.over():
            continue
        if len(gap_a) > MAX_GAP_SEGMENTS or len(gap_b) > MAX_GAP_SEGMENTS:
            continue
        sandwiched = end_a >= 0 and next_a < len(order_a) and end_b >= 0 and next_b < len(order_b)
        if sandwiched and len(gap_a) == len(gap_b) == 1:
            # One segment on each side between two aligned pairs: their place says they
            # correspond, even when a free rendering shares no word (given similar lengths).
            fa, fb = scorer.passage(0, gap_a), scorer.passage(1, gap_b)
            if min(fa.length, fb.length) >= SANDWICH_FIT * max(fa.length, fb.length):
                filled.append(Link(tuple(gap_a), tuple(gap_b), scorer.score(fa, fb)))
                continue
        filled.extend(_align_gap(gap_a, gap_b, scorer, options))
    return sorted(filled, key=lambda link: link.a)


def absorb_orphans(
    links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int], options: Options
) -> list[Link]:
    """Join the segments left alone between two links of a parallel text to the neighbouring links they belong to.

    Translations cut verses differently: where one side holds segments with
    nothing free facing them, the links on either side render them together
    with their own counterparts.  The run of such orphans is eaten from both
    ends: at each step, of the first orphan joining the link before and the
    last joining the link after, the join that raises its link's fit (score
    and length ratio, as ``align_in_order`` weighs them) most is made, and
    none is made that lowers it; what is left stays on its own side (text one
    side adds).  Clause splitting then says which words of a grown link
    render which.
    """
    for flip in (False, True):
        links = [_flipped(link) for link in links] if flip else links
        order, other = (order_b, order_a) if flip else (order_a, order_b)
        pos, other_pos = {s: k for k, s in enumerate(order)}, {s: k for k, s in enumerate(other)}
        links.sort(key=lambda link: pos[link.a[0]])
        for k in range(1, len(links)):
            if other_pos[links[k].b[0]] != other_pos[links[k - 1].b[-1]] + 1:
                continue  # the other side has segments of its own here: not orphans
            orphans = order[pos[links[k - 1].a[-1]] + 1 : pos[links[k].a[0]]]
            while orphans:
                best: tuple[float, int, Link] | None = None
                for index, seg in ((k - 1, orphans[0]), (k, orphans[-1])):
                    link = links[index]
                    if len(link.a) >= options.max_merge:
                        continue
                    grown = replace(link, a=tuple(sorted((*link.a, seg), key=pos.__getitem__)))
                    (fit, _), (grown_fit, whole) = _order_fit(scorer, link, flip), _order_fit(scorer, grown, flip)
                    if grown_fit >= fit and (best is None or grown_fit - fit > best[0]):
                        best = (grown_fit - fit, index, replace(grown, score=max(whole, link.score)))
                if best is None:
                    break
                links[best[1]] = best[2]
                orphans = orphans[1:] if best[1] == k - 1 else orphans[:-1]
        links = [_flipped(link) for link in links] if flip else links
    return sorted(links, key=lambda link: link.a)


def _flipped(link: Link) -> Link:
    return replace(link, a=link.b, b=link.a)


def _order_fit(scorer: Scorer, link: Link, flipped: bool = False) -> tuple[float, float]:
    """Return how well a link's passages fit as renderings of each other (score and length ratio, as
    ``align_in_order`` weighs them), and their whole-passage score."""
    fa, fb = scorer.passage(0, link.b if flipped else link.a), scorer.passage(1, link.a if flipped else link.b)
    whole = scorer.score_parts(fa, fb)[1]
    fit = min(fa.length, fb.length) / max(fa.length, fb.length, 1)
    return (1 - LENGTH_WEIGHT) * whole + LENGTH_WEIGHT * fit, whole


def _align_gap(gap_a: list[int], gap_b: list[int], scorer: Scorer, options: Options) -> list[Link]:
    """Align the segments of two gaps in order (see ``align_in_order``)."""
    steps = align_in_order(
        lambda x0, x1, y0, y1: (scorer.passage(0, gap_a[x0:x1]), scorer.passage(1, gap_b[y0:y1])),
        len(gap_a), len(gap_b), scorer, options.gap_min_score)
    return [Link(tuple(gap_a[x0:x1]), tuple(gap_b[y0:y1]), score) for x0, x1, y0, y1, score in steps]


def align_in_order(
    passages: Callable[[int, int, int, int], tuple[Features, Features]],
    n: int, m: int, scorer: Scorer, bar: float,
) -> list[tuple[int, int, int, int, float]]:
    """Align two runs of n and m units in order: 1:1, 1:2, 2:1, 1:3, 3:1 steps, or skips.

    ``passages(x0, x1, y0, y1)`` gives the features of units ``[x0, x1)`` of A
    and ``[y0, y1)`` of B.  Returns the aligned steps as ``(x0, x1, y0, y1,
    score)``.  Between two anchors of a parallel text free renderings share
    few words, so similar lengths count as evidence too (as in Gale and
    Church's aligner); a step is taken only when its gain over ``bar`` is
    positive.  Dynamic programming, O(n m).
    """
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, float] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    # Invariant: best[x][y] is the greatest total gain aligning units [0, x) of A with [0, y) of B.
    for x in range(n + 1):
        for y in range(m + 1):
            if x and best[x - 1][y] >= best[x][y]:
                best[x][y], back[x][y] = best[x - 1][y], (1, 0, 0.0)
            if y and (best[x][y - 1] > best[x][y] or back[x][y] is None):
                best[x][y], back[x][y] = best[x][y - 1], (0, 1, 0.0)
            for dx, dy in ORDER_STEPS:
                if x >= dx and y >= dy:
                    fa, fb = passages(x - dx, x, y - dy, y)
                    score = scorer.score(fa, fb)
                    fit = min(fa.length, fb.length) / max(fa.length, fb.length, 1)
                    gain = (1 - LENGTH_WEIGHT) * score + LENGTH_WEIGHT * fit - bar
                    if score >= MIN_ORDER_EVIDENCE and gain > 0 and best[x - dx][y - dy] + gain > best[x][y]:
                        best[x][y], back[x][y] = best[x - dx][y - dy] + gain, (dx, dy, score)
    out: list[tuple[int, int, int, int, float]] = []
    x, y = n, m
    while x or y:
        step = back[x][y]
        assert step is not None
        dx, dy, score = step
        if dx and dy:
            out.append((x - dx, x, y - dy, y, score))
        x, y = x - dx, y - dy
    return out[::-1]


def weak_runs(links: list[Link], order_a: list[int], order_b: list[int], options: Options) -> list[list[Link]]:
    """Group the links of a parallel text into runs of consecutive links around weak ones, in order.

    Where one translation runs several verses into one long sentence, the
    boundary between two sentence links may fall a clause off; a weak link
    (below ``variant_score``) is the sign.  A run joins such a link with its
    neighbours that continue it on both sides, up to ``MAX_GROUP_SEGMENTS``
    segments a side; every other link is a run of its own.
    """
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    runs: list[list[Link]] = []
    for link in sorted(links, key=lambda link: (link.a, link.b)):
        if runs:
            run, last = runs[-1], runs[-1][-1]
            follows = pos_a[link.a[0]] == pos_a[last.a[-1]] + 1 and pos_b[link.b[0]] == pos_b[last.b[-1]] + 1
            weak = min(last.score, link.score) < options.variant_score
            small = max(sum(len(x.a) for x in run) + len(link.a),
                        sum(len(x.b) for x in run) + len(link.b)) <= MAX_GROUP_SEGMENTS
            if follows and weak and small and not link.moved and not last.moved:
                run.append(link)
                continue
        runs.append([link])
    return runs


def realign_clauses(run: list[Link], a: Segmentation, b: Segmentation, scorer: Scorer,
                    options: Options) -> list[Link]:
    """Split a run of links into corresponding clauses, realigning the run as one passage when it holds several.

    The clauses say where the boundaries between the run's links fall; when
    the run as a whole does not split (near-verbatim, or one clause pair),
    each link is split on its own.
    """
    if len(run) > 1:
        joined = Link(tuple(i for link in run for i in link.a), tuple(j for link in run for j in link.b),
                      min(link.score for link in run))
        pieces = _split_into_clauses(joined, a, b, scorer, options)
        if pieces != [joined]:
            return pieces
    return [piece for link in run for piece in _split_into_clauses(link, a, b, scorer, options)]


def _split_into_clauses(link: Link, a: Segmentation, b: Segmentation, scorer: Scorer,
                        options: Options) -> list[Link]:
    """Split a link of a parallel text into its corresponding clauses, when they line up.

    A long sentence of one translation may render several short ones of the
    other: aligning its clauses in order says which words render which.
    The pieces tile the link; a clause left over joins the piece before it.
    """
    text_a, text_b = a.document.text, b.document.text
    span_a, span_b = link_spans(link, a, b)
    clauses_a, clauses_b = clause_spans(text_a, span_a, CLAUSE_END), clause_spans(text_b, span_b, CLAUSE_END)
    if len(clauses_a) < 2 and len(clauses_b) < 2:
        return [link]
    if near_verbatim(link, scorer):
        return [link]  # near-verbatim: each word maps onto its copy already
    feats_a = [scorer.features_of(text_a, c.start, c.end) for c in clauses_a]
    feats_b = [scorer.features_of(text_b, c.start, c.end) for c in clauses_b]
    steps = align_in_order(lambda x0, x1, y0, y1: (scorer.combine(feats_a[x0:x1]), scorer.combine(feats_b[y0:y1])),
                           len(clauses_a), len(clauses_b), scorer, options.gap_min_score)
    if len(steps) < 2:
        return [link]
    pieces = []
    for k, (x0, _, y0, _, score) in enumerate(steps):
        last = k == len(steps) - 1
        start_a = span_a.start if k == 0 else clauses_a[x0].start
        start_b = span_b.start if k == 0 else clauses_b[y0].start
        end_a = span_a.end if last else _end_before(text_a, clauses_a[steps[k + 1][0]].start)
        end_b = span_b.end if last else _end_before(text_b, clauses_b[steps[k + 1][2]].start)
        piece_a, piece_b = Span(start_a, end_a), Span(start_b, end_b)
        segs_a = tuple(i for i in link.a if a.segments[i].span.overlaps(piece_a)) or link.a
        segs_b = tuple(j for j in link.b if b.segments[j].span.overlaps(piece_b)) or link.b
        pieces.append(Link(segs_a, segs_b, max(score, 0.0), link.moved, (piece_a, piece_b)))
    return pieces


def _end_before(text: str, start: int) -> int:
    """Return the end of the text before ``start``, without the whitespace in between."""
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return start
