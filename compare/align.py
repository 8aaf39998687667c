"""Alignment of two documents: which passages of A correspond to which of B.

The steps, each a small function over plain values:

1. *backbone*: the heaviest chain of candidate pairs that keeps the order of
   both documents (translations and drafts are mostly monotonic);
2. *merges*: a segment whose neighbour renders the rest of its counterpart
   joins it (one sentence of A rendered as two in B, and the reverse);
3. *parallel texts*: when the backbone covers most of both documents they are
   renderings of each other throughout, so the gaps between backbone pairs
   are aligned too, with a lower bar (free translations share few words);
4. *moved and repeated passages*: strong pairs off the backbone (reordered
   passages, a statement that one document makes twice);
5. *shared clauses* (not in parallel texts): two sentences that say one
   clause alike pair as partial, even when each is paired elsewhere;
6. *copied passages*: runs of adjacent near-verbatim pairs become one
   passage, its ends extended or trimmed to where the copying starts and stops;
7. *clauses* (parallel texts only): each link is split into the clauses that
   render each other, and a run of links around a weak one is realigned
   clause by clause, so that a boundary a clause off is put right;
8. *edge clauses* (sparse reuse): a link grows by the first or last clauses
   of a free neighbouring sentence that render the rest of its counterpart
   (two reports ending a sentence a clause apart).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from rapidfuzz import fuzz

from compare.candidates import find_candidates, heaviest_chain, text_segments
from compare.clauses import (
    CLAUSE_END,
    MAX_WINDOW,
    clause_spans,
    clause_windows,
    shared_clause_link_score,
    shared_clause_score,
)
from compare.copies import Copy, find_copies
from compare.model import Comparison, DiffOp, Document, OpTag, Options, Pair, PairKind, Segmentation, Span
from compare.normalize import fold, tokenize
from compare.scoring import Features, Scorer, character_ratio, fit_scorer
from compare.segment import estimate_segments, segment
from compare.worddiff import diff_words

CHARS_PER_SECOND = 500_000  # a cautious rate of the whole pipeline (~700,000 measured here): inputs larger
#                            than the time budget affords are refused at once rather than cut short
SEGMENTS_PER_SECOND = 10_000  # the same for many tiny segments (one-word or repeated paragraphs: 14,000-40,000/s)
TIE_BREAK = 0.01  # weight of character similarity in the backbone: equal scores prefer closer wording
MERGE_GAIN = 0.03  # a merge must raise the score by this much
RUN_RATIO = 0.85  # adjacent pairs this close in characters form one copied passage
SNUG_SHARE = 0.5  # a copy making up this much of an aligned pair on both sides is left to that pair
MIN_EDGE_TOKENS = 3  # words a copied passage must share to extend into a neighbour
MAX_GAP_SEGMENTS = 60  # larger gaps between backbone pairs are not aligned exhaustively
SANDWICH_FIT = 0.5  # length ratio that lets a lone segment between two aligned pairs pair by position
ORDER_STEPS = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))
LENGTH_WEIGHT = 0.5
MAX_CLAUSE_PARTNERS = 2  # shared-clause pairs a segment may gain (a text repeated often must not pair all with all)
MAX_GROUP_SEGMENTS = 4  # a run of links realigned clause by clause holds at most this many segments a side
MIN_ORDER_EVIDENCE = 1e-6  # even between anchors, a pair needs a shared word, not just similar lengths


@dataclass(frozen=True, slots=True)
class Link:
    """Consecutive text segments of A aligned with consecutive text segments of B."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    moved: bool = False
    spans: tuple[Span, Span] | None = None  # exact spans when they are not the segments' (copies)


@dataclass(slots=True)
class _Budget:
    """Wall-clock budget of one comparison."""

    deadline: float
    spent: bool = False

    def over(self) -> bool:
        if not self.spent and time.monotonic() > self.deadline:
            self.spent = True
        return self.spent


