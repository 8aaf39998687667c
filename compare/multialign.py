"""N renderings of one text aligned statement by statement: a progressive multiple alignment.

Families used to be the connected components of every pairwise link, so one
rendering that joined two sentences chained its neighbours together and the
clumps grew with every rendering added.  Here the statements are the
*columns* of one N-way alignment, built as multiple-sequence aligners and
CollateX build theirs: progressively, each rendering aligned once to a
consensus of the columns found so far.

1. The **pivot** (the rendering with the most text segments: the finest
   statement boundaries to start from) gives the first columns, one per
   sentence.
2. Every other rendering, in turn, is aligned with the pairwise engine
   (``compare_documents``) to the **consensus**: a document made of one
   rendering of each column (the one placed there first), in column order.
3. Each aligned pair of that comparison puts its passage of the rendering
   into the columns its consensus passage covers.  Where the consensus passage
   spans several columns (the rendering says two statements in one
   sentence), the passage is **cut** where the column boundary falls in it,
   found through the pair's word diff and moved to the nearest clause
   boundary of the rendering (or word boundary, when no clause ends near).
4. Text of the rendering that no pair holds either fills the columns it sits
   between (in parallel texts, where the pairwise engine found the two
   renderings aligned throughout) or becomes **new columns** of its own, so
   later renderings can align to a statement the first ones lack.
5. When every rendering is placed, the boundaries are settled by the
   renderings' own evidence.  A rendering *confirms* a boundary where two of
   its confident pairs (variant or verbatim, not partial) meet there, and
   *objects* where one confident pair of it crosses the boundary (the cut was
   forced).  A column **splits** where two renderings confirm a boundary inside
   it (one of them may be the rendering whose text stands for the column:
   the pairwise engine realigns long sentences clause by clause), and two
   neighbouring columns **merge** where renderings object and at most one
   confirms (a sentence boundary only the pivot draws).

A column holds at most one span per rendering (possibly several sentences);
a rendering that lacks the statement has no cell.  Evidence only adds up, so
adding a rendering (placed last) never removes a split, and merges only where
the new rendering objects to a boundary that none but one rendering confirms.
Cost: one pairwise comparison per rendering after the pivot, each against a
consensus about the size of one rendering: linear in N.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from compare.align import compare_documents
from compare.model import Comparison, Document, Options, Pair, PairKind, Segment, Segmentation, SegmentRole, Span
from compare.segment import segment

Progress = Callable[[int, int], None]

SNAP_WORDS = int(__import__("os").environ.get("SW", 3))  # a forced cut moves at most this many words from where the word diff puts it, to a clause end
SPLIT_SUPPORT = int(__import__("os").environ.get("SS", 1))  # renderings that must confirm a boundary inside a column for the column to split
_STRONG_END = re.compile(r"[.!?;:][\"')\]’”]*$")  # text before a cut that ends a sentence or a clause
_WEAK_END = re.compile(r"[,\u2014\-–][\"')\]’”]*$")  # a comma or a dash
_CUT_POINT = re.compile(r"(?<=\s)\S")  # where a cut may fall: the start of a word after whitespace


class Edge(Enum):
    """How a cell's start or end came about: the evidence it gives on the column boundary there."""

    CLEAN = "clean"  # a confident pair of the rendering starts or ends here: confirms the boundary
    FORCED = "forced"  # a confident pair was cut here to follow the column: objects to the boundary
    LOOSE = "loose"  # a weak pair or text placed by position: no evidence either way


@dataclass(frozen=True, slots=True)
class Cell:
    """One rendering's text in a column: its span, and how well it matched the consensus."""

    document: int
    span: Span
    score: float  # similarity of the pairs that placed it (1.0 for the text standing for the column)


@dataclass(frozen=True, slots=True)
class Column:
    """One statement of the multiple alignment: at most one cell per rendering, in document order."""

    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class MultipleAlignment:
    """N renderings and the columns (statements) they share, in the order of the consensus."""

    documents: tuple[Segmentation, ...]
    columns: tuple[Column, ...]
    pivot: int  # the rendering the first columns came from


