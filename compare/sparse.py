"""Sparse reuse: related reports that share some passages, restated, copied or cut differently.

Besides the backbone's strong pairs, a summary's sentence may restate one
clause of a report's sentence (shared clauses), copy a passage word for
word across sentence boundaries (copies), or end a clause later than its
counterpart (edge clauses).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import replace

from rapidfuzz import fuzz

from compare.candidates import text_segments
from compare.clauses import (
    MAX_WINDOW,
    clause_spans,
    clause_windows,
    shared_clause_link_score,
    shared_clause_score,
)
from compare.copies import Copy, find_copies
from compare.links import MERGE_GAIN, Budget, Link, free_neighbours, link_spans, near_verbatim
from compare.model import Options, Segmentation, Span
from compare.normalize import fold, tokenize
from compare.pairs import end_with_punctuation
from compare.scoring import Features, Scorer

MAX_CLAUSE_PARTNERS = 2  # shared-clause pairs a segment may gain (a text repeated often must not pair all with all)
SNUG_SHARE = 0.5  # a copy making up this much of an aligned pair on both sides is left to that pair


CONTINUATION_STEPS = ((1, 1), (1, 2), (2, 1))  # where the next pair of a run may lie (a heading skipped)


def continue_runs(links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int],
                  options: Options) -> list[Link]:
    """Pair the free sentences that continue a reworded pair, down to ``gap_min_score``.

    A summary renders a report a sentence after another: next to a pair that
    rewords its counterpart, the next sentence of A and the next of B
    (or the one after, past a heading) are likely renderings too, so they
    need only the bar of a parallel text's gaps.  A near-verbatim pair is no
    such evidence: a copy that stops is followed by other text.  The run
    stops at the first step below the bar, at a used segment, and never
    crosses another pair.
    """
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    used = ({i for link in links for i in link.a}, {j for link in links for j in link.b})
    added: list[Link] = []
    for link in links:
        if link.moved or near_verbatim(link, scorer):
            continue
        for step in (1, -1):
            end = (pos_a[link.a[-1]], pos_b[link.b[-1]]) if step == 1 else (pos_a[link.a[0]], pos_b[link.b[0]])
            while (best := _next_in_run(end, step, scorer, (order_a, order_b), used)) is not None \
                    and best[0] >= options.gap_min_score:
                score, end = best
                i, j = order_a[end[0]], order_b[end[1]]
                added.append(Link((i,), (j,), score))
                used[0].add(i)
                used[1].add(j)
    return sorted(links + added, key=lambda link: link.a)


def _next_in_run(end: tuple[int, int], step: int, scorer: Scorer, orders: tuple[list[int], list[int]],
                 used: tuple[set[int], set[int]]) -> tuple[float, tuple[int, int]] | None:
    """Return the best-scoring next pair of positions after ``end`` in direction ``step``, with its score.

    Positions index ``orders`` (the text segments of A and B); a step that
    passes a used segment (taken, or crossing another pair) is not taken.
    """
    best: tuple[float, tuple[int, int]] | None = None
    for da, db in CONTINUATION_STEPS:
        ka, kb = end[0] + step * da, end[1] + step * db
        if not (0 <= ka < len(orders[0]) and 0 <= kb < len(orders[1])):
            continue
        passed = ([orders[0][k] for k in range(end[0] + step, ka + step, step)],
                  [orders[1][k] for k in range(end[1] + step, kb + step, step)])
        if used[0].intersection(passed[0]) or used[1].intersection(passed[1]):
            continue
        score = scorer.score_parts(scorer.features[0][orders[0][ka]], scorer.features[1][orders[1][kb]])[1]
        if best is None or score > best[0]:
            best = (score, (ka, kb))
    return best


def add_shared_clauses(links: list[Link], candidates: dict[tuple[int, int], float], scorer: Scorer,
                       a: Segmentation, b: Segmentation, options: Options, budget: Budget) -> list[Link]:
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


def apply_copies(links: list[Link], a: Segmentation, b: Segmentation, scorer: Scorer,
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
        span_a = Span(copy.a.start, end_with_punctuation(text_a, copy.a.end, a.segments[segs_a[-1]].span.end))
        span_b = Span(copy.b.start, end_with_punctuation(text_b, copy.b.end, b.segments[segs_b[-1]].span.end))
        links.append(Link(segs_a, segs_b, ratio, moved, (span_a, span_b)))
    return links


def _clause_of_both(copy: Copy, segs_a: tuple[int, ...], segs_b: tuple[int, ...], a: Segmentation,
                    b: Segmentation, scorer: Scorer, options: Options) -> bool:
    """Tell whether a copy is a clause that two longer sentences share, as ``add_shared_clauses`` finds them.

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
    span_a, span_b = link_spans(link, a, b)
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
    span_a, span_b = link_spans(link, a, b)
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


def merge_neighbour_clauses(links: list[Link], scorer: Scorer, a: Segmentation, b: Segmentation) -> list[Link]:
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
        spans = link_spans(link, a, b)
        passages = tuple(scorer.features_of(seg.document.text, span.start, span.end)
                         for seg, span in zip(segs, spans, strict=True))
        current = scorer.score_parts(*passages)[1]
        best: tuple[float, float, int, int, Span] | None = None
        for side in (0, 1):
            text, own = segs[side].document.text, (link.a, link.b)[side]
            for neighbour in free_neighbours(own, orders[side], positions[side], used[side]):
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