def compare_documents(a: Document, b: Document, options: Options | None = None) -> Comparison:
    """Align two documents and diff every aligned pair word by word.

    >>> result = compare_documents(Document("a", "The cat sat. It was warm."),
    ...                            Document("b", "It was warm. The cat sat down."))
    >>> [(p.a, p.b, p.kind.value, p.moved) for p in result.pairs]
    [(Span(start=0, end=12), Span(start=13, end=30), 'variant', True), \
(Span(start=13, end=25), Span(start=0, end=12), 'verbatim', False)]
    """
    options = options or Options()
    budget = _Budget(time.monotonic() + options.time_budget_s)
    affordable = int(CHARS_PER_SECOND * options.time_budget_s)
    if len(a.text) + len(b.text) > affordable:
        raise ValueError(
            f"{a.name} and {b.name}: {len(a.text) + len(b.text):,} characters together cannot be compared within "
            f"the time budget of {options.time_budget_s:g} s (about {affordable:,} characters fit)"
        )
    segments = estimate_segments(a.text, options.granularity) + estimate_segments(b.text, options.granularity)
    if segments > SEGMENTS_PER_SECOND * options.time_budget_s:
        raise ValueError(
            f"{a.name} and {b.name}: about {segments:,} {options.granularity.value}s together cannot be compared "
            f"within the time budget of {options.time_budget_s:g} s "
            f"(about {int(SEGMENTS_PER_SECOND * options.time_budget_s):,} fit)"
        )
    seg_a, seg_b = segment(a, options), segment(b, options)
    scorer = fit_scorer([seg_a, seg_b])
    candidates = find_candidates(scorer, seg_a, seg_b, options, budget.over)
    links, parallel = align_segments(scorer, seg_a, seg_b, candidates, options, budget)
    pairs = tuple(_to_pair(link, seg_a, seg_b, scorer, options, budget) for link in links)
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    notes = ("time budget reached: some steps were skipped or simplified",) if budget.spent else ()
    return Comparison(
        a=seg_a,
        b=seg_b,
        pairs=pairs,
        a_only=tuple(i for i in text_segments(seg_a) if i not in used_a),
        b_only=tuple(j for j in text_segments(seg_b) if j not in used_b),
        parallel=parallel,
        degraded=budget.spent,
        notes=notes,
    )


def align_segments(
    scorer: Scorer,
    a: Segmentation,
    b: Segmentation,
    candidates: dict[tuple[int, int], float],
    options: Options,
    budget: _Budget | None = None,
) -> tuple[list[Link], bool]:
    """Return the links between text segments of A and B (in the order of A) and whether the texts are parallel."""
    budget = budget or _Budget(time.monotonic() + options.time_budget_s)
    order_a, order_b = text_segments(a), text_segments(b)
    weak = _backbone(candidates, options.gap_min_score, scorer, order_a, order_b, options)
    parallel = _is_parallel(weak, a, b, options)
    if parallel:
        links = weak
        if not budget.over():
            links = _fill_gaps(links, scorer, order_a, order_b, options, budget)
            links = _absorb_orphans(links, scorer, order_a, order_b, options)
    else:
        links = _backbone(candidates, options.min_score, scorer, order_a, order_b, options)
    if not budget.over():
        links = _add_off_order(links, candidates, options)
        links = _merge_neighbours(links, scorer, order_a, order_b, options)
    if not parallel and options.shared_clauses and not budget.over():
        links = _add_shared_clauses(links, candidates, scorer, a, b, options, budget)
    links = _join_copied_runs(links, scorer, order_a, order_b)
    if not parallel and not budget.over():
        links = _apply_copies(links, a, b, scorer, options)
        links = _merge_neighbour_clauses(links, scorer, a, b)
    if parallel and not budget.over():
        links = [sub for group in _weak_runs(links, text_segments(a), text_segments(b), options)
                 for sub in _realign_clauses(group, a, b, scorer, options)]
    return sorted(links, key=lambda link: (link.a, link.b)), parallel