# --- the columns while they are built ---------------------------------------------------------------


@dataclass(slots=True)
class _Cell:
    """A rendering's text in a column while the alignment is built."""

    span: Span
    score: float
    start: Edge
    end: Edge
    anchors: list[tuple[int, int]]  # (offset in the column's standing text, offset in this rendering), sorted
    joints: list[tuple[int, int]] = field(default_factory=list)  # where two confident pairs meet inside


@dataclass(slots=True)
class _Column:
    """A column while it is built: the rendering whose text stands for it, and a cell per rendering."""

    standing: int  # the rendering placed first; its cell's text represents the column in the consensus
    cells: dict[int, _Cell]


@dataclass(frozen=True, slots=True)
class _Consensus:
    """The consensus document and where each column's standing text lies in it."""

    document: Document
    spans: tuple[Span, ...]  # consensus span of each column, in column order (sorted, disjoint)
    starts: tuple[int, ...]  # spans[i].start, for bisection
    origins: tuple[int, ...]  # offset in the standing rendering of each column's first character


@dataclass(frozen=True, slots=True)
class _Piece:
    """A passage of the rendering being placed, for one column, with what its ends say about boundaries."""

    column: int
    span: Span
    score: float
    start: Edge
    end: Edge
    standing: Span  # the part of the column's standing text it renders
    anchors: tuple[tuple[int, int], ...]
    pair: int  # index of the pair it comes from
    confident: bool


def choose_pivot(segmentations: Sequence[Segmentation]) -> int:
    """Return the rendering with the most text segments (the longest on a tie, then the first).

    >>> from compare.segment import segment
    >>> choose_pivot([segment(Document("a", "One. Two.")), segment(Document("b", "One. Two. Three."))])
    1
    """
    def key(index: int) -> tuple[int, int, int]:
        segs = [s for s in segmentations[index].segments if s.role is SegmentRole.TEXT]
        return len(segs), sum(len(s.span) for s in segs), -index

    return max(range(len(segmentations)), key=key)


def align_renderings(documents: Sequence[Document], options: Options | None = None, *,
                     pivot: int | None = None, progress: Progress | None = None) -> MultipleAlignment:
    """Align N renderings of one text into columns, one statement each (see the module docstring).

    ``pivot`` names the rendering the first columns come from (default:
    ``choose_pivot``); ``progress(done, total)`` is called after each
    pairwise comparison.

    >>> docs = [Document("a", "The sky is blue. Cats purr."), Document("b", "The sky was blue. Cats purr loudly."),
    ...         Document("c", "Cats purr.")]
    >>> result = align_renderings(docs)
    >>> [[(c.document, c.span.slice(docs[c.document].text)) for c in col.cells] for col in result.columns]
    [[(0, 'The sky is blue.'), (1, 'The sky was blue.')], [(0, 'Cats purr.'), (1, 'Cats purr loudly.'), (2, 'Cats purr.')]]
    """
    options = options or Options()
    if len(documents) < 2:
        raise ValueError(f"an alignment of renderings needs at least two documents, got {len(documents)}")
    segmentations = [segment(d, options) for d in documents]
    chosen = choose_pivot(segmentations) if pivot is None else pivot
    if not 0 <= chosen < len(documents):
        raise ValueError(f"pivot must be the index of one of the {len(documents)} documents, got {chosen}")
    texts = [d.text for d in documents]
    columns = [_Column(chosen, {chosen: _own_cell(s.span)}) for s in segmentations[chosen].segments
               if s.role is SegmentRole.TEXT]
    others = [i for i in range(len(documents)) if i != chosen]
    for done, index in enumerate(others, 1):
        consensus = _consensus(columns, texts)
        comparison = compare_documents(consensus.document, documents[index], options)
        columns = _place(columns, consensus, comparison, index, texts[index])
        if progress is not None:
            progress(done, len(others))
    starts = [frozenset(s.span.start for s in seg.segments) for seg in segmentations]
    import os
    if os.environ.get("NOSPLIT") is None:
        columns = _split_confirmed(columns, texts, starts)
    if os.environ.get("NOMERGE") is None:
        columns = _merge_objected(columns)
    frozen = tuple(
        Column(tuple(Cell(d, column.cells[d].span, round(column.cells[d].score, 4)) for d in sorted(column.cells)))
        for column in columns
    )
    return MultipleAlignment(tuple(segmentations), frozen, chosen)


