"""Links: the unit of alignment, a run of segments of A paired with a run of segments of B.

The steps of ``compare.align`` pass lists of links from one to the next;
``compare.pairs`` turns the final ones into pairs with spans and word diffs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from compare.model import Segmentation, Span
from compare.scoring import Scorer, character_ratio

MERGE_GAIN = 0.03  # a merge must raise the score by this much
RUN_RATIO = 0.85  # adjacent pairs this close in characters form one copied passage


@dataclass(frozen=True, slots=True)
class Link:
    """Consecutive text segments of A aligned with consecutive text segments of B."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    moved: bool = False
    spans: tuple[Span, Span] | None = None  # exact spans when they are not the segments' (copies, clauses)


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


def free_neighbours(segs: tuple[int, ...], order: list[int], pos: dict[int, int], used: set[int]) -> list[int]:
    """Return the unused text segments just before and just after a run of segments."""
    out = []
    before, after = pos[segs[0]] - 1, pos[segs[-1]] + 1
    if before >= 0 and order[before] not in used:
        out.append(order[before])
    if after < len(order) and order[after] not in used:
        out.append(order[after])
    return out


def near_verbatim(link: Link, scorer: Scorer) -> bool:
    return character_ratio(scorer.passage(0, link.a), scorer.passage(1, link.b)) >= RUN_RATIO