def _backbone(candidates: dict[tuple[int, int], float], bar: float, scorer: Scorer,
              order_a: list[int], order_b: list[int], options: Options) -> list[Link]:
    """Return the order-keeping chain of candidates scoring at least ``bar``, grown by merges."""
    feats_a, feats_b = scorer.features
    chain = heaviest_chain(sorted(
        (i, j, s + TIE_BREAK * character_ratio(feats_a[i], feats_b[j]))
        for (i, j), s in candidates.items() if s >= bar))
    links = [Link((i,), (j,), candidates[(i, j)]) for i, j in chain]
    return _merge_neighbours(links, scorer, order_a, order_b, options)


def _merge_neighbours(
    links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int], options: Options
) -> list[Link]:
    """Grow each link by free neighbouring segments while that raises its whole-passage score.

    The whole-passage (variant) view decides, not containment: a merge is
    right when the neighbour renders the rest of the counterpart.
    """
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    grown: list[Link] = []
    for link in links:
        improved = True
        while improved:
            improved = False
            for side in ("a", "b"):
                segs = link.a if side == "a" else link.b
                if len(segs) >= options.max_merge:
                    continue
                order, pos, used = (order_a, pos_a, used_a) if side == "a" else (order_b, pos_b, used_b)
                free = _free_neighbours(segs, order, pos, used)
                if not free:
                    continue
                current = scorer.score_parts(scorer.passage(0, link.a), scorer.passage(1, link.b))[1]
                for neighbour in free:
                    merged = tuple(sorted((*segs, neighbour)))
                    trial = replace(link, a=merged) if side == "a" else replace(link, b=merged)
                    score, whole = scorer.score_parts(scorer.passage(0, trial.a), scorer.passage(1, trial.b))
                    if whole >= current + MERGE_GAIN:
                        link = replace(trial, score=max(score, link.score))
                        used.add(neighbour)
                        improved = True
                        break
        grown.append(link)
    return grown


def _merge_neighbour_clauses(links: list[Link], scorer: Scorer, a: Segmentation, b: Segmentation) -> list[Link]:
    """Grow each link by the clauses at the near edge of a free neighbouring sentence, when they render the rest.

    Two reports may end a sentence a clause apart ("... attended the meeting
    and delivered speeches." against "... in attendance.  He delivered a
    speech at the meeting, where ..."): the whole neighbour does not merge
    (``_merge_neighbours``), its first or last clauses do, when that raises
    the link's whole-passage score by ``MERGE_GAIN``.  The rest of the
    neighbour stays out of the pair.
    """
    segs = (a, b)
    orders = (text_segments(a), text_segments(b))
    positions = tuple({s: k for k, s in enumerate(order)} for order in orders)
    used = ({i for link in links for i in link.a}, {j for link in links for j in link.b})
    grown: list[Link] = []
    for link in links:
        spans = _link_spans(link, a, b)
        passages = tuple(scorer.features_of(seg.document.text, span.start, span.end)
                         for seg, span in zip(segs, spans, strict=True))
        current = scorer.score_parts(*passages)[1]
        best: tuple[float, float, int, int, Span] | None = None
        for side in (0, 1):
            text, own = segs[side].document.text, (link.a, link.b)[side]
            for neighbour in _free_neighbours(own, orders[side], positions[side], used[side]):
                for span in _edge_clauses(text, segs[side].segments[neighbour].span, spans[side]):
                    trial = scorer.features_of(text, span.start, span.end)
                    score, whole = scorer.score_parts(*((trial, passages[1]) if side == 0 else (passages[0], trial)))
                    if whole >= current + MERGE_GAIN and (best is None or whole > best[0]):
                        best = (whole, score, side, neighbour, span)
        if best is not None:
            _, score, side, neighbour, span = best
            used[side].add(neighbour)
            a_segs, b_segs = (tuple(sorted((*link.a, neighbour))), link.b) if side == 0 else \
                (link.a, tuple(sorted((*link.b, neighbour))))
            new_spans = (span, spans[1]) if side == 0 else (spans[0], span)
            link = replace(link, a=a_segs, b=b_segs, score=max(score, link.score), spans=new_spans)
        grown.append(link)
    return grown


