"""Alignment of two documents: which passages of A correspond to which of B.

One objective, fitted on data: a link between passages of A and B is worth
its log-odds under the calibrated model (``compare.calibration``), and the
alignment is the order-keeping set of links of greatest total worth, plus
the links off that order whose worth beats the cost of being off it.  The
search runs in three passes over boxes of text-segment positions, each the
same heaviest-chain dynamic program (``compare.chains``):

1. *anchors*: the candidate pairs (``compare.candidates``) scored by the link
   model on what the two passages share (``compare.evidence``);
2. *gaps*: between consecutive anchors, beads of one to three segments a side,
   scored by the bead model, which also weighs where a bead lies in its gap
   (``compare.beads``): a translation's gaps fill, a related report's stay
   empty, with no global switch between the two;
3. *off the order*: moved passages, then second partners of linked segments
   (one sentence saying clauses of two others), each against its fitted cost.

Links then grow by a free neighbouring segment where the bead model scores
the merged passage higher (one sentence rendered as two), multi-segment
links split into the clauses that render each other, and two adjacent links
are split as one where their clauses move the boundary between them.  ``compare.pairs`` turns
links into pairs with word diffs; ``compare.passages`` groups them into
passages.
"""

from __future__ import annotations

import heapq
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import pairwise

import numpy as np

from compare.beads import Bead, Gap, Sides, gap_beads, gaps_between, positions_inside
from compare.calibration import LinkModel, default_model, log_odds, probability, semantic_model
from compare.candidates import find_candidates, text_segments
from compare.chains import Box, heaviest_chain
from compare.clauses import CLAUSE_END, MIN_SHARED_WORDS, clause_spans
from compare.evidence import ClauseScores, Context, Evidence, crowding, length_bias, measure, span_features
from compare.links import NEAR_COPY_RATIO, Budget, Link, link_spans, near_verbatim
from compare.model import Comparison, Document, Options, Segment, Segmentation, Span
from compare.pairs import to_pair
from compare.passages import close, find_passages
from compare.scoring import Features, Scorer, fit_scorer
from compare.segment import estimate_segments, segment
from compare.semantic import passage_cosine

CHARS_PER_SECOND = 500_000  # a cautious rate of the whole pipeline: inputs larger than the time budget affords
#                            are refused at once rather than cut short
SEGMENTS_PER_SECOND = 10_000  # the same for many tiny segments (one-word or repeated paragraphs)
JOINT_LINKS = 2  # adjacent links re-split as one passage (Bible, 14 pairs: 0.962 one at a time, 0.967 two)
LOOKAHEAD = 1  # segments a growing link may take past a neighbour that shares no word (``_merge_neighbours``)
# The context of a link once it is aligned: as if inside a run of aligned passages (each feature at its best).
IN_CHAIN = Context(balance=1.0, deviation=0.0, nearness=1.0, bounded=2.0, size=0.0, diagonal=1.0, support=1.0,
                   density=1.0, open_end=0.0)


def compare_documents(a: Document, b: Document, options: Options | None = None, *,
                      model: LinkModel | None = None,
                      vectors: tuple[np.ndarray, np.ndarray] | None = None) -> Comparison:
    """Align two documents and diff every aligned pair word by word.

    ``model`` replaces the fitted model shipped with the package (for fitting
    and tests).  With ``Options.semantic``, the segments' embeddings are
    computed (``compare.semantic``) unless ``vectors`` gives them, one row per
    segment of A and of B as ``segment`` cuts them (a store can keep them).

    >>> result = compare_documents(Document("a", "The cat sat on the mat. It was warm."),
    ...                            Document("b", "It was warm. The cat sat on the mat."))
    >>> [(p.a, p.b, p.kind.value, p.moved) for p in result.pairs]
    [(Span(start=0, end=23), Span(start=13, end=36), 'verbatim', True), \
(Span(start=24, end=36), Span(start=0, end=12), 'verbatim', False)]
    """
    options = options or Options()
    model = model or (semantic_model() if options.semantic else default_model())
    _check_affordable(a, b, options)
    if (len(b.text), b.text) < (len(a.text), a.text):
        # One canonical order of the two documents: swapping A and B mirrors the result exactly.
        flipped = (vectors[1], vectors[0]) if vectors is not None else None
        return _compare(b, a, options, model, flipped).swapped()
    return _compare(a, b, options, model, vectors)


