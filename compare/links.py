"""Links: the unit of alignment, a run of segments of A paired with a run of segments of B.

The passes of ``compare.align`` build lists of links; ``compare.pairs`` turns
the final ones into pairs with spans and word diffs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from compare.model import Segmentation, Span
from compare.scoring import Scorer, character_ratio

NEAR_COPY_RATIO = 0.85  # passages this close in characters are copies: each word maps onto its copy already


@dataclass(frozen=True, slots=True)
class Link:
    """Consecutive text segments of A aligned with consecutive text segments of B."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float  # the fitted probability that the two passages say the same thing
    moved: bool = False
    spans: tuple[Span, Span] | None = None  # exact spans when they are not the segments' (clause pieces)


@dataclass(slots=True)
class Budget:
    """Wall-clock budget of one comparison."""

    deadline: float
    spent: bool = False

    def over(self) -> bool:
        if not self.spent and time.monotonic() > self.deadline:
            self.spent = True
        return self.spent


def link_spans(link: Link, a: Segmentation, b: Segmentation) -> tuple[Span, Span]:
    """Return the spans of A and B a link covers."""
    if link.spans is not None:
        return link.spans
    return (a.segments[link.a[0]].span.cover(a.segments[link.a[-1]].span),
            b.segments[link.b[0]].span.cover(b.segments[link.b[-1]].span))


def near_verbatim(link: Link, scorer: Scorer) -> bool:
    """Tell whether a link's passages are near-copies of each other (character similarity)."""
    return character_ratio(scorer.passage(0, link.a), scorer.passage(1, link.b)) >= NEAR_COPY_RATIO