def _edge_clauses(text: str, neighbour: Span, span: Span) -> list[Span]:
    """Return ``span`` grown by one, two or three of the clauses of ``neighbour`` nearest to it, never all."""
    clauses = clause_spans(text, neighbour)
    grown = []
    for size in range(1, min(MAX_WINDOW, len(clauses) - 1) + 1):
        if neighbour.start >= span.end:
            grown.append(Span(span.start, clauses[size - 1].end))
        else:
            grown.append(Span(clauses[-size].start, span.end))
    return grown


def _free_neighbours(segs: tuple[int, ...], order: list[int], pos: dict[int, int], used: set[int]) -> list[int]:
    """Return the unused text segments just before and just after a run of segments."""
    out = []
    before, after = pos[segs[0]] - 1, pos[segs[-1]] + 1
    if before >= 0 and order[before] not in used:
        out.append(order[before])
    if after < len(order) and order[after] not in used:
        out.append(order[after])
    return out


def _is_parallel(links: list[Link], a: Segmentation, b: Segmentation, options: Options) -> bool:
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


def _fill_gaps(
    links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int], options: Options, budget: _Budget
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


def _absorb_orphans(
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


def _add_off_order(links: list[Link], candidates: dict[tuple[int, int], float], options: Options) -> list[Link]:
    """Add strong pairs off the backbone: moved passages, and statements made twice."""
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    backbone = sorted((link.a[0], link.b[0]) for link in links)
    keys = [i for i, _ in backbone]
    extra: list[Link] = []
    for (i, j), score in sorted(candidates.items(), key=lambda item: (-item[1], item[0])):
        if score < options.moved_min_score:
            break
        if i in used_a and j in used_b:
            continue
        k = bisect_left(keys, i)
        before_ok = k == 0 or backbone[k - 1][1] < j
        after_ok = k == len(backbone) or backbone[k][1] > j
        extra.append(Link((i,), (j,), score, moved=not (before_ok and after_ok)))
        used_a.add(i)
        used_b.add(j)
    return sorted(links + extra, key=lambda link: link.a)


def _add_shared_clauses(links: list[Link], candidates: dict[tuple[int, int], float], scorer: Scorer,
                        a: Segmentation, b: Segmentation, options: Options, budget: _Budget) -> list[Link]:
    """Link sentences that say one clause alike, even when each is already linked elsewhere.

    In related reports a long sentence may restate clauses that the other
    document spreads over several places; such a pair is partial, and may
    cross other pairs.  A clause shared with a neighbour of an existing
    partner extends that pair instead, so one correspondence stays one pair
    (``_place_clause_links``).
    """
    linked = {(i, j) for link in links for i in link.a for j in link.b}
    positions = ({s: k for k, s in enumerate(text_segments(a))}, {s: k for k, s in enumerate(text_segments(b))})
    windows: dict[tuple[int, int], list[Features]] = {}

    def windows_of(side: int, index: int) -> list[Features]:
        if (side, index) not in windows:
            seg = (a, b)[side]
            windows[side, index] = clause_windows(scorer, seg.document.text, seg.segments[index].span)
        return windows[side, index]

    found: list[tuple[int, int, float]] = []
    for (i, j), score in sorted(candidates.items()):
        if score < options.gap_min_score or (i, j) in linked:
            continue
        if budget.over():
            break
        clause = shared_clause_score(scorer, windows_of(0, i), windows_of(1, j), options.clause_min_score)
        if clause >= options.clause_min_score:
            found.append((i, j, shared_clause_link_score(score, clause)))
    return _place_clause_links(links, found, positions)


def _place_clause_links(links: list[Link], found: list[tuple[int, int, float]],
                        positions: tuple[dict[int, int], dict[int, int]]) -> list[Link]:
    """Return the links with each found pair ``(i, j, score)`` added, best first.

    A pair next to a link of its A or B segment extends that link; otherwise it
    is a link of its own, moved unless it keeps the order of the backbone.
    Each segment gains at most ``MAX_CLAUSE_PARTNERS``.  ``positions`` map
    each text segment of A and of B to its rank among them.
    """
    pos_a, pos_b = positions
    backbone = sorted((link.a[0], link.b[0]) for link in links if not link.moved)
    keys = [i for i, _ in backbone]
    out = list(links)
    holding_a: dict[int, list[int]] = defaultdict(list)  # segment -> indices in out of the links holding it
    holding_b: dict[int, list[int]] = defaultdict(list)
    for k, link in enumerate(out):
        for i in link.a:
            holding_a[i].append(k)
        for j in link.b:
            holding_b[j].append(k)
    gained: Counter[tuple[int, int]] = Counter()
    for i, j, score in sorted(found, key=lambda item: (-item[2], item[0], item[1])):
        if gained[0, i] >= MAX_CLAUSE_PARTNERS or gained[1, j] >= MAX_CLAUSE_PARTNERS:
            continue
        if set(holding_a[i]) & set(holding_b[j]):
            continue  # an extension already took this pair in
        gained[0, i] += 1
        gained[1, j] += 1
        grow_b = next((k for k in holding_a[i] if out[k].spans is None and _next_to(out[k].b, j, pos_b)), None)
        if grow_b is not None:
            out[grow_b] = replace(out[grow_b], b=tuple(sorted((*out[grow_b].b, j))))
            holding_b[j].append(grow_b)
            continue
        grow_a = next((k for k in holding_b[j] if out[k].spans is None and _next_to(out[k].a, i, pos_a)), None)
        if grow_a is not None:
            out[grow_a] = replace(out[grow_a], a=tuple(sorted((*out[grow_a].a, i))))
            holding_a[i].append(grow_a)
            continue
        at = bisect_left(keys, i)
        in_order = (at == 0 or backbone[at - 1][1] < j) and (at == len(backbone) or backbone[at][1] > j)
        out.append(Link((i,), (j,), score, moved=not in_order))
        holding_a[i].append(len(out) - 1)
        holding_b[j].append(len(out) - 1)
    return sorted(out, key=lambda link: link.a)


def _next_to(segs: tuple[int, ...], index: int, pos: dict[int, int]) -> bool:
    """Tell whether a text segment comes just before or just after a run of segments (``pos``: their ranks)."""
    return index in pos and (pos[index] == pos[segs[0]] - 1 or pos[index] == pos[segs[-1]] + 1)


def _join_copied_runs(links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int]) -> list[Link]:
    """Join links that continue each other on both sides and are near-verbatim into one passage."""
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    ordered = sorted(links, key=lambda link: (link.a, link.b))
    runs: list[list[Link]] = []  # links joined once per run at the end: joining tuples link by link is quadratic
    last_verbatim = False  # whether the link that ended the last passage was near-verbatim
    for link in ordered:
        verbatim = _near_verbatim(link, scorer)
        if runs and verbatim and last_verbatim:
            last = runs[-1][-1]
            if pos_a[link.a[0]] == pos_a[last.a[-1]] + 1 and pos_b[link.b[0]] == pos_b[last.b[-1]] + 1:
                runs[-1].append(link)
                continue
        runs.append([link])
        last_verbatim = verbatim
    return [run[0] if len(run) == 1 else Link(
        tuple(i for link in run for i in link.a), tuple(j for link in run for j in link.b),
        min(link.score for link in run), run[0].moved) for run in runs]


