"""The heaviest chain: the order-keeping choice of weighted boxes that every alignment step makes.

A box is a candidate link: positions ``[x0, x1)`` of A's text segments with
``[y0, y1)`` of B's, and a weight (its log-odds).  A chain is a sequence of
boxes each lying wholly after the previous one in both documents; the
heaviest chain is the one of greatest total weight.  Sentence pairs (1:1
boxes), beads (1:2, 2:1, 2:2, ...) and clause pieces are all boxes, so one
function aligns anchors, gaps and clauses alike: a sparse dynamic program in
O(n log n) with a Fenwick tree of prefix maxima over the B coordinate, as in
the chaining step of long-read aligners.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import NamedTuple


class Box(NamedTuple):
    """A candidate link: A positions ``[x0, x1)`` with B positions ``[y0, y1)``, weighing ``weight``."""

    x0: int
    x1: int
    y0: int
    y1: int
    weight: float


def heaviest_chain(boxes: Sequence[Box]) -> list[int]:
    """Return the indices, in order, of the boxes of greatest total weight that follow each other in A and B.

    Box ``q`` may follow box ``p`` when ``p.x1 <= q.x0`` and ``p.y1 <= q.y0``.
    Boxes of weight 0 or less never help and are left out.  Ties go to the
    box listed first, so equal candidates resolve the same way every run.

    >>> heaviest_chain([Box(0, 1, 0, 1, 1.0), Box(1, 2, 2, 3, 1.0), Box(2, 3, 1, 2, 3.0), Box(3, 4, 3, 4, 1.0)])
    [0, 2, 3]
    >>> heaviest_chain([Box(0, 2, 0, 1, 2.5), Box(0, 1, 0, 1, 1.0), Box(1, 2, 0, 1, 1.0)])
    [0]
    """
    items = [k for k, box in enumerate(boxes) if box.weight > 0]
    if not items:
        return []
    size = max(boxes[k].y1 for k in items) + 1
    tree_value = [0.0] * (size + 1)
    tree_at = [-1] * (size + 1)
    best = [0.0] * len(boxes)
    back = [-1] * len(boxes)

    def query(y: int) -> tuple[float, int]:  # best chain among inserted boxes ending at y1 <= y
        value, at, pos = 0.0, -1, y + 1
        while pos > 0:
            if tree_value[pos] > value:
                value, at = tree_value[pos], tree_at[pos]
            pos -= pos & -pos
        return value, at

    def insert(k: int) -> None:
        pos = boxes[k].y1 + 1
        while pos <= size:
            if best[k] > tree_value[pos]:
                tree_value[pos], tree_at[pos] = best[k], k
            pos += pos & -pos

    items.sort(key=lambda k: (boxes[k].x0, k))
    pending: list[tuple[int, int]] = []  # (x1, k): boxes done but not yet insertable
    # Invariant: the tree holds exactly the processed boxes with x1 <= the current x0.
    for k in items:
        box = boxes[k]
        while pending and pending[0][0] <= box.x0:
            insert(heapq.heappop(pending)[1])
        value, at = query(box.y0)
        best[k], back[k] = value + box.weight, at
        heapq.heappush(pending, (box.x1, k))
    k = max(items, key=lambda k: (best[k], -k))
    chain: list[int] = []
    while k != -1:
        chain.append(k)
        k = back[k]
    return chain[::-1]