def _compare(a: Document, b: Document, options: Options, model: LinkModel,
             vectors: tuple[np.ndarray, np.ndarray] | None) -> Comparison:
    budget = Budget(time.monotonic() + options.time_budget_s)
    seg_a, seg_b = segment(a, options), segment(b, options)
    scorer = fit_scorer([seg_a, seg_b])
    candidates = find_candidates(scorer, seg_a, seg_b, options, budget.over)
    if options.semantic and vectors is None:
        from compare.semantic import segment_vectors

        vectors = (segment_vectors(seg_a), segment_vectors(seg_b))
    search = _Search(scorer, seg_a, seg_b, candidates, options, model, vectors)
    links = align_segments(search, candidates, budget)
    pairs = tuple(to_pair(link, seg_a, seg_b, scorer, budget, search.holds_whole) for link in links)
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    notes = ("time budget reached: some steps were skipped or simplified",) if budget.spent else ()
    return Comparison(
        a=seg_a,
        b=seg_b,
        pairs=pairs,
        a_only=tuple(i for i in text_segments(seg_a) if i not in used_a),
        b_only=tuple(j for j in text_segments(seg_b) if j not in used_b),
        passages=find_passages(pairs, seg_a, seg_b, model.costs),
        degraded=budget.spent,
        notes=notes,
    )


def _text_chars(seg: Segmentation) -> int:
    return sum(len(seg.segments[i].span) for i in text_segments(seg))


def _check_affordable(a: Document, b: Document, options: Options) -> None:
    """Refuse, before any work, inputs that the time budget cannot afford."""
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