def _apply_copies(links: list[Link], a: Segmentation, b: Segmentation, scorer: Scorer,
                  options: Options) -> list[Link]:
    """Replace the links inside each copied passage by one link with the copy's exact spans.

    A link touching the copy on one side only is explained by it too, unless
    the rest of that side, outside the copy, still matches the other side
    (a sentence whose one clause is copied and whose other clause is a
    variant of another sentence).
    """
    text_a, text_b = a.document.text, b.document.text
    copies = find_copies(tokenize(text_a), tokenize(text_b))
    if not copies:
        return links
    text_a_ids, text_b_ids = text_segments(a), text_segments(b)
    for copy in copies:
        segs_a = tuple(i for i in text_a_ids if a.segments[i].span.overlaps(copy.a))
        segs_b = tuple(j for j in text_b_ids if b.segments[j].span.overlaps(copy.b))
        if not segs_a or not segs_b:
            continue
        if any(_snugly_inside(copy, link, a, b) or _inside_larger_pair(copy, link, a, b, scorer, options)
               for link in links):
            continue  # the copy is part of one aligned pair, whose word diff shows it already
        # Links touching the copied text on either side are explained by the copy.
        inside = [link for link in links if (set(link.a) & set(segs_a) or set(link.b) & set(segs_b))
                  and not _matches_beside(link, copy, a, b, scorer, options)]
        ratio = fuzz.ratio(fold(copy.a.slice(text_a)), fold(copy.b.slice(text_b))) / 100.0
        moved = bool(inside) and all(link.moved for link in inside)
        links = [link for link in links if link not in inside]
        if options.shared_clauses and _clause_of_both(copy, segs_a, segs_b, a, b, scorer, options):
            whole = scorer.score(scorer.passage(0, segs_a), scorer.passage(1, segs_b))
            links.append(Link(segs_a, segs_b, shared_clause_link_score(whole, ratio), moved))
            continue
        span_a = Span(copy.a.start, _end_with_punctuation(text_a, copy.a.end, a.segments[segs_a[-1]].span.end))
        span_b = Span(copy.b.start, _end_with_punctuation(text_b, copy.b.end, b.segments[segs_b[-1]].span.end))
        links.append(Link(segs_a, segs_b, ratio, moved, (span_a, span_b)))
    return links