def _own_cell(span: Span) -> _Cell:
    """Return the cell of the rendering whose text stands for its column."""
    return _Cell(span, 1.0, Edge.CLEAN, Edge.CLEAN, [(span.start, span.start), (span.end, span.end)])


def _consensus(columns: list[_Column], texts: list[str]) -> _Consensus:
    """Join the standing text of each column, in column order, into one document."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    previous: tuple[int, Span] | None = None
    for column in columns:
        span = column.cells[column.standing].span
        if previous is not None:
            separator = " "
            if previous[0] == column.standing and previous[1].end <= span.start:
                between = texts[column.standing][previous[1].end : span.start]
                if not between.strip():
                    separator = between
                elif "\n\n" in between:
                    separator = "\n\n"
            parts.append(separator)
            position += len(separator)
        text = span.slice(texts[column.standing])
        parts.append(text)
        spans.append(Span(position, position + len(text)))
        position += len(text)
        previous = (column.standing, span)
    return _Consensus(Document("consensus", "".join(parts)), tuple(spans), tuple(s.start for s in spans),
                      tuple(c.cells[c.standing].span.start for c in columns))


# --- placing one rendering ----------------------------------------------------------------------


def _covered_columns(consensus: _Consensus, span: Span) -> range:
    """Return the columns whose consensus text the span overlaps."""
    first = max(0, bisect_right(consensus.starts, span.start) - 1)
    if first < len(consensus.spans) and consensus.spans[first].end <= span.start:
        first += 1
    last = bisect_left(consensus.starts, span.end)
    return range(first, max(first, last))


def _project(points: Sequence[tuple[int, int]], x: int) -> int:
    """Map an offset through sorted (from, to) correspondence points, linearly between two of them."""
    index = bisect_right([p[0] for p in points], x)
    if index == 0:
        return points[0][1]
    if index == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[index - 1], points[index]
    return y0 if x1 == x0 else y0 + round((x - x0) * (y1 - y0) / (x1 - x0))


def _diff_points(pair: Pair) -> list[tuple[int, int]]:
    """Return the correspondence points of a pair's word diff: where each operation starts and ends."""
    points = [(pair.a.start, pair.b.start)]
    for op in pair.ops:
        points.append((op.a.end, op.b.end))
    points.append((pair.a.end, pair.b.end))
    return sorted(set(points))


def _snap(text: str, span: Span, target: int) -> int:
    """Move a cut to the strongest boundary (clause end, comma, word) within ``SNAP_WORDS`` words of ``target``."""
    starts = [span.start, *(span.start + m.start() for m in _CUT_POINT.finditer(span.slice(text))), span.end]
    if not starts:
        return span.start if target - span.start < span.end - target else span.end
    nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - target))
    window = starts[max(0, nearest - SNAP_WORDS) : nearest + SNAP_WORDS + 1]

    def strength(position: int) -> tuple[int, int]:
        before = text[span.start : position].rstrip()
        rank = 2 if _STRONG_END.search(before) else 1 if _WEAK_END.search(before) else 0
        return rank, -abs(position - target)

    return max(window, key=strength)


def _cut_edge(text: str, sentence_starts: frozenset[int], position: int) -> Edge:
    """Tell what a forced cut at ``position`` says: a sentence end confirms, a clause end is no evidence."""
    if position in sentence_starts:
        return Edge.CLEAN
    if _STRONG_END.search(text[:position].rstrip()[-4:]):
        return Edge.LOOSE
    return Edge.FORCED


def _trim(text: str, start: int, end: int) -> Span | None:
    """Return ``[start, end)`` without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _to_standing(consensus: _Consensus, column: int, x: int) -> int:
    """Map a consensus offset to the column's standing text, clamped to the column."""
    span = consensus.spans[column]
    return consensus.origins[column] + min(max(x, span.start), span.end) - span.start