class _Search:
    """The state one alignment shares between its passes: positions, features and the models."""

    def __init__(self, scorer: Scorer, a: Segmentation, b: Segmentation, candidates: dict[tuple[int, int], float],
                 options: Options, model: LinkModel, vectors: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.scorer, self.a, self.b, self.options, self.model = scorer, a, b, options, model
        ids_a, ids_b = text_segments(a), text_segments(b)
        self.sides = Sides(ids_a, ids_b, [len(a.segments[i].span) for i in ids_a],
                           [len(b.segments[j].span) for j in ids_b], length_bias(a, b, ids_a, ids_b))
        self.pos_a = {i: x for x, i in enumerate(ids_a)}
        self.pos_b = {j: y for y, j in enumerate(ids_b)}
        self.clause_of = ClauseScores(scorer, a, b)
        self.vectors = vectors
        self.crowd_a, self.crowd_b = crowding(candidates, options.candidates_per_segment)
        self.clause_weight = model.link.weight_of("clause")
        self.unrefined: dict[tuple[int, int], tuple[Evidence, float]] = {}  # odds lower bounds: evidence, upper bound
        self.shift = log_odds(options.min_score)  # every decision weighs log-odds against the asked-for probability

    def link_odds(self, i: int, j: int) -> float:
        """Return the link model's log-odds that segment ``i`` of A and ``j`` of B correspond, past the threshold.

        The clause search is the costly part of the evidence, so it runs only
        where it decides whether the pair links at all (the clause score lies
        between the whole-passage score and 1); where the pair links anyway,
        the returned odds are a lower bound, refined by ``refined_odds`` when a
        costlier decision needs them (``exact_odds_above``).  It never runs
        for near-copies, whose best clause window is the whole passage, nor
        for pairs sharing too few words for any two clauses to share enough.
        """
        fa, fb = self.scorer.features[0][i], self.scorer.features[1][j]
        evidence = measure(self.scorer, fa, fb, self.sides.bias, crowd=self.crowd(a=(i,), b=(j,)),
                           cosine=self.cosine((i,), (j,)))
        odds = self.model.link.log_odds(evidence.vector()) - self.shift
        lifted = odds + max(0.0, self.clause_weight * (1.0 - evidence.clause))
        if lifted <= 0 or evidence.characters >= NEAR_COPY_RATIO or \
                len(fa.words.keys() & fb.words.keys()) < MIN_SHARED_WORDS:
            return odds
        if odds > 0:
            self.unrefined[i, j] = (evidence, lifted)
            return odds
        return self._with_clause(i, j, evidence)

    def _with_clause(self, i: int, j: int, evidence: Evidence) -> float:
        evidence = replace(evidence, clause=max(self.clause_of(i, j), evidence.clause))
        return self.model.link.log_odds(evidence.vector()) - self.shift

    def exact_odds_above(self, odds: dict[tuple[int, int], float], floor: float,
                         excluded: Callable[[tuple[int, int]], bool]) -> Iterator[tuple[tuple[int, int], float]]:
        """Yield the candidates whose exact log-odds exceed ``floor``, surest first (ties in index order).

        Lazily: a candidate whose clause score was left out enters with its
        upper bound, and is refined when it reaches the top (the order is the
        one all exact values would give), unless ``excluded`` says the caller
        will never take it (a test whose answer cannot change back).
        """
        heap: list[tuple[float, tuple[int, int], bool]] = []
        for pair, value in odds.items():
            if pair in self.unrefined:
                heap.append((-self.unrefined[pair][1], pair, False))
            elif value > floor:
                heap.append((-value, pair, True))
        heapq.heapify(heap)
        while heap:
            negative, pair, exact = heapq.heappop(heap)
            if -negative <= floor:
                return
            if exact:
                yield pair, -negative
            elif not excluded(pair):
                heapq.heappush(heap, (-self._with_clause(*pair, self.unrefined[pair][0]), pair, True))

    def cosine(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Return the cosine of two passages' embeddings, or 0 without the semantic extra."""
        if self.vectors is None:
            return 0.0
        return passage_cosine(self.vectors[0], a, self.vectors[1], b)

    def crowd(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Return the mean score of the best candidates of a passage pair's segments (see ``crowding``)."""
        values = [self.crowd_a.get(i, 0.0) for i in a] + [self.crowd_b.get(j, 0.0) for j in b]
        return sum(values) / len(values)

    def bead_odds(self, bead: Bead) -> float:
        """Return the bead model's log-odds of a bead, past the threshold."""
        return self.model.bead.log_odds(bead.vector()) - self.shift

    def chained_odds(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Return the bead model's log-odds of a passage pair taken as aligned (its place is no evidence)."""
        fa, fb = self.scorer.passage(0, a), self.scorer.passage(1, b)
        evidence = measure(self.scorer, fa, fb, self.sides.bias, crowd=self.crowd(a, b), cosine=self.cosine(a, b))
        return self.model.bead.log_odds(evidence.vector() + IN_CHAIN.vector()) - self.shift

    def shared_weight(self, link: Link) -> float:
        """Return the word weight a link's two passages share."""
        return self.scorer.overlap(self.scorer.passage(0, link.a), self.scorer.passage(1, link.b)).weight

    def holds_whole(self, fa: Features, fb: Features) -> bool:
        """Tell whether two whole passages, on what they share as wholes, would link (a pair that is no partial)."""
        evidence = measure(self.scorer, fa, fb, self.sides.bias)
        whole = replace(evidence, contained=evidence.words, partial=evidence.variant, clause=evidence.variant,
                        margin=0.0)
        return self.model.link.log_odds(whole.vector()) - self.shift > 0

    def probability(self, odds: float) -> float:
        """Return the fitted probability behind log-odds measured past the threshold."""
        return probability(odds + self.shift)

    def link(self, x0: int, x1: int, y0: int, y1: int, odds: float, moved: bool = False) -> Link:
        """Return the link of A positions ``[x0, x1)`` with B positions ``[y0, y1)``."""
        ids_a, ids_b = self.sides.ids_a, self.sides.ids_b
        return Link(tuple(ids_a[x0:x1]), tuple(ids_b[y0:y1]), self.probability(odds), moved)


def align_segments(search: _Search, candidates: dict[tuple[int, int], float], budget: Budget) -> list[Link]:
    """Return the links between text segments of A and B, in the order of A."""
    odds = candidate_odds(search, candidates)
    return finish_links(search, in_order_links(search, odds, budget), odds, budget)


def candidate_odds(search: _Search, candidates: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Return the link model's log-odds (past the threshold) of every candidate pair."""
    return {pair: search.link_odds(*pair) for pair in sorted(candidates)}


def in_order_links(search: _Search, odds: dict[tuple[int, int], float], budget: Budget) -> list[Link]:
    """Return the links in the order both documents share: anchors, gap beads, grown by their neighbours."""
    links = _in_order(search, odds, budget)
    return links if budget.over() else _absorb_orphans(search, _merge_neighbours(search, links))


def finish_links(search: _Search, links: list[Link], odds: dict[tuple[int, int], float], budget: Budget) -> list[Link]:
    """Add the links off the shared order, split multi-segment links into clauses, and sort them."""
    links = _add_moved(search, links, odds)
    if search.options.shared_clauses:
        links = _add_partners(search, links, odds)
    pieces: list[Link] = []
    for run in _adjacent_runs(search, sorted(links, key=lambda link: (link.a, link.b))):
        pieces.extend(run if budget.over() else _split_run(search, run))
    return sorted(pieces, key=lambda link: (link.a, link.b))


def _adjacent_runs(search: _Search, links: list[Link]) -> list[list[Link]]:
    """Group links (in the order of A) into runs of at most ``JOINT_LINKS`` continuing each other in both texts."""
    runs: list[list[Link]] = []
    for link in links:
        last = runs[-1][-1] if runs else None
        if (last is not None and len(runs[-1]) < JOINT_LINKS and not (link.moved or last.moved)
                and link.spans is None and last.spans is None
                and link.a[0] == last.a[-1] + 1 and link.b[0] == last.b[-1] + 1):  # nothing between, not even noise
            runs[-1].append(link)
        else:
            runs.append([link])
    return runs


def _split_run(search: _Search, run: list[Link]) -> list[Link]:
    """Split a run of adjacent links into the clauses that render each other, moving their boundary if it is off.

    Two translations cut their sentences at different places: aligned one
    sentence at a time, a sentence boundary of one document that falls a
    clause inside the other's sentence keeps the clause on the wrong side.
    Split as one passage, the run's clause beads may cross that boundary; the
    joint split is kept when it does (no piece ends where the first link ends
    on both sides) and the model scores its pieces higher (their log-odds
    summed, as every chain sums them), and the links split one at a time
    otherwise.
    """
    separate = [piece for link in run for piece in _split_into_clauses(search, link)]
    if len(run) == 1:
        return separate
    joint = _split_into_clauses(search, Link(tuple(i for link in run for i in link.a),
                                             tuple(j for link in run for j in link.b),
                                             min(link.score for link in run)))
    end_a, end_b = (span.end for span in link_spans(run[0], search.a, search.b))
    kept = any(piece_a.end == end_a and piece_b.end == end_b
               for piece_a, piece_b in (link_spans(piece, search.a, search.b) for piece in joint[:-1]))
    if kept or len(joint) < 2:
        return separate
    worth = sum(log_odds(piece.score) for piece in joint) - sum(log_odds(piece.score) for piece in separate)
    return joint if worth > 0 else separate


def _in_order(search: _Search, odds: dict[tuple[int, int], float], budget: Budget) -> list[Link]:
    """Return the anchors (the heaviest order-keeping chain of candidates) and the beads filling their gaps."""
    pos_a, pos_b = search.pos_a, search.pos_b
    pairs = [(pos_a[i], pos_b[j], value) for (i, j), value in odds.items()]
    boxes = [Box(x, x + 1, y, y + 1, value) for x, y, value in pairs]
    anchors = [boxes[k] for k in heaviest_chain(boxes)]
    links = [search.link(box.x0, box.x1, box.y0, box.y1, box.weight) for box in anchors]
    retrieved = sorted((x, y) for x, y, _ in pairs)
    copies = [near_verbatim(link, search.scorer) for link in links]
    for gap in gaps_between([(box.x0, box.x1, box.y0, box.y1) for box in anchors],
                            len(search.sides.ids_a), len(search.sides.ids_b), copies):
        if budget.over():
            break
        links.extend(_fill_gap(search, gap, positions_inside(gap, retrieved)))
    return links


def _fill_gap(search: _Search, gap: Gap, retrieved: list[tuple[int, int]]) -> list[Link]:
    """Return the heaviest chain of beads in one gap, as links."""
    beads = gap_beads(gap, search.sides, search.scorer, retrieved, search.clause_of.known, search.crowd,
                      search.options.max_merge, search.cosine, worth=search.model.bead, floor=search.shift)
    weights = [search.bead_odds(bead) for bead in beads]
    chain = heaviest_chain([Box(bd.x0, bd.x1, bd.y0, bd.y1, w) for bd, w in zip(beads, weights, strict=True)])
    return [search.link(beads[k].x0, beads[k].x1, beads[k].y0, beads[k].y1, weights[k]) for k in chain]


def _merge_neighbours(search: _Search, links: list[Link]) -> list[Link]:
    """Grow each link by free neighbouring segments while the bead model scores the merged passage higher.

    A segment left alone beside a link is worth nothing; joined to the link it
    is worth what it adds to the link's log-odds (one sentence of A rendered
    as two of B, or the reverse).  The grown link's probability is its own
    plus that gain: the model scores a merged passage as if inside a run of
    aligned passages, which a lone link is not.  A neighbour that adds no
    shared word (a word of the link's other side that its own side holds
    fewer times) never joins alone, as for orphans: what it adds to the
    log-odds is only length and place; it joins with the next segment when
    the two add shared words (greedy growth looking
    ``LOOKAHEAD`` segment ahead: a summary's sentence may render two
    sentences with an aside between them).
    """
    ids = (search.sides.ids_a, search.sides.ids_b)
    positions = (search.pos_a, search.pos_b)
    used = ({i for link in links for i in link.a}, {j for link in links for j in link.b})
    words = tuple(tuple(f.words for f in side) for side in search.scorer.features)
    grown = []
    for link in links:
        current: float | None = None  # computed once a free neighbour is there to try
        start, own = 0.0, log_odds(link.score)
        improved = True
        while improved:
            improved = False
            best: tuple[float, int, tuple[int, ...]] | None = None
            for side in (0, 1):
                segs = (link.a, link.b)[side]
                if len(segs) >= search.options.max_merge:
                    continue
                counts: tuple[Counter[str], Counter[str]] | None = None  # the link's words: this side, the other
                reach = min(LOOKAHEAD + 1, search.options.max_merge - len(segs))
                for step, edge in ((-1, positions[side][segs[0]]), (1, positions[side][segs[-1]])):
                    run: list[int] = []  # segments beyond the edge, nearest first
                    shares = False
                    for p in range(edge + step, edge + step * (reach + 1), step):
                        if not 0 <= p < len(ids[side]) or ids[side][p] in used[side]:
                            break
                        run.append(ids[side][p])
                        if counts is None:  # once a free run is there to try
                            counts = (sum((words[side][k] for k in segs), Counter()),
                                      sum((words[1 - side][k] for k in (link.a, link.b)[1 - side]), Counter()))
                        mine, theirs = counts
                        shares = shares or any(mine[w] < theirs[w] for w in words[side][run[-1]] if w in theirs)
                        if not shares:
                            continue  # the run adds no shared word: text one document adds
                        merged = (*run[::-1], *segs) if step < 0 else (*segs, *run)
                        if current is None:
                            current = start = search.chained_odds(link.a, link.b)
                        trial = (search.chained_odds(merged, link.b) if side == 0
                                 else search.chained_odds(link.a, merged))
                        if trial > current and (best is None or trial > best[0]):
                            best = (trial, side, merged)
            if best is not None:
                current, side, merged = best
                added = set(merged) - set((link.a, link.b)[side])
                used[side].update(added)
                link = replace(link, a=merged) if side == 0 else replace(link, b=merged)
                link = replace(link, score=probability(own + current - start))
                improved = True
        grown.append(link)
    return grown


def _absorb_orphans(search: _Search, links: list[Link]) -> list[Link]:
    """Join the segments left alone between two links to those links, where the other document has nothing free.

    Between two links that are adjacent in one document, free segments of the
    other (orphans) have no counterpart to find but inside those two links:
    leaving one alone costs ``costs.orphan`` (the log-odds that such a segment
    has a counterpart), so it joins the neighbouring link it fits best when
    the joined link loses less than that, and it shares words with the link's
    other side (a segment that shares none is text one document adds).  A run
    of orphans is eaten from both ends; what is left stays on its own.
    """
    cost = search.model.costs.orphan
    links = sorted(links, key=lambda link: (link.a, link.b))
    for side in (0, 1):
        own_pos, other_pos = (search.pos_a, search.pos_b) if side == 0 else (search.pos_b, search.pos_a)
        ids = search.sides.ids_a if side == 0 else search.sides.ids_b
        own, other = (_side_a, _side_b) if side == 0 else (_side_b, _side_a)
        order = sorted(range(len(links)), key=lambda k: own_pos[own(links[k])[0]])
        for left, right in pairwise(order):
            if other_pos[other(links[right])[0]] != other_pos[other(links[left])[-1]] + 1:
                continue  # the other document has text of its own between them: not orphans
            orphans = ids[own_pos[own(links[left])[-1]] + 1 : own_pos[own(links[right])[0]]]
            while orphans:
                best: tuple[float, int, Link] | None = None
                for k, orphan in ((left, orphans[0]), (right, orphans[-1])):
                    link = links[k]
                    grown = tuple(sorted((*own(link), orphan), key=own_pos.__getitem__))
                    trial = replace(link, a=grown) if side == 0 else replace(link, b=grown)
                    if search.shared_weight(trial) <= search.shared_weight(link):
                        continue  # the orphan shares nothing with the link's other side: text one document adds
                    gain = search.chained_odds(trial.a, trial.b) - search.chained_odds(link.a, link.b)
                    if gain > -cost and (best is None or gain > best[0]):
                        best = (gain, k, trial)
                if best is None:
                    break
                links[best[1]] = best[2]
                orphans = orphans[1:] if best[1] == left else orphans[:-1]
    return links


def _side_a(link: Link) -> tuple[int, ...]:
    return link.a


def _side_b(link: Link) -> tuple[int, ...]:
    return link.b


def _order_keys(links: list[Link], search: _Search) -> tuple[list[tuple[int, int]], list[int]]:
    backbone = sorted((search.pos_a[link.a[0]], search.pos_b[link.b[0]]) for link in links if not link.moved)
    return backbone, [x for x, _ in backbone]


def _in_order_with(backbone: list[tuple[int, int]], keys: list[int], x: int, y: int) -> bool:
    """Tell whether position pair ``(x, y)`` keeps the order of the backbone links."""
    k = bisect_left(keys, x)
    return (k == 0 or backbone[k - 1][1] < y) and (k == len(backbone) or backbone[k][1] > y)


def _add_moved(search: _Search, links: list[Link], odds: dict[tuple[int, int], float]) -> list[Link]:
    """Add runs of candidates between free segments whose log-odds together beat the cost of lying off the order.

    The cost is paid once per departure from the shared order, as an
    alignment model pays one jump: a moved passage of several sentences, each
    likelier than not but none sure alone, is as much evidence as one sure
    sentence.  A run grows, surest candidate first, by candidates that
    continue it in both documents (the text between them at most
    ``passage_gap`` times the longer, as in one passage); each must itself
    pass the threshold.  A run beside a link in both documents departs
    nowhere and pays nothing: a rewording shuffled it inside that passage.
    """
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    backbone, keys = _order_keys(links, search)
    above = dict(search.exact_odds_above(odds, 0.0, lambda pair: pair[0] in used_a or pair[1] in used_b))
    by_a: dict[int, list[int]] = {}
    for i, j in above:
        by_a.setdefault(i, []).append(j)
    link_at = ({i: link for link in links for i in link.a}, {j: link for link in links for j in link.b})
    extra = []
    for seed in above:
        if seed[0] in used_a or seed[1] in used_b:
            continue
        run = _moved_run(search, seed, above, by_a, used_a, used_b)
        if sum(above[pair] for pair in run) <= search.model.costs.moved and not _beside_a_link(search, run, link_at):
            continue  # each candidate is past the threshold: a run beside a link pays no jump
        for i, j in run:
            in_order = _in_order_with(backbone, keys, search.pos_a[i], search.pos_b[j])
            extra.append(Link((i,), (j,), search.probability(above[i, j]), moved=not in_order))
            used_a.add(i)
            used_b.add(j)
    return links + extra


def _beside_a_link(search: _Search, run: list[tuple[int, int]],
                   link_at: tuple[dict[int, Link], dict[int, Link]]) -> bool:
    """Tell whether a run continues a link in one document and lies as close to it in the other as one passage's pairs.

    Such a run makes no jump: it joins that link's passage, whose sentences a
    rewording may shuffle (``find_passages`` groups them the same way).
    """
    gap = search.model.costs.passage_gap
    for side, (ids, positions) in enumerate(((search.sides.ids_a, search.pos_a), (search.sides.ids_b, search.pos_b))):
        other = search.b.segments if side == 0 else search.a.segments
        spread = Span(min(other[pair[1 - side]].span.start for pair in run),
                      max(other[pair[1 - side]].span.end for pair in run))
        held = [positions[pair[side]] for pair in run]
        for position in (min(held) - 1, max(held) + 1):
            link = link_at[side].get(ids[position]) if 0 <= position < len(ids) else None
            if link is not None:
                linked = link.b if side == 0 else link.a
                if close(spread, Span(other[linked[0]].span.start, other[linked[-1]].span.end), gap):
                    return True
    return False


def _moved_run(search: _Search, seed: tuple[int, int], above: dict[tuple[int, int], float],
               by_a: dict[int, list[int]], used_a: set[int], used_b: set[int]) -> list[tuple[int, int]]:
    """Return the run of free candidates that continue one another from ``seed``, forward and back, surest first."""
    spans_a, spans_b = search.a.segments, search.b.segments
    gap = search.model.costs.passage_gap
    ids_a = search.sides.ids_a
    run = [seed]
    taken_a, taken_b = {seed[0]}, {seed[1]}

    def follows(side: Sequence[Segment], x: int, y: int) -> bool:  # y starts after x ends, as close as in a passage
        before, after = side[x].span, side[y].span
        return before.end <= after.start and close(before, after, gap)

    for forward in (True, False):
        while True:
            end = run[-1] if forward else run[0]
            x = search.pos_a[end[0]]
            best: tuple[float, tuple[int, int]] | None = None
            for position in range(x + 1, len(ids_a)) if forward else range(x - 1, -1, -1):
                i = ids_a[position]
                if not (follows(spans_a, end[0], i) if forward else follows(spans_a, i, end[0])):
                    break  # further segments of A lie further away still
                for j in by_a.get(i, ()):
                    if i in used_a or j in used_b or i in taken_a or j in taken_b:
                        continue
                    if (follows(spans_b, end[1], j) if forward else follows(spans_b, j, end[1])) and \
                            (best is None or above[i, j] > best[0]):
                        best = (above[i, j], (i, j))
            if best is None:
                break
            run.insert(len(run) if forward else 0, best[1])
            taken_a.add(best[1][0])
            taken_b.add(best[1][1])
    return run


def _add_partners(search: _Search, links: list[Link], odds: dict[tuple[int, int], float]) -> list[Link]:
    """Add second partners: a linked segment pairs again where the log-odds beat the partial cost.

    One sentence may say what two non-adjacent sentences of the other document
    say, a clause each; each segment gains at most ``partners`` such links.  A
    segment in a near-copy gains none: its copy says all it says (a text
    repeated in both documents pairs copy by copy, not all with all).
    """
    costs = search.model.costs
    holding: set[tuple[int, int]] = {(i, j) for link in links for i in link.a for j in link.b}
    backbone, keys = _order_keys(links, search)
    used_a = {i for link in links for i in link.a}
    used_b = {j for link in links for j in link.b}
    copied = [link for link in links if near_verbatim(link, search.scorer)]  # a copy is all its segments say
    copied_a = {i for link in copied for i in link.a}
    copied_b = {j for link in copied for j in link.b}
    gained: Counter[tuple[int, int]] = Counter()
    extra = []
    def excluded(pair: tuple[int, int]) -> bool:
        i, j = pair
        return (pair in holding or i in copied_a or j in copied_b or gained[0, i] >= costs.partners
                or gained[1, j] >= costs.partners)

    for (i, j), value in search.exact_odds_above(odds, costs.partial, excluded):
        if (i, j) in holding or not (i in used_a or j in used_b) or i in copied_a or j in copied_b:
            continue
        if gained[0, i] >= costs.partners or gained[1, j] >= costs.partners:
            continue
        gained[0, i] += 1
        gained[1, j] += 1
        in_order = _in_order_with(backbone, keys, search.pos_a[i], search.pos_b[j])
        extra.append(Link((i,), (j,), search.probability(value), moved=not in_order))
        holding.add((i, j))
        used_a.add(i)
        used_b.add(j)
    return links + extra


def _split_into_clauses(search: _Search, link: Link) -> list[Link]:
    """Split a link of several segments into the clauses that render each other, when they line up.

    A long sentence of one document may render two of the other with its
    boundary a clause off: the heaviest chain of clause beads (the bead model
    again, the link's two passages as the gap) says which words render which.
    The pieces tile the link; a clause left over joins the piece before it.
    """
    if len(link.a) == 1 and len(link.b) == 1:
        return [link]
    a, b, scorer = search.a, search.b, search.scorer
    text_a, text_b = a.document.text, b.document.text
    span_a, span_b = link_spans(link, a, b)
    clauses_a, clauses_b = clause_spans(text_a, span_a, CLAUSE_END), clause_spans(text_b, span_b, CLAUSE_END)
    if len(clauses_a) < 2 or len(clauses_b) < 2 or near_verbatim(link, scorer):
        return [link]
    feats_a = [span_features(scorer, a, c) for c in clauses_a]
    feats_b = [span_features(scorer, b, c) for c in clauses_b]
    lengths_a, lengths_b = [len(c) for c in clauses_a], [len(c) for c in clauses_b]
    units = replace(scorer, features=(tuple(feats_a), tuple(feats_b)))
    sides = Sides(list(range(len(clauses_a))), list(range(len(clauses_b))), lengths_a, lengths_b, search.sides.bias)
    gap = Gap(0, len(clauses_a), 0, len(clauses_b), after_anchor=True, before_anchor=True)
    crowd = search.crowd(link.a, link.b)
    beads = gap_beads(gap, sides, units, [], lambda i, j: 0.0, lambda a, b: crowd, search.options.max_merge,
                      worth=search.model.bead, floor=search.shift)
    weights = [search.bead_odds(bead) for bead in beads]
    chain = [beads[k] for k in heaviest_chain([Box(bd.x0, bd.x1, bd.y0, bd.y1, w)
                                               for bd, w in zip(beads, weights, strict=True)])]
    if len(chain) < 2:
        return [link]
    pieces = []
    for k, bead in enumerate(chain):
        last = k == len(chain) - 1
        start_a = span_a.start if k == 0 else clauses_a[bead.x0].start
        start_b = span_b.start if k == 0 else clauses_b[bead.y0].start
        end_a = span_a.end if last else _end_before(text_a, clauses_a[chain[k + 1].x0].start)
        end_b = span_b.end if last else _end_before(text_b, clauses_b[chain[k + 1].y0].start)
        piece_a, piece_b = Span(start_a, end_a), Span(start_b, end_b)
        segs_a = tuple(i for i in link.a if a.segments[i].span.overlaps(piece_a)) or link.a
        segs_b = tuple(j for j in link.b if b.segments[j].span.overlaps(piece_b)) or link.b
        weight = search.bead_odds(bead)
        pieces.append(Link(segs_a, segs_b, search.probability(weight), link.moved, (piece_a, piece_b)))
    return pieces


def _end_before(text: str, start: int) -> int:
    """Return the end of the text before ``start``, without the whitespace in between."""
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return start
