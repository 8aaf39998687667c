"""Beads: the candidate links inside a gap between two aligned passages, with their place as evidence.

Between two anchors (links the documents' shared order vouches for), the
segments left on each side form a gap: a box of A positions by B positions.
A translation's gap holds renderings that share few words but sit where the
anchors predict, with the lengths the documents' ratio predicts; a related
report's gap holds text the other document never says.  So every bead (one
to three segments a side: 1:1, 1:2, 2:1, 2:2, 1:3, 3:1, as in Gale and
Church's aligner) carries, besides its ``Evidence``, a ``Context``: how
balanced the gap is, how far the bead strays from the gap's diagonal, how
near it lies to an anchor.  The fitted bead model weighs both, and the
heaviest chain of beads (``compare.chains``) aligns the gap: one mechanism
that fills a translation's gaps and leaves a report's alone.

A small gap is searched whole; a large one around the pairs that candidate
search retrieved, and, when anchors bound it on both sides and its sides'
lengths could be a translation's, in a band along its diagonal (where a free translation's renderings lie,
however few words they share), as hunalign searches a whole document.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from compare.calibration import Logistic
from compare.evidence import (
    CONTEXT_FEATURES,
    EVIDENCE_FEATURES,
    MARGIN_FLOOR,
    MAX_MARGIN,
    Context,
    Evidence,
    length_gap,
    measure,
)
from compare.scoring import PHRASE_WEIGHT, Features, Scorer

SHAPES = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))  # segments of A and of B a bead may hold
DENSE_CELLS = 64  # a gap of at most this many segment pairs is searched whole (256 and 900: the same figures on
#                  every suite, the report's pairs 1.25x and unrelated seed pairs 2.4x slower at 900)
BAND_SEGMENTS = 4  # a larger gap is searched this many segments either side of its diagonal too ...
DENSITY_WINDOW = 8  # segments either side of a gap whose anchoring says how dense the anchors are around it
BOUND_SLACK = 1e-9  # a bound this close to the floor is no proof (sums in another order)
BAND_BALANCE = 0.5  # ... when its two sides' lengths are within a factor 2 of what the documents' ratio predicts


@dataclass(frozen=True, slots=True)
class Gap:
    """A box of text-segment positions, ``[x0, x1)`` of A by ``[y0, y1)`` of B, between aligned passages."""

    x0: int
    x1: int
    y0: int
    y1: int
    after_anchor: bool  # an aligned passage ends just before the box
    before_anchor: bool  # an aligned passage starts just after the box
    after_copy: bool = False  # ... and it is a near-copy (no evidence for what follows it: a copy stops)
    before_copy: bool = False  # the aligned passage after the box is a near-copy
    density: float = 0.0  # share of the segments just around the box that anchors hold

    @property
    def cells(self) -> int:
        return (self.x1 - self.x0) * (self.y1 - self.y0)


@dataclass(frozen=True, slots=True)
class Bead:
    """A candidate link in a gap: A positions ``[x0, x1)`` with B positions ``[y0, y1)``."""

    x0: int
    x1: int
    y0: int
    y1: int
    evidence: Evidence
    context: Context

    def vector(self) -> tuple[float, ...]:
        """Return the bead model's features: the evidence, then the context."""
        return self.evidence.vector() + self.context.vector()


@dataclass(frozen=True, slots=True)
class Sides:
    """The two documents' text segments in order, as the bead search sees them."""

    ids_a: Sequence[int]  # segment index of each A position
    ids_b: Sequence[int]
    lengths_a: Sequence[int]  # characters of each A position
    lengths_b: Sequence[int]
    bias: float  # log ratio of the documents' text lengths
    starts_a: tuple[int, ...] = field(init=False)  # characters before each A position (and after the last)
    starts_b: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:  # once per comparison, not once per gap
        object.__setattr__(self, "starts_a", (0, *accumulate(self.lengths_a)))
        object.__setattr__(self, "starts_b", (0, *accumulate(self.lengths_b)))