def _clause_of_both(copy: Copy, segs_a: tuple[int, ...], segs_b: tuple[int, ...], a: Segmentation,
                    b: Segmentation, scorer: Scorer, options: Options) -> bool:
    """Tell whether a copy is a clause that two longer sentences share, as ``_add_shared_clauses`` finds them.

    It lies inside one segment on each side, makes up less than half of both,
    and the two sentences reach ``clause_min_score``.
    """
    if len(segs_a) != 1 or len(segs_b) != 1:
        return False
    span_a, span_b = a.segments[segs_a[0]].span, b.segments[segs_b[0]].span
    if len(copy.a) >= SNUG_SHARE * len(span_a) or len(copy.b) >= SNUG_SHARE * len(span_b):
        return False
    clause = shared_clause_score(scorer, clause_windows(scorer, a.document.text, span_a),
                                 clause_windows(scorer, b.document.text, span_b), options.clause_min_score)
    return clause >= options.clause_min_score


def _matches_beside(link: Link, copy: Copy, a: Segmentation, b: Segmentation, scorer: Scorer,
                    options: Options) -> bool:
    """Tell whether an in-order link touching a copy on one side only still pairs the text beside the copy.

    A moved link needs no such care: off the document order, touching a copy
    is more likely a stray pairing of words the copy holds.
    """
    span_a, span_b = _link_spans(link, a, b)
    if link.moved or span_a.overlaps(copy.a) == span_b.overlaps(copy.b):
        return False
    text, span, copied = (a.document.text, span_a, copy.a) if span_a.overlaps(copy.a) else \
        (b.document.text, span_b, copy.b)
    before, after = Span(span.start, max(span.start, copied.start)), Span(min(span.end, copied.end), span.end)
    rest = [piece for piece in (before, after) if len(piece)]
    if not rest:
        return False
    beside = scorer.combine([scorer.features_of(text, piece.start, piece.end) for piece in rest])
    other = scorer.passage(1, link.b) if span_a.overlaps(copy.a) else scorer.passage(0, link.a)
    return scorer.score(beside, other) >= options.min_score


