"""Evidence that two passages say the same thing: the measurements the link model weighs.

Every candidate correspondence, whether two sentences, a sentence and two
(a bead), or two clause pieces, is described by the same few numbers,
computed once from the scorer's features (``compare.scoring``), words
weighted by how rare they are in the two documents:

- ``words`` and ``phrases``: Dice of the shared word weight and of the shared
  phrase (consecutive content words) weight;
- ``contained``: the share of the smaller passage's word weight found in the
  other (one passage holds a clause of the other);
- ``partial``: the scorer's containment view, which counts containment in
  proportion to the contained passage's length (``compare.scoring``: a
  heading is contained in many sentences by chance, a long line is not);
- ``clause``: the best whole-passage score of a clause window of one against
  a clause window of the other (a clause said alike inside longer sentences);
- ``characters``: character similarity of the folded texts;
- ``length``: how far the length ratio strays from the nearer of the
  documents' own ratio (one translation is wordier than another throughout)
  and 1:1 (a copied passage keeps its length, however long the documents);
- ``weight``: the shared word weight itself (log): the amount of evidence,
  which two short sentences sharing one rare phrase do not have;
- ``short``: how many content words the shorter passage has (log);
- ``unshared``: 1 when the two share no content word at all (then only the
  pair's place can vouch for it);
- ``margin``: how far the pair stands out from the best candidates of its two
  passages (the log ratio of its score to their mean, as margin-based
  bitext mining scores a pair): a sentence of a translation has one clear
  counterpart, a sentence of a related report several look-alikes;
- ``cosine``: the cosine of the two passages' sentence embeddings, with the
  ``semantic`` extra (``compare.semantic``); 0 without it, where the
  lexical model gives it no weight.

Where a pair lies adds evidence only between two aligned passages, so the
bead model (``compare.beads``) adds a ``Context`` of its place in the gap.
Nothing here decides: ``compare.calibration`` turns evidence into a probability.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from compare.clauses import clause_windows, shared_clause_score
from compare.model import Segmentation, Span
from compare.scoring import PHRASE_WEIGHT, Features, Scorer, character_ratio


@dataclass(frozen=True, slots=True)
class Evidence:
    """What two passages share, as the link model's features (see the module docstring)."""

    words: float
    phrases: float
    contained: float
    partial: float
    clause: float
    characters: float
    length: float
    weight: float
    short: float
    unshared: float
    margin: float
    cosine: float = 0.0

    @property
    def variant(self) -> float:
        """The whole-passage score: word and phrase Dice, equally weighted (``compare.scoring``)."""
        return (1 - PHRASE_WEIGHT) * self.words + PHRASE_WEIGHT * self.phrases

    def vector(self) -> tuple[float, ...]:
        """Return the features in the order of ``EVIDENCE_FEATURES``."""
        return (self.words, self.phrases, self.contained, self.partial, self.clause, self.characters, self.length,
                self.weight, self.short, self.unshared, self.margin, self.cosine)


EVIDENCE_FEATURES: tuple[str, ...] = tuple(Evidence.__dataclass_fields__)
MARGIN_FLOOR = 0.05  # scores below this are noise: a margin between two of them means nothing
MAX_MARGIN = 3.0  # log ratios are clipped to +-this


@dataclass(frozen=True, slots=True)
class Context:
    """Where a bead lies in the gap between two aligned passages (the gap's box of segments).

    ``balance`` is 1 when the gap's two sides have the lengths the documents'
    ratio predicts; ``deviation`` is how far the bead strays from the gap's
    diagonal (0 on it, 1 at opposite corners); ``nearness`` falls with the
    segments between the bead and the nearest aligned passage along the
    diagonal (a near-copy is no such evidence: a copy stops, and other text
    follows it); ``bounded`` counts the aligned passages around the gap (0-2);
    ``size`` is the log of the segments on the gap's longer side (the more
    there are, the likelier a bead's evidence is chance); ``diagonal`` is
    the balance over one plus the segments the bead lies off the diagonal
    (1 on the diagonal of a gap whose two sides a translation would give;
    0 in a gap an aligned passage bounds on one side only, whose diagonal
    has one corner: nothing draws it);
    ``support`` is how much the gap's two sides say alike as a whole (the
    mean of each segment's best 1:1 score there): the renderings of a
    translation's gap share some words, the texts around sparse reuse do not;
    ``density`` is the share of the segments just around the gap that
    anchors hold (nearly all in a translation, few around reuse in an essay);
    ``open_end`` is 1 for a bead that shares no word with its counterpart in
    a gap with an anchor on one side only (at a document's end nothing
    pins the gap's diagonal down: only a sandwiched bead's place vouches for it).
    """

    balance: float
    deviation: float
    nearness: float
    bounded: float
    size: float
    diagonal: float
    support: float
    density: float
    open_end: float

    def vector(self) -> tuple[float, ...]:
        """Return the features in the order of ``CONTEXT_FEATURES``."""
        return (self.balance, self.deviation, self.nearness, self.bounded, self.size, self.diagonal, self.support,
                self.density, self.open_end)


CONTEXT_FEATURES: tuple[str, ...] = tuple(Context.__dataclass_fields__)