def gaps_between(anchors: Sequence[tuple[int, int, int, int]], n: int, m: int,
                 copies: Sequence[bool] = ()) -> list[Gap]:
    """Return the non-empty gaps around and between anchors ``(x0, x1, y0, y1)`` in chain order.

    ``copies`` tells which anchors are near-copies.

    >>> [(g.x0, g.x1, g.y0, g.y1) for g in gaps_between([(1, 2, 1, 2)], 3, 4)]
    [(0, 1, 0, 1), (2, 3, 2, 4)]
    """
    copied = list(copies) or [False] * len(anchors)
    held_a = {x for x0, x1, _, _ in anchors for x in range(x0, x1)}
    held_b = {y for _, _, y0, y1 in anchors for y in range(y0, y1)}

    def density(x0: int, x1: int, y0: int, y1: int) -> float:
        around_a = [*range(max(0, x0 - DENSITY_WINDOW), x0), *range(x1, min(n, x1 + DENSITY_WINDOW))]
        around_b = [*range(max(0, y0 - DENSITY_WINDOW), y0), *range(y1, min(m, y1 + DENSITY_WINDOW))]
        held = sum(x in held_a for x in around_a) + sum(y in held_b for y in around_b)
        return held / max(len(around_a) + len(around_b), 1)

    gaps = []
    ends = [(0, 0)] + [(x1, y1) for _, x1, _, y1 in anchors]
    starts = [(x0, y0) for x0, _, y0, _ in anchors] + [(n, m)]
    for k, ((x0, y0), (x1, y1)) in enumerate(zip(ends, starts, strict=True)):
        if x1 > x0 and y1 > y0:
            gaps.append(Gap(x0, x1, y0, y1, after_anchor=k > 0, before_anchor=k < len(anchors),
                            after_copy=k > 0 and copied[k - 1], before_copy=k < len(anchors) and copied[k],
                            density=density(x0, x1, y0, y1)))
    return gaps


def gap_beads(
    gap: Gap,
    sides: Sides,
    scorer: Scorer,
    retrieved: Sequence[tuple[int, int]],
    clause_of: Callable[[int, int], float | None],
    crowd: Callable[[Sequence[int], Sequence[int]], float],
    max_merge: int,
    cosine: Callable[[Sequence[int], Sequence[int]], float] = lambda a, b: 0.0,
    worth: Logistic | None = None,
    floor: float = 0.0,
) -> list[Bead]:
    """Return the beads of a gap with their evidence and context.

    ``retrieved`` are the positions ``(x, y)`` of candidate pairs inside the
    gap (their clause scores, where computed, come from ``clause_of``, by
    segment index); a
    gap of more than ``DENSE_CELLS`` cells yields only the beads holding one.
    ``crowd`` gives the mean score of the best candidates of a bead's segments,
    ``cosine`` the cosine of their embeddings (0 without the semantic extra).
    With ``worth`` (the bead model), a bead of several segments whose log-odds
    cannot exceed ``floor`` whatever its two passages share is left out
    unmeasured (``_Bound``): the heaviest chain never takes a bead
    worth nothing, and most beads of a long gap are such.
    """
    starts_a, starts_b = sides.starts_a, sides.starts_b
    chars_a = starts_a[gap.x1] - starts_a[gap.x0]
    chars_b = starts_b[gap.y1] - starts_b[gap.y0]
    balance = math.exp(-abs((math.log(max(chars_a, 1)) - math.log(max(chars_b, 1))) - sides.bias))
    bounded = float(gap.after_anchor) + float(gap.before_anchor)
    longer = max(gap.x1 - gap.x0, gap.y1 - gap.y0)
    size = math.log(longer)
    retrieved_set = set(retrieved)
    shapes = [(dx, dy) for dx, dy in SHAPES if dx <= max_merge and dy <= max_merge]
    if gap.cells <= DENSE_CELLS:
        origins = {(x, y) for x in range(gap.x0, gap.x1) for y in range(gap.y0, gap.y1)}
        starts = {(x, y, dx, dy) for x, y in origins for dx, dy in shapes}
    else:
        starts = {(x - ox, y - oy, dx, dy) for x, y in retrieved for dx, dy in shapes
                  for ox in range(dx) for oy in range(dy)}
        if balance >= BAND_BALANCE and bounded == 2:  # a diagonal needs both corners: anchors on both sides
            starts |= {(x, y, dx, dy) for x, y in _band(gap, starts_a, starts_b) for dx, dy in shapes}
    passages_a: dict[tuple[int, int], Features] = {}
    passages_b: dict[tuple[int, int], Features] = {}

    def passages(x: int, y: int, dx: int, dy: int) -> tuple[Features, Features]:
        fa = passages_a.get((x, dx)) or passages_a.setdefault(
            (x, dx), scorer.passage(0, [sides.ids_a[p] for p in range(x, x + dx)]))
        fb = passages_b.get((y, dy)) or passages_b.setdefault(
            (y, dy), scorer.passage(1, [sides.ids_b[q] for q in range(y, y + dy)]))
        return fa, fb

    def context(x: int, y: int, dx: int, dy: int, support: float, open_end: float) -> Context:
        mid_a = (starts_a[x] + starts_a[x + dx]) / 2 - starts_a[gap.x0]
        mid_b = (starts_b[y] + starts_b[y + dy]) / 2 - starts_b[gap.y0]
        deviation = abs(mid_a / max(chars_a, 1) - mid_b / max(chars_b, 1))
        distances = []  # to the aligned passages that vouch for their neighbours: copies do not (a copy stops)
        if gap.after_anchor and not gap.after_copy:
            distances.append(max(x - gap.x0, y - gap.y0))
        if gap.before_anchor and not gap.before_copy:
            distances.append(max(gap.x1 - x - dx, gap.y1 - y - dy))
        nearness = 1.0 / (1 + min(distances)) if distances else 0.0
        diagonal = balance / (1 + deviation * longer) if bounded == 2 else 0.0  # a diagonal needs both corners
        return Context(balance, deviation, nearness, bounded, size, diagonal, support, gap.density, open_end)

    inside = [(x, y, dx, dy) for x, y, dx, dy in sorted(starts)
              if gap.x0 <= x and x + dx <= gap.x1 and gap.y0 <= y and y + dy <= gap.y1]
    measured: dict[tuple[int, int, int, int], Evidence] = {}

    def measured_bead(x: int, y: int, dx: int, dy: int) -> None:
        fa, fb = passages(x, y, dx, dy)
        segs_a, segs_b = sides.ids_a[x : x + dx], sides.ids_b[y : y + dy]
        clause = max((clause_of(sides.ids_a[p], sides.ids_b[q]) or 0.0 for p in range(x, x + dx)
                      for q in range(y, y + dy) if (p, q) in retrieved_set), default=0.0)
        measured[x, y, dx, dy] = measure(scorer, fa, fb, sides.bias, clause, crowd(segs_a, segs_b),
                                         cosine(segs_a, segs_b))

    for x, y, dx, dy in inside:  # 1:1 beads first, all of them: the gap's support is theirs
        if dx == dy == 1:
            measured_bead(x, y, dx, dy)
    support = _support([(*start, evidence) for start, evidence in measured.items()], gap)
    hopeless = _Bound(worth, floor, scorer, sides, gap, support, (balance, bounded, size)) if worth else None
    for x, y, dx, dy in inside:
        if dx == dy == 1:
            continue
        if hopeless is not None:
            segs_a, segs_b = sides.ids_a[x : x + dx], sides.ids_b[y : y + dy]
            place = context(x, y, dx, dy, support, 0.0)
            if hopeless(x, y, dx, dy, crowd(segs_a, segs_b), cosine(segs_a, segs_b), place):
                continue  # no evidence these passages could have makes the bead worth its place
        measured_bead(x, y, dx, dy)
    beads = []
    for x, y, dx, dy in inside:
        evidence = measured.get((x, y, dx, dy))
        if evidence is not None:
            open_end = evidence.unshared if bounded < 2 else 0.0
            beads.append(Bead(x, x + dx, y, y + dy, evidence, context(x, y, dx, dy, support, open_end)))
    return beads