def _pieces(number: int, pair: Pair, consensus: _Consensus, text: str, sentence_starts: frozenset[int]) -> list[_Piece]:
    """Cut one pair's passage of the rendering at the column boundaries its consensus passage crosses."""
    covered = _covered_columns(consensus, pair.a)
    if not covered:
        return []
    confident = pair.kind is not PairKind.PARTIAL
    outer = Edge.CLEAN if confident else Edge.LOOSE
    points = _diff_points(pair)
    cuts = [pair.b.start]
    for column in covered[1:]:
        cuts.append(max(cuts[-1], _snap(text, pair.b, _project(points, consensus.spans[column].start))))
    cuts.append(pair.b.end)
    pieces = []
    for k, column in enumerate(covered):
        span = _trim(text, cuts[k], cuts[k + 1])
        if span is None:
            continue
        cons = consensus.spans[column]
        lo, hi = max(pair.a.start, cons.start), min(pair.a.end, cons.end)
        standing = Span(_to_standing(consensus, column, lo), _to_standing(consensus, column, max(lo, hi)))
        anchors = tuple((_to_standing(consensus, column, a), b) for a, b in points
                        if lo <= a <= hi and span.start <= b <= span.end)
        start = outer if k == 0 else _cut_edge(text, sentence_starts, span.start) if confident else Edge.LOOSE
        end = outer if k == len(covered) - 1 else (
            _cut_edge(text, sentence_starts, cuts[k + 1]) if confident else Edge.LOOSE)
        pieces.append(_Piece(column, span, pair.score, start, end, standing,
                             ((standing.start, span.start), *anchors, (standing.end, span.end)), number, confident))
    return pieces


def _heaviest_runs(pieces: list[_Piece]) -> dict[int, list[_Piece]]:
    """Keep, for each column, its heaviest run of pieces adjacent in the rendering's order."""
    runs: dict[int, list[list[_Piece]]] = {}
    previous: int | None = None
    for piece in sorted(pieces, key=lambda p: p.span):
        column_runs = runs.setdefault(piece.column, [])
        if previous == piece.column and column_runs:
            column_runs[-1].append(piece)
        else:
            column_runs.append([piece])
        previous = piece.column
    return {column: max(found, key=lambda run: sum(p.score * len(p.span) for p in run))
            for column, found in runs.items()}


def _cell_of(run: list[_Piece]) -> _Cell:
    """Join a run of pieces into one cell, keeping where two confident pairs meet inside it."""
    length = sum(len(p.span) for p in run)
    anchors = sorted({a for p in run for a in p.anchors})
    joints = [(later.standing.start, later.span.start) for earlier, later in zip(run, run[1:], strict=False)
              if earlier.pair != later.pair and earlier.confident and later.confident
              and earlier.standing.end <= later.standing.start]
    return _Cell(run[0].span.cover(run[-1].span), sum(p.score * len(p.span) for p in run) / length,
                 run[0].start, run[-1].end, _monotone(anchors), joints)


