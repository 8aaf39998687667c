"""Alignment of two documents: which passages of A correspond to which of B.

The steps, each a small function over plain values passing lists of
``compare.links.Link`` (parallel texts in ``compare.parallel``, sparse reuse
in ``compare.sparse``; ``compare.pairs`` turns the links into pairs):

1. *backbone*: the heaviest chain of candidate pairs that keeps the order of
   both documents (translations and drafts are mostly monotonic);
2. *merges*: a segment whose neighbour renders the rest of its counterpart
   joins it (one sentence of A rendered as two in B, and the reverse);
3. *parallel texts*: when the backbone covers most of both documents they are
   renderings of each other throughout, so the gaps between backbone pairs
   are aligned too, with a lower bar (free translations share few words);
   In sparse reuse, a rendering continues: the sentences next to a pair that
   is not near-verbatim pair with the next ones of its counterpart at the
   lower bar;
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
from dataclasses import replace

from compare.candidates import find_candidates, heaviest_chain, text_segments
from compare.links import MERGE_GAIN, Budget, Link, free_neighbours, near_verbatim
from compare.model import Comparison, Document, Options, Segmentation
from compare.pairs import to_pair
from compare.parallel import absorb_orphans, fill_gaps, is_parallel, realign_clauses, weak_runs
from compare.scoring import Scorer, character_ratio, fit_scorer
from compare.segment import estimate_segments, segment
from compare.sparse import add_shared_clauses, apply_copies, continue_runs, merge_neighbour_clauses

CHARS_PER_SECOND = 500_000  # a cautious rate of the whole pipeline (~700,000 measured here): inputs larger
#                            than the time budget affords are refused at once rather than cut short
SEGMENTS_PER_SECOND = 10_000  # the same for many tiny segments (one-word or repeated paragraphs: 14,000-40,000/s)
TIE_BREAK = 0.01  # weight of character similarity in the backbone: equal scores prefer closer wording


def compare_documents(a: Document, b: Document, options: Options | None = None) -> Comparison:
    """Align two documents and diff every aligned pair word by word.

    >>> result = compare_documents(Document("a", "The cat sat. It was warm."),
    ...                            Document("b", "It was warm. The cat sat down."))
    >>> [(p.a, p.b, p.kind.value, p.moved) for p in result.pairs]
    [(Span(start=0, end=12), Span(start=13, end=30), 'variant', True), \
(Span(start=13, end=25), Span(start=0, end=12), 'verbatim', False)]
    """
    options = options or Options()
    budget = Budget(time.monotonic() + options.time_budget_s)
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
    pairs = tuple(to_pair(link, seg_a, seg_b, scorer, options, budget) for link in links)
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
    budget: Budget | None = None,
) -> tuple[list[Link], bool]:
    """Return the links between text segments of A and B (in the order of A) and whether the texts are parallel."""
    budget = budget or Budget(time.monotonic() + options.time_budget_s)
    order_a, order_b = text_segments(a), text_segments(b)
    weak = _backbone(candidates, options.gap_min_score, scorer, order_a, order_b, options)
    parallel = is_parallel(weak, a, b, options)
    if parallel:
        links = weak
        if not budget.over():
            links = fill_gaps(links, scorer, order_a, order_b, options, budget)
            links = absorb_orphans(links, scorer, order_a, order_b, options)
    else:
        links = _backbone(candidates, options.min_score, scorer, order_a, order_b, options)
        links = continue_runs(links, scorer, order_a, order_b, options)
    if not budget.over():
        links = _add_off_order(links, candidates, options)
        links = _merge_neighbours(links, scorer, order_a, order_b, options)
    if not parallel and options.shared_clauses and not budget.over():
        links = add_shared_clauses(links, candidates, scorer, a, b, options, budget)
    links = _join_copied_runs(links, scorer, order_a, order_b)
    if not parallel and not budget.over():
        links = apply_copies(links, a, b, scorer, options)
        links = merge_neighbour_clauses(links, scorer, a, b)
    if parallel and not budget.over():
        links = [sub for group in weak_runs(links, text_segments(a), text_segments(b), options)
                 for sub in realign_clauses(group, a, b, scorer, options)]
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
                free = free_neighbours(segs, order, pos, used)
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


def _join_copied_runs(links: list[Link], scorer: Scorer, order_a: list[int], order_b: list[int]) -> list[Link]:
    """Join links that continue each other on both sides and are near-verbatim into one passage."""
    pos_a = {i: k for k, i in enumerate(order_a)}
    pos_b = {j: k for k, j in enumerate(order_b)}
    ordered = sorted(links, key=lambda link: (link.a, link.b))
    runs: list[list[Link]] = []  # links joined once per run at the end: joining tuples link by link is quadratic
    last_verbatim = False  # whether the link that ended the last passage was near-verbatim
    for link in ordered:
        verbatim = near_verbatim(link, scorer)
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