def _inside_larger_pair(copy: Copy, link: Link, a: Segmentation, b: Segmentation, scorer: Scorer,
                        options: Options) -> bool:
    """Tell whether a copy lies within a link whose text beside the copy still pairs, on both sides.

    Three sentences of A may render one long sentence of B, one clause of
    them word for word: the copy is a part of that pair, not all of it.  The
    link as a whole passed ``min_score`` already, so the text beside the copy
    needs only ``gap_min_score``, as the gaps of a parallel text do.
    """
    span_a, span_b = _link_spans(link, a, b)
    if not (span_a.start <= copy.a.start and copy.a.end <= span_a.end and
            span_b.start <= copy.b.start and copy.b.end <= span_b.end):
        return False
    rests = []
    for text, span, copied in ((a.document.text, span_a, copy.a), (b.document.text, span_b, copy.b)):
        pieces = [piece for piece in (Span(span.start, copied.start), Span(copied.end, span.end)) if len(piece)]
        if not pieces:
            return False
        rests.append(scorer.combine([scorer.features_of(text, piece.start, piece.end) for piece in pieces]))
    return scorer.score(rests[0], rests[1]) >= options.gap_min_score


def _snugly_inside(copy: Copy, link: Link, a: Segmentation, b: Segmentation) -> bool:
    """Tell whether a copy lies within a link's segments and makes up most of them on both sides."""
    span_a = a.segments[link.a[0]].span.cover(a.segments[link.a[-1]].span)
    span_b = b.segments[link.b[0]].span.cover(b.segments[link.b[-1]].span)
    inside = span_a.start <= copy.a.start and copy.a.end <= span_a.end and \
        span_b.start <= copy.b.start and copy.b.end <= span_b.end
    return inside and len(copy.a) >= SNUG_SHARE * len(span_a) and len(copy.b) >= SNUG_SHARE * len(span_b)


def _link_spans(link: Link, a: Segmentation, b: Segmentation) -> tuple[Span, Span]:
    """Return the spans of A and B a link covers."""
    if link.spans is not None:
        return link.spans
    return (a.segments[link.a[0]].span.cover(a.segments[link.a[-1]].span),
            b.segments[link.b[0]].span.cover(b.segments[link.b[-1]].span))


def _weak_runs(links: list[Link], order_a: list[int], order_b: list[int], options: Options) -> list[list[Link]]:
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


def _realign_clauses(run: list[Link], a: Segmentation, b: Segmentation, scorer: Scorer,
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
    span_a, span_b = _link_spans(link, a, b)
    clauses_a, clauses_b = clause_spans(text_a, span_a, CLAUSE_END), clause_spans(text_b, span_b, CLAUSE_END)
    if len(clauses_a) < 2 and len(clauses_b) < 2:
        return [link]
    if character_ratio(scorer.passage(0, link.a), scorer.passage(1, link.b)) >= RUN_RATIO:
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


def _near_verbatim(link: Link, scorer: Scorer) -> bool:
    return character_ratio(scorer.passage(0, link.a), scorer.passage(1, link.b)) >= RUN_RATIO


def _to_pair(link: Link, a: Segmentation, b: Segmentation, scorer: Scorer, options: Options,
             budget: _Budget) -> Pair:
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
    if ratio >= options.verbatim_ratio:
        kind = PairKind.VERBATIM
    elif scorer.score_parts(fa, fb)[1] >= options.variant_score:
        kind = PairKind.VARIANT
    else:
        kind = PairKind.PARTIAL
    if budget.over():  # no time left for word diffs: one operation for the whole pair
        same = span_a.slice(a.document.text) == span_b.slice(b.document.text)
        ops: tuple[DiffOp, ...] = (DiffOp(OpTag.EQUAL if same else OpTag.REPLACE, span_a, span_b),)
    else:
        ops = _diff_pair(link, a, b, span_a, span_b)
    return Pair(span_a, span_b, kind, round(min(1.0, link.score), 4), link.moved, ops, link.a, link.b)


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
    return (Span(a0, _end_with_punctuation(text_a, a1, span_a.end)),
            Span(b0, _end_with_punctuation(text_b, b1, span_b.end)))


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


def _end_with_punctuation(text: str, end: int, limit: int) -> int:
    """Extend an end offset over closing punctuation directly after the last word."""
    while end < limit and text[end] in ".!?;:,)]\"'’”":
        end += 1
    return end