def _monotone(points: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the correspondence points that increase in both offsets (in order of the first)."""
    kept: list[tuple[int, int]] = []
    for point in sorted(points):
        if not kept or (point[0] >= kept[-1][0] and point[1] >= kept[-1][1]):
            kept.append(point)
    return kept


def _place(columns: list[_Column], consensus: _Consensus, comparison: Comparison, index: int,
           text: str) -> list[_Column]:
    """Put the rendering ``index`` into the columns, adding columns for the statements none holds."""
    sentence_starts = frozenset(s.span.start for s in comparison.b.segments)
    pieces = [piece for number, pair in enumerate(comparison.pairs)
              for piece in _pieces(number, pair, consensus, text, sentence_starts)]
    cells = {column: _cell_of(run) for column, run in _heaviest_runs(pieces).items()}
    inserted = _fill_gaps(cells, comparison, text, columns)
    result: list[_Column] = []
    for position in range(len(columns) + 1):
        for span in inserted.get(position, []):
            result.append(_Column(index, {index: _own_cell(span)}))
        if position == len(columns):
            break
        column = columns[position]
        if position in cells:
            column.cells[index] = cells[position]
        result.append(column)
    return result


def _fill_gaps(cells: dict[int, _Cell], comparison: Comparison, text: str,
               columns: list[_Column]) -> dict[int, list[Span]]:
    """Place the rendering's text that no pair holds; return new columns to insert before each position.

    In parallel texts a gap between the rendering's passages in columns
    ``a`` and ``b`` fills the columns between them that it lacks, its
    sentences shared out by length, and the cells on either side take the
    rest of the sentences they end or start in it; otherwise (or when no
    column lies between) its whole sentences become new columns.
    """
    segments = [s for s in comparison.b.segments if s.role is SegmentRole.TEXT]
    placed = sorted((cell.span.start, cell.span.end, column) for column, cell in cells.items())
    inserted: dict[int, list[Span]] = {}
    bounds = [(-1, 0, -1), *placed, (len(text), len(text), len(columns))]
    for (_, gap_start, left), (gap_end, _, right) in zip(bounds, bounds[1:], strict=False):
        if gap_end <= gap_start or not text[gap_start:gap_end].strip():
            continue
        inside = [s.span for s in segments if gap_start <= s.span.start and s.span.end <= gap_end]
        between = [c for c in range(left + 1, right) if c not in cells]
        if comparison.parallel and between and inside and right > left:
            for column, span in _share_out(inside, between, columns):
                cells[column] = _Cell(span, 0.0, Edge.LOOSE, Edge.LOOSE, [])
            continue
        if comparison.parallel:
            _extend_into(cells, left, right, segments, gap_start, gap_end)
        if inside:
            inserted.setdefault(left + 1 if right > left else len(columns), []).extend(inside)
    return inserted


def _extend_into(cells: dict[int, _Cell], left: int, right: int, segments: list[Segment],
                 gap_start: int, gap_end: int) -> None:
    """Let the cells on either side of a gap take the rest of the sentences they end or start in it."""
    for sentence in segments:
        span = sentence.span
        if left in cells and span.start < gap_start < span.end <= gap_end:
            cell = cells[left]
            cell.span, cell.end = Span(cell.span.start, span.end), Edge.LOOSE
        elif right in cells and gap_start <= span.start < gap_end < span.end:
            cell = cells[right]
            cell.span, cell.start = Span(span.start, cell.span.end), Edge.LOOSE


def _share_out(sentences: list[Span], between: list[int], columns: list[_Column]) -> list[tuple[int, Span]]:
    """Share consecutive sentences out to consecutive columns in proportion to their standing lengths."""
    if len(between) == 1 or len(sentences) == 1:
        return [(between[0], sentences[0].cover(sentences[-1]))]
    weights = [len(columns[c].cells[columns[c].standing].span) for c in between]
    bounds = [sum(weights[: k + 1]) / sum(weights) for k in range(len(between))]
    total = sum(len(s) for s in sentences)
    groups: dict[int, list[Span]] = {}
    seen = 0
    for sentence in sentences:
        middle = (seen + len(sentence) / 2) / total
        seen += len(sentence)
        groups.setdefault(between[min(k for k, bound in enumerate(bounds) if middle <= bound)], []).append(sentence)
    return [(column, spans[0].cover(spans[-1])) for column, spans in groups.items()]


# --- settling the boundaries ----------------------------------------------------------------------


def _split_confirmed(columns: list[_Column], texts: list[str], starts: list[frozenset[int]]) -> list[_Column]:
    """Split each column where at least ``SPLIT_SUPPORT`` renderings end a sentence, at a boundary inside it.

    The candidate boundaries are where two confident pairs of a rendering
    meet inside the column (the pairwise engine realigned a long sentence
    clause by clause); a rendering votes for one when its cut there falls at
    the end of one of its sentences.
    """
    result: list[_Column] = []
    mode = __import__("os").environ.get("SV", "sentence")
    for column in columns:
        standing = column.cells[column.standing].span
        candidates = sorted({x for cell in column.cells.values() for x, _ in cell.joints
                             if standing.start < x < standing.end})
        cuts = []
        for x in candidates:
            if mode == "joint":
                voters = {d for d, cell in column.cells.items() if x in dict(cell.joints)}
                before = texts[column.standing][standing.start : x].rstrip()
                if _STRONG_END.search(before) or _WEAK_END.search(before):
                    voters.add(column.standing)
                votes = len(voters)
            else:
                votes = sum(_cut_position(cell, x, texts[d]) in starts[d] for d, cell in column.cells.items())
            if votes >= SPLIT_SUPPORT:
                cuts.append(x)
        result.extend(_split(column, cuts, texts, starts) if cuts else [column])
    return result


def _cut_position(cell: _Cell, x: int, text: str) -> int:
    """Return where a cell is cut to follow offset ``x`` of the column's standing text."""
    own = dict(cell.joints)
    if x in own:
        return own[x]
    if cell.anchors:
        return _snap(text, cell.span, _project(cell.anchors, x))
    return cell.span.start


def _split(column: _Column, cuts: list[int], texts: list[str], starts: list[frozenset[int]]) -> list[_Column]:
    """Cut a column at offsets of its standing text, each cell where it confirms the cut or where it projects."""
    parts = [_Column(column.standing, {}) for _ in range(len(cuts) + 1)]
    for document, cell in column.cells.items():
        text = texts[document]
        own = dict(cell.joints)
        positions = [cell.span.start]
        for x in cuts:
            positions.append(_cut_position(cell, x, text))
            positions[-1] = min(max(positions[-1], positions[-2]), cell.span.end)
        positions.append(cell.span.end)
        for k in range(len(cuts) + 1):
            span = _trim(text, positions[k], positions[k + 1])
            if span is None:
                continue
            start = cell.start if k == 0 else Edge.CLEAN if cuts[k - 1] in own else _cut_edge(
                text, starts[document], positions[k])
            end = cell.end if k == len(cuts) else Edge.CLEAN if cuts[k] in own else _cut_edge(
                text, starts[document], positions[k + 1])
            lo = cuts[k - 1] if k else -1
            hi = cuts[k] if k < len(cuts) else len(texts[column.standing]) + 1
            anchors = [(x, y) for x, y in cell.anchors if lo <= x <= hi and span.start <= y <= span.end]
            joints = [(x, y) for x, y in cell.joints if lo < x < hi]
            parts[k].cells[document] = _Cell(span, cell.score, start, end, anchors, joints)
    kept = [part for part in parts if part.standing in part.cells]
    return kept or [column]


def _merge_objected(columns: list[_Column]) -> list[_Column]:
    """Merge neighbouring columns where some rendering objects to their boundary and at most one confirms it."""
    if not columns:
        return columns
    result = [columns[0]]
    for column in columns[1:]:
        previous = result[-1]
        shared = previous.cells.keys() & column.cells.keys()
        confirm = sum(previous.cells[d].end is Edge.CLEAN and column.cells[d].start is Edge.CLEAN for d in shared)
        object_ = sum(previous.cells[d].end is Edge.FORCED or column.cells[d].start is Edge.FORCED for d in shared)
        rule = __import__("os").environ.get("MR", "a")
        merge = (object_ and confirm <= 1) if rule == "a" else (confirm < object_) if rule == "b" else (
            object_ and confirm <= object_)
        if merge:
            result[-1] = _joined(previous, column)
        else:
            result.append(column)
    return result


def _joined(left: _Column, right: _Column) -> _Column:
    """Return one column holding both columns' cells, each rendering's two cells joined."""
    cells = dict(left.cells)
    for document, cell in right.cells.items():
        if document in cells:
            first = cells[document]
            length = len(first.span) + len(cell.span)
            cells[document] = _Cell(first.span.cover(cell.span),
                                    (first.score * len(first.span) + cell.score * len(cell.span)) / length,
                                    first.start, cell.end, [], [])
        else:
            cells[document] = cell
    return _Column(left.standing, cells)