def length_bias(a: Segmentation, b: Segmentation, ids_a: list[int], ids_b: list[int]) -> float:
    """Return the log ratio of the two documents' text lengths (0 when one is empty)."""
    chars_a = sum(len(a.segments[i].span) for i in ids_a)
    chars_b = sum(len(b.segments[j].span) for j in ids_b)
    return math.log(chars_a) - math.log(chars_b) if chars_a and chars_b else 0.0


def length_gap(ratio: float, bias: float) -> float:
    """Return how far a log length ratio strays from the nearer of the documents' ratio ``bias`` and 1:1.

    A translation keeps the documents' ratio sentence by sentence; reuse
    copies a passage at its own length, whatever the documents' lengths.

    >>> length_gap(0.5, 2.0), round(length_gap(1.5, 2.0), 6)
    (0.5, 0.5)
    """
    return min(abs(ratio - bias), abs(ratio))


def measure(scorer: Scorer, fa: Features, fb: Features, bias: float, clause: float = 0.0,
            crowd: float = 0.0, cosine: float = 0.0) -> Evidence:
    """Return the evidence that passages ``fa`` and ``fb`` correspond.

    ``clause`` is their best clause-window score, ``crowd`` the mean score of
    the best candidates of their segments (see ``crowding``), ``cosine`` the
    cosine of their embeddings (``compare.semantic``; 0 when not measured).

    >>> from compare.scoring import fit_scorer
    >>> from compare.segment import segment
    >>> from compare.model import Document
    >>> sa, sb = segment(Document("a", "The cat sat on the mat.")), segment(Document("b", "A cat sat on a mat."))
    >>> scorer = fit_scorer([sa, sb])
    >>> e = measure(scorer, scorer.features[0][0], scorer.features[1][0], 0.0)
    >>> e.words, e.phrases, e.contained
    (1.0, 1.0, 1.0)
    """
    overlap = scorer.overlap(fa, fb)
    variant = (1 - PHRASE_WEIGHT) * overlap.words + PHRASE_WEIGHT * overlap.phrases
    ratio = math.log(max(fa.length, 1)) - math.log(max(fb.length, 1))
    return Evidence(
        words=overlap.words,
        phrases=overlap.phrases,
        contained=overlap.contained,
        partial=overlap.score,
        clause=max(clause, variant),
        characters=character_ratio(fa, fb) if overlap.count else 0.0,
        length=length_gap(ratio, bias),
        weight=math.log1p(overlap.weight),
        short=math.log1p(min(fa.words.total(), fb.words.total())),
        unshared=0.0 if overlap.count else 1.0,
        margin=max(-MAX_MARGIN, min(MAX_MARGIN, math.log((variant + MARGIN_FLOOR) / (crowd + MARGIN_FLOOR)))),
        cosine=cosine,
    )


def crowding(candidates: dict[tuple[int, int], float], keep: int) -> tuple[dict[int, float], dict[int, float]]:
    """Return, for each segment of A and of B, the mean score of its ``keep`` best candidates.

    >>> crowding({(0, 0): 0.9, (0, 1): 0.3, (1, 1): 0.5}, 2)
    ({0: 0.6, 1: 0.5}, {0: 0.9, 1: 0.4})
    """
    rows: dict[int, list[float]] = {}
    columns: dict[int, list[float]] = {}
    for (i, j), score in candidates.items():
        rows.setdefault(i, []).append(score)
        columns.setdefault(j, []).append(score)

    def means(lists: dict[int, list[float]]) -> dict[int, float]:
        return {k: round(sum(sorted(v, reverse=True)[:keep]) / min(keep, len(v)), 12) for k, v in sorted(lists.items())}

    return means(rows), means(columns)


class ClauseScores:
    """The best clause-window score of segment ``i`` of A against ``j`` of B, computed once per pair.

    Calling the object computes a score (windows are computed once per
    segment); ``known`` gives a score already computed, or None.
    """

    def __init__(self, scorer: Scorer, a: Segmentation, b: Segmentation) -> None:
        self._best = _clause_scorer(scorer, a, b)
        self._scores: dict[tuple[int, int], float] = {}

    def __call__(self, i: int, j: int) -> float:
        if (i, j) not in self._scores:
            self._scores[i, j] = self._best(i, j)
        return self._scores[i, j]

    def known(self, i: int, j: int) -> float | None:
        return self._scores.get((i, j))


def _clause_scorer(scorer: Scorer, a: Segmentation, b: Segmentation) -> Callable[[int, int], float]:
    """Return a function giving the best clause-window score of segment ``i`` of A against ``j`` of B.

    Clause windows are computed once per segment and kept.
    """
    windows: dict[tuple[int, int], list[Features]] = {}

    def windows_of(side: int, index: int) -> list[Features]:
        key = (side, index)
        if key not in windows:
            seg = (a, b)[side]
            windows[key] = clause_windows(scorer, seg.document.text, seg.segments[index].span)
        return windows[key]

    def best(i: int, j: int) -> float:
        return shared_clause_score(scorer, windows_of(0, i), windows_of(1, j))

    return best


def span_features(scorer: Scorer, seg: Segmentation, span: Span) -> Features:
    """Return the weighed features of a span of a segmented document."""
    return scorer.features_of(seg.document.text, span.start, span.end)