class _Bound:
    """Tells, from the two passages' sizes alone, that a bead's log-odds cannot pass ``floor``.

    What two passages share is at most what the smaller holds: Dice of the
    words at most twice the smaller weight over the sum, the shared weight at
    most the smaller, character similarity at most twice the shorter over
    the sum; containment, phrase and clause scores at most 1.  Each feature is
    taken at its most favourable value within those bounds (by the sign of
    its weight), the bead's place exactly; sizes add over segments, so the
    bound needs no passage features built.  Any model over other features
    prunes nothing.
    """

    def __init__(self, worth: Logistic, floor: float, scorer: Scorer, sides: Sides, gap: Gap, support: float,
                 shape: tuple[float, float, float]) -> None:
        self.weight = dict(zip(worth.features, worth.weights, strict=True))
        self.usable = set(worth.features) == set(EVIDENCE_FEATURES + CONTEXT_FEATURES)
        balance, bounded, size = shape
        known = {"balance": balance, "bounded": bounded, "size": size, "support": support, "density": gap.density}
        self.constant = (worth.intercept - floor + sum(self.weight.get(f, 0.0) * v for f, v in known.items())
                         + sum(self._best(f, 0.0, 1.0) for f in ("phrases", "contained", "partial", "clause",
                                                                  "unshared"))
                         + self._best("open_end", 0.0, float(bounded < 2)))
        self.bias = sides.bias
        self.sums = [_prefix_sizes(scorer.features[side], ids, start, end)
                     for side, ids, start, end in ((0, sides.ids_a, gap.x0, gap.x1), (1, sides.ids_b, gap.y0, gap.y1))]
        self.origin = (gap.x0, gap.y0)

    def _best(self, feature: str, low: float, high: float) -> float:
        w = self.weight.get(feature, 0.0)
        return max(w * low, w * high)

    def __call__(self, x: int, y: int, dx: int, dy: int, crowd: float, cosine: float, place: Context) -> bool:
        if not self.usable:
            return False
        (wa, na, la, fa), (wb, nb, lb, fb) = (
            [sums[k][pos - origin + span] - sums[k][pos - origin] for k in range(4)]
            for sums, pos, span, origin in ((self.sums[0], x, dx, self.origin[0]),
                                            (self.sums[1], y, dy, self.origin[1])))
        words = 2 * min(wa, wb) / (wa + wb) if wa + wb else 0.0
        fa, fb = fa - 1, fb - 1  # folded passages join their segments with one space
        characters = 2 * min(fa, fb) / (fa + fb) if fa + fb > 0 else 0.0
        variant = (1 - PHRASE_WEIGHT) * words + PHRASE_WEIGHT

        def margin(score: float) -> float:
            return max(-MAX_MARGIN, min(MAX_MARGIN, math.log((score + MARGIN_FLOOR) / (crowd + MARGIN_FLOOR))))

        w = self.weight
        most = (self.constant + self._best("words", 0.0, words) + self._best("characters", 0.0, characters)
                + self._best("weight", 0.0, math.log1p(min(wa, wb)))
                + self._best("margin", margin(0.0), margin(variant))
                + w["length"] * length_gap(math.log(max(la, 1)) - math.log(max(lb, 1)), self.bias)
                + w["short"] * math.log1p(min(na, nb)) + w["cosine"] * cosine
                + w["deviation"] * place.deviation + w["nearness"] * place.nearness + w["diagonal"] * place.diagonal)
        return most <= -BOUND_SLACK


