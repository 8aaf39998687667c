"""Columns of a multiple alignment while it is built, and how their boundaries are settled.

``compare.multialign`` places each rendering into draft columns; every cell
remembers whether the rendering itself *draws* the boundary at each of its
ends (a pair of the pairwise engine starts or ends there, or the cut forced
on it lands where one of its sentences starts) and how its text maps onto the
column's *standing* text (the text that represents the column in the
consensus).  When every rendering is placed, the boundaries are settled by
that evidence, and a boundary stands where two renderings draw it:

- a column **splits** at a boundary inside it where two confident pairs of a
  rendering meet (the pairwise engine aligned a long sentence clause by
  clause) and a rendering ends a sentence there;
- two neighbouring columns from the same standing rendering (its sentence
  boundary, or a split), each rendered twice or more, **merge** where at
  most one rendering draws their boundary (the standing one: a full stop
  the others render as a comma or a semicolon, or cross with one passage).

Evidence only adds up: another rendering can make a boundary stand, never
fall, so adding a rendering (placed last, the pivot unchanged) never merges
two statements that two of the others render each.

Cuts follow the word diff of the pair that placed a text: an offset of the
standing text is carried across through the correspondence points of the
diff's operations, then moved (at most ``SNAP_WORDS`` words) to the
strongest boundary near it: the end of a sentence or clause, a comma, a word.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from compare.model import Span

SNAP_WORDS = 3  # a cut moves at most this many words from where the word diff puts it, to reach a clause end
_CLAUSE_END = re.compile(r"[.!?;:][\"')\]’”]*$")  # text before a cut that ends a sentence or a clause
_SOFT_END = re.compile(r"[,\u2014\-–][\"')\]’”]*$")  # a comma or a dash
_CUT_POINT = re.compile(r"(?<=\s)\S")  # where a cut may fall: the start of a word after whitespace
_WORD = re.compile(r"\w")

Points = list[tuple[int, int]]  # sorted (from, to) offset correspondences


@dataclass(slots=True)
class DraftCell:
    """A rendering's text in a draft column."""

    span: Span
    score: float | None  # similarity of the pairs that placed it; None when placed by position
    starts_boundary: bool  # the rendering itself draws a boundary where the cell starts
    ends_boundary: bool  # and where it ends
    anchors: Points  # (offset in the column's standing text, offset in this rendering)
    joints: Points = field(default_factory=list)  # where two confident pairs of the rendering meet inside


@dataclass(slots=True)
class DraftColumn:
    """A column while the alignment is built: the rendering whose text stands for it, and a cell per rendering."""

    standing: int  # the rendering placed first; its text represents the column in the consensus
    cells: dict[int, DraftCell]


def standing_cell(span: Span) -> DraftCell:
    """Return the cell of the rendering whose text stands for its column (it maps onto itself)."""
    return DraftCell(span, 1.0, True, True, [(span.start, span.start), (span.end, span.end)])


def project(points: Sequence[tuple[int, int]], x: int) -> int:
    """Map an offset through sorted correspondence points, linearly between the two around it.

    >>> project([(0, 100), (10, 120)], 5), project([(0, 100), (10, 120)], 30)
    (110, 120)
    """
    index = bisect_right([p[0] for p in points], x)
    if index == 0:
        return points[0][1]
    if index == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[index - 1], points[index]
    return y0 if x1 == x0 else y0 + round((x - x0) * (y1 - y0) / (x1 - x0))


def monotone(points: Iterable[tuple[int, int]]) -> Points:
    """Keep the correspondence points that increase in both offsets, in order of the first."""
    kept: Points = []
    for point in sorted(points):
        if not kept or (point[0] >= kept[-1][0] and point[1] >= kept[-1][1]):
            kept.append(point)
    return kept


def snap(text: str, span: Span, target: int) -> int:
    """Move a cut inside ``span`` to the strongest boundary within ``SNAP_WORDS`` words of ``target``.

    >>> text = "One two, three four five"
    >>> snap(text, Span(0, len(text)), text.index("four"))
    9
    """
    starts = [span.start, *(span.start + m.start() for m in _CUT_POINT.finditer(span.slice(text))), span.end]
    nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - target))
    window = starts[max(0, nearest - SNAP_WORDS) : nearest + SNAP_WORDS + 1]

    def strength(position: int) -> tuple[int, int]:
        before = text[span.start : position].rstrip()
        rank = 2 if _CLAUSE_END.search(before) else 1 if _SOFT_END.search(before) else 0
        return rank, -abs(position - target)

    return max(window, key=strength)