def _prefix_sizes(features: Sequence[Features], ids: Sequence[int], start: int,
                  end: int) -> list[list[float]]:
    """Return running sums from position ``start`` of word weight, words, characters and folded characters."""
    sums: list[list[float]] = [[0.0], [0.0], [0.0], [0.0]]
    for position in range(start, end):
        f = features[ids[position]]
        for k, value in enumerate((f.word_total, f.words.total(), f.length, len(f.folded) + 1)):
            sums[k].append(sums[k][-1] + value)
    return sums


def _support(found: Sequence[tuple[int, int, int, int, Evidence]], gap: Gap) -> float:
    """Return how much the gap's two sides say alike: the mean, over its segments, of each one's best 1:1 score."""
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for x, y, dx, dy, evidence in found:
        if dx == dy == 1:
            best_a[x] = max(best_a.get(x, 0.0), evidence.variant)
            best_b[y] = max(best_b.get(y, 0.0), evidence.variant)
    segments = (gap.x1 - gap.x0) + (gap.y1 - gap.y0)
    return (sum(best_a.values()) + sum(best_b.values())) / segments


def _band(gap: Gap, starts_a: Sequence[int], starts_b: Sequence[int]) -> list[tuple[int, int]]:
    """Return the cells within ``BAND_SEGMENTS`` of the gap's diagonal (drawn by characters, not segments)."""
    chars_a = max(starts_a[gap.x1] - starts_a[gap.x0], 1)
    chars_b = starts_b[gap.y1] - starts_b[gap.y0]
    cells: list[tuple[int, int]] = []
    for x in range(gap.x0, gap.x1):
        share = ((starts_a[x] + starts_a[x + 1]) / 2 - starts_a[gap.x0]) / chars_a
        y = bisect_left(starts_b, starts_b[gap.y0] + share * chars_b, gap.y0, gap.y1 + 1) - 1
        cells.extend((x, v) for v in range(max(gap.y0, y - BAND_SEGMENTS), min(gap.y1, y + BAND_SEGMENTS + 1)))
    return cells


def positions_inside(gap: Gap, retrieved_by_x: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the retrieved positions ``(x, y)`` (sorted) that lie inside the gap."""
    lo = bisect_left(retrieved_by_x, (gap.x0, -1))
    hi = bisect_left(retrieved_by_x, (gap.x1, -1))
    return [(x, y) for x, y in retrieved_by_x[lo:hi] if gap.y0 <= y < gap.y1]