def trim(text: str, start: int, end: int) -> Span | None:
    """Return ``[start, end)`` without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def cut_position(cell: DraftCell, x: int, text: str) -> int:
    """Return where a cell is cut to follow offset ``x`` of its column's standing text."""
    own = dict(cell.joints)
    if x in own:
        return own[x]
    if cell.anchors:
        return snap(text, cell.span, project(cell.anchors, x))
    return cell.span.start


def split_confirmed(columns: list[DraftColumn], texts: Sequence[str],
                    starts: Sequence[frozenset[int]]) -> list[DraftColumn]:
    """Split each column at the clause-aligned boundaries inside it where a rendering ends a sentence.

    The candidates are where two pairs of one rendering meet inside the
    column (the pairwise engine aligned a long sentence clause by clause).
    ``merge_unconfirmed`` joins the parts again where fewer than two
    renderings draw the boundary.
    """
    result: list[DraftColumn] = []
    for column in columns:
        standing = column.cells[column.standing].span
        candidates = sorted({x for cell in column.cells.values() for x, _ in cell.joints
                             if standing.start < x < standing.end})
        cuts = [x for x in candidates
                if any(cut_position(cell, x, texts[d]) in starts[d] for d, cell in column.cells.items())]
        result.extend(_split(column, cuts, texts, starts) if cuts else [column])
    return result


def _split(column: DraftColumn, cuts: list[int], texts: Sequence[str],
           starts: Sequence[frozenset[int]]) -> list[DraftColumn]:
    """Cut a column at offsets of its standing text; each cell where it draws the cut, or where it projects."""
    parts = [DraftColumn(column.standing, {}) for _ in range(len(cuts) + 1)]
    for document, cell in column.cells.items():
        text, own = texts[document], dict(cell.joints)
        positions = [cell.span.start]
        for x in cuts:
            positions.append(min(max(cut_position(cell, x, text), positions[-1]), cell.span.end))
        positions.append(cell.span.end)
        drawn = [x in own or position in starts[document] for x, position in zip(cuts, positions[1:], strict=False)]
        for k in range(len(cuts) + 1):
            span = trim(text, positions[k], positions[k + 1])
            if span is None:
                continue
            lo = cuts[k - 1] if k else -1
            hi = cuts[k] if k < len(cuts) else len(texts[column.standing]) + 1
            parts[k].cells[document] = DraftCell(
                span, cell.score, cell.starts_boundary if k == 0 else drawn[k - 1],
                cell.ends_boundary if k == len(cuts) else drawn[k],
                [(x, y) for x, y in cell.anchors if lo <= x <= hi and span.start <= y <= span.end],
                [(x, y) for x, y in cell.joints if lo < x < hi])
    kept = [part for part in parts if part.standing in part.cells]
    return kept if len(kept) == len(parts) else [column]


def merge_unconfirmed(columns: list[DraftColumn], texts: Sequence[str]) -> list[DraftColumn]:
    """Merge neighbouring columns of one standing rendering where at most one rendering draws their boundary.

    Both columns must be rendered twice: a statement only the standing
    rendering has stays apart (the others lack it; none joins it to another).
    """
    result = columns[:1]
    for column in columns[1:]:
        previous = result[-1]
        shared = previous.cells.keys() & column.cells.keys()
        drawn = sum(previous.cells[d].ends_boundary and column.cells[d].starts_boundary for d in shared)
        if (previous.standing == column.standing and drawn <= 1 and min(len(previous.cells), len(column.cells)) >= 2
                and adjacent(previous, column, texts)):
            result[-1] = joined(previous, column)
        else:
            result.append(column)
    return result


def adjacent(left: DraftColumn, right: DraftColumn, texts: Sequence[str]) -> bool:
    """Tell whether every rendering in both columns has no word between its two cells, in its own order."""
    for document in left.cells.keys() & right.cells.keys():
        first, second = sorted((left.cells[document].span, right.cells[document].span))
        if first.end > second.start or _WORD.search(texts[document], first.end, second.start):
            return False
    return True


def joined(left: DraftColumn, right: DraftColumn) -> DraftColumn:
    """Return one column holding both columns' cells, each rendering's two cells joined into one."""
    cells = dict(left.cells)
    for document, cell in right.cells.items():
        first = cells.get(document)
        if first is None:
            cells[document] = cell
            continue
        scores = [(c.score, len(c.span)) for c in (first, cell) if c.score is not None]
        score = sum(s * n for s, n in scores) / sum(n for _, n in scores) if scores else None
        low, high = sorted((first, cell), key=lambda c: c.span)
        cells[document] = DraftCell(low.span.cover(high.span), score, low.starts_boundary, high.ends_boundary, [], [])
    return DraftColumn(left.standing, cells)
