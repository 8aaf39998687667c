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
2. Every other rendering, in input order, is aligned with the pairwise
   engine (``compare_documents``) to the **consensus**: a document made of
   each column's standing text (that of the rendering placed there first), in
   column order.  A rendering the engine finds too far from it to be
   parallel is aligned again to the consensus in the words of its nearest
   placed relative (the guide of progressive aligners), if that covers more.
3. Each pair of that comparison puts its passage of the rendering into the
   columns its consensus passage covers.  Where the consensus passage spans
   several columns (the rendering says two statements in one sentence), the
   passage is cut where the column boundary falls in it, carried across by
   the pair's word diff and moved to the nearest clause end
   (``compare.columns``).
4. Text of the rendering that no pair holds fills the columns it sits between
   (in parallel texts: the pairwise engine found the two aligned throughout),
   completes the sentences of its neighbours, or becomes **new columns**, so
   that later renderings can align to a statement the earlier ones lack.
5. When every rendering is placed, the column boundaries are settled by the
   renderings' own evidence (``compare.columns``): a boundary stands where
   two renderings draw it (a pair of theirs starts there, or one of their
   sentences); a column splits where the pairwise engine aligned a long
   sentence clause by clause and a rendering ends a sentence there, and
   neighbouring columns merge where only one rendering draws their boundary.

Every character of every rendering's text segments lies in a cell, and in
parallel texts in exactly one; a column holds at most one cell per
rendering, and a rendering that lacks the statement has none.  Cost: one
pairwise comparison per rendering after the pivot, each against a consensus
about the size of one rendering: linear in N.  Evidence only adds up, so a
rendering added last (the pivot unchanged) may split statements of the
others but never merges two of them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from compare.align import compare_documents
from compare.columns import (
    SNAP_WORDS,
    DraftCell,
    DraftColumn,
    Points,
    merge_unconfirmed,
    monotone,
    project,
    snap,
    split_confirmed,
    standing_cell,
    trim,
)
from compare.model import Comparison, DiffOp, Document, OpTag, Options, Pair, Segmentation, SegmentRole, Span
from compare.segment import segment
from compare.worddiff import diff_words

Progress = Callable[[int, int], None]
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Cell:
    """One rendering's text in a column."""

    document: int  # index of the rendering among those aligned
    span: Span
    score: float | None  # similarity of the pairs that placed it (1.0: the standing text); None: placed by position


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


@dataclass(frozen=True, slots=True)
class _Consensus:
    """The consensus document and where each column's standing text lies in it."""

    document: Document
    spans: tuple[Span, ...]  # consensus span of each column, in column order (sorted, disjoint)
    starts: tuple[int, ...]  # spans[i].start, for bisection
    origins: tuple[int, ...]  # offset, in the rendering that writes it, of each column's text
    maps: tuple[Points | None, ...]  # from that rendering's offsets to the standing text's (None: it is standing)


@dataclass(frozen=True, slots=True)
class _Piece:
    """A passage of the rendering being placed, for one column, with what its ends say about boundaries."""

    column: int
    span: Span
    score: float
    starts_boundary: bool  # the rendering draws a boundary where the piece starts
    ends_boundary: bool
    standing: Span  # the part of the column's standing text it renders
    anchors: tuple[tuple[int, int], ...]  # (standing offset, own offset)
    pair: int  # index of the pair it comes from


def _sketch(text: str) -> frozenset[str]:
    """Return the word pairs of a text (folded): a cheap sketch of its wording."""
    words = re.findall(r"\w+", text.casefold())
    return frozenset(f"{a} {b}" for a, b in pairwise(words))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Jaccard similarity of two sketches."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def choose_pivot(segmentations: Sequence[Segmentation]) -> int:
    """Return the rendering with the most text segments (the longest on a tie, then the first).

    >>> choose_pivot([segment(Document("a", "One. Two.")), segment(Document("b", "One. Two. Three."))])
    1
    """
    def key(index: int) -> tuple[int, int, int]:
        texts = [s for s in segmentations[index].segments if s.role is SegmentRole.TEXT]
        return len(texts), sum(len(s.span) for s in texts), -index

    return max(range(len(segmentations)), key=key)


def align_renderings(documents: Sequence[Document], options: Options | None = None, *,
                     pivot: int | None = None, progress: Progress | None = None) -> MultipleAlignment:
    """Align N renderings of one text into columns, one statement each (see the module docstring).

    ``pivot`` names the rendering the first columns come from (default:
    ``choose_pivot``); ``progress(done, total)`` is called after each
    pairwise comparison.

    >>> docs = [Document("a", "The sky is blue. Cats purr."), Document("b", "The sky was blue. Cats purr loudly."),
    ...         Document("c", "Cats purr.")]
    >>> for column in align_renderings(docs).columns:
    ...     print([c.span.slice(docs[c.document].text) for c in column.cells])
    ['The sky is blue.', 'The sky was blue.']
    ['Cats purr.', 'Cats purr loudly.', 'Cats purr.']
    """
    options = options or Options()
    if len(documents) < 2:
        raise ValueError(f"an alignment of renderings needs at least two documents, got {len(documents)}")
    segmentations = [segment(d, options) for d in documents]
    chosen = choose_pivot(segmentations) if pivot is None else pivot
    if not 0 <= chosen < len(documents):
        raise ValueError(f"pivot must be the index of one of the {len(documents)} documents, got {chosen}")
    texts = [d.text for d in documents]
    columns = [DraftColumn(chosen, {chosen: standing_cell(s.span)}) for s in segmentations[chosen].segments
               if s.role is SegmentRole.TEXT]
    others = [i for i in range(len(documents)) if i != chosen]
    if progress is not None:
        progress(0, len(others))
    sketches = [_sketch(text) for text in texts]
    for done, index in enumerate(others, 1):
        consensus, comparison = _align_to_consensus(columns, documents, index, [chosen, *others[: done - 1]],
                                                    sketches, options)
        columns = _place(columns, consensus, comparison, index, texts[index])
        if progress is not None:
            progress(done, len(others))
    starts = [frozenset(s.span.start for s in seg.segments) for seg in segmentations]
    columns = merge_unconfirmed(split_confirmed(columns, texts, starts), texts)
    frozen = tuple(
        Column(tuple(Cell(d, column.cells[d].span, _rounded(column.cells[d].score)) for d in sorted(column.cells)))
        for column in columns
    )
    return MultipleAlignment(tuple(segmentations), frozen, chosen)


def _align_to_consensus(columns: list[DraftColumn], documents: Sequence[Document], index: int, placed: list[int],
                        sketches: list[frozenset[str]], options: Options) -> tuple[_Consensus, Comparison]:
    """Compare rendering ``index`` with the consensus; when too far from it, with its nearest relative's words.

    A rendering the engine does not find parallel to the standing texts (an
    edited copy of a free translation, say) is compared again with the
    consensus written, where it can be, in the words of the placed rendering
    most like it; the comparison covering more of the rendering is kept.
    """
    texts = [d.text for d in documents]
    consensus = _consensus(columns, texts)
    comparison = compare_documents(consensus.document, documents[index], options)
    if _renders_throughout(comparison):
        return consensus, comparison
    guide = max(placed, key=lambda other: (_similarity(sketches[index], sketches[other]), -other))
    if guide == placed[0]:  # the pivot wrote the consensus already
        return consensus, comparison
    guided = _consensus(columns, texts, guide)
    second = compare_documents(guided.document, documents[index], options)
    if _paired_share(second) > _paired_share(comparison):
        return guided, second
    return consensus, comparison


PARALLEL_COVERAGE = 0.5  # share of both texts that in-order pairs cover in two renderings of each other


def _renders_throughout(comparison: Comparison) -> bool:
    """Tell whether two texts render each other throughout: in-order pairs cover most of both.

    Coverage is counted in characters and in text segments, so that one long
    shared sentence does not make two short texts look parallel.
    """
    def coverage(seg: Segmentation, linked: set[int]) -> float:
        texts = [i for i, s in enumerate(seg.segments) if s.role is SegmentRole.TEXT]
        chars = sum(len(seg.segments[i].span) for i in texts)
        if not chars:
            return 0.0
        return min(sum(len(seg.segments[i].span) for i in linked) / chars, len(linked) / len(texts))

    in_order = [pair for pair in comparison.pairs if not pair.moved]
    return min(coverage(comparison.a, {i for p in in_order for i in p.a_segments}),
               coverage(comparison.b, {j for p in in_order for j in p.b_segments})) >= PARALLEL_COVERAGE


def _paired_share(comparison: Comparison) -> float:
    """Return the share of the rendering's (B's) text characters that its pairs hold (not its passages' gaps)."""
    texts = [s.span for s in comparison.b.segments if s.role is SegmentRole.TEXT]
    total = sum(len(span) for span in texts)
    held = sorted(pair.b for pair in comparison.pairs)
    covered, end = 0, 0
    for span in held:
        start = max(span.start, end)
        if span.end > start:
            covered += sum(max(0, min(t.end, span.end) - max(t.start, start)) for t in texts)
            end = span.end
    return covered / total if total else 0.0


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


def _consensus(columns: list[DraftColumn], texts: list[str], guide: int | None = None) -> _Consensus:
    """Join one text of each column, in column order, into one document.

    Each column stands in the consensus by its standing text, or, given a
    ``guide``, by the guide rendering's cell where it has one (mapped back to
    the standing text through the cell's correspondence points).
    """
    parts: list[str] = []
    spans: list[Span] = []
    origins: list[int] = []
    maps: list[Points | None] = []
    position = 0
    previous: tuple[int, Span] | None = None
    for column in columns:
        cell = column.cells.get(guide) if guide is not None else None
        writer = column.standing if guide is None or cell is None or not cell.anchors else guide
        span = column.cells[writer].span
        if previous is not None:
            separator = " "
            if previous[0] == writer and previous[1].end <= span.start:
                between = texts[writer][previous[1].end : span.start]
                if not between.strip():
                    separator = between
                elif "\n\n" in between:
                    separator = "\n\n"
            parts.append(separator)
            position += len(separator)
        text = span.slice(texts[writer])
        parts.append(text)
        spans.append(Span(position, position + len(text)))
        origins.append(span.start)
        maps.append(None if writer == column.standing else [(own, at) for at, own in column.cells[writer].anchors])
        position += len(text)
        previous = (writer, span)
    return _Consensus(Document("consensus", "".join(parts)), tuple(spans), tuple(s.start for s in spans),
                      tuple(origins), tuple(maps))


def _covered_columns(consensus: _Consensus, span: Span) -> range:
    """Return the columns whose consensus text the span overlaps."""
    first = max(0, bisect_right(consensus.starts, span.start) - 1)
    if first < len(consensus.spans) and consensus.spans[first].end <= span.start:
        first += 1
    return range(first, max(first, bisect_left(consensus.starts, span.end)))


def _to_standing(consensus: _Consensus, column: int, x: int) -> int:
    """Map a consensus offset to the column's standing text, clamped to the column."""
    span = consensus.spans[column]
    own = consensus.origins[column] + min(max(x, span.start), span.end) - span.start
    points = consensus.maps[column]
    return own if points is None else project(points, own)


def _diff_points(pair: Pair, consensus: str, text: str, columns: int) -> list[tuple[int, int]]:
    """Return the correspondence points of a pair's word diff: where each operation starts and ends.

    A pair over several columns is diffed anew as one passage: the engine
    diffs a run of sentence pairs joined into one passage sentence by sentence,
    which assumes both sides cut their sentences alike.
    """
    ops = pair.ops if columns < 2 else diff_words(consensus, text, pair.a, pair.b)
    points = {(pair.a.start, pair.b.start), (pair.a.end, pair.b.end)}
    points.update((op.a.end, op.b.end) for op in ops)
    return sorted(points)


def _pieces(number: int, pair: Pair, consensus: _Consensus, text: str,
            sentence_starts: frozenset[int]) -> list[_Piece]:
    """Cut one pair's passage of the rendering at the column boundaries its consensus passage crosses."""
    covered = _covered_columns(consensus, pair.a)
    if not covered:
        return []
    points = _diff_points(pair, consensus.document.text, text, len(covered))
    cuts = [pair.b.start]
    for column in covered[1:]:
        cuts.append(max(cuts[-1], snap(text, pair.b, project(points, consensus.spans[column].start))))
    cuts.append(pair.b.end)
    # A boundary is drawn at the pair's ends, and at a cut where a sentence starts or the pair's words stop.
    drawn = [True, *(cut in sentence_starts or not _WORD.search(text, cut, pair.b.end)
                     or not _WORD.search(text, pair.b.start, cut) for cut in cuts[1:-1]), True]

    pieces = []
    for k, column in enumerate(covered):
        span = trim(text, cuts[k], cuts[k + 1])
        if span is None:
            continue
        box = consensus.spans[column]
        lo, hi = max(pair.a.start, box.start), min(pair.a.end, box.end)
        standing = Span(_to_standing(consensus, column, lo), _to_standing(consensus, column, max(lo, hi)))
        anchors = [(_to_standing(consensus, column, a), b) for a, b in points
                   if lo <= a <= hi and span.start <= b <= span.end]
        pieces.append(_Piece(column, span, pair.score, drawn[k], drawn[k + 1], standing,
                             ((standing.start, span.start), *anchors, (standing.end, span.end)), number))
    return pieces


def _carried_boundaries(pairs: Sequence[Pair], consensus: str, text: str) -> list[Pair]:
    """Move the boundary between two adjacent pairs of the rendering to where their word diff carries it.

    The pairwise engine pairs whole sentences unless a multi-segment link
    splits into clauses, so where two translations end their sentences a
    clause apart it pairs them with their ends as they are: the clause the
    rendering says last in one sentence sits in the pair of the next.  Diffed
    together, the two pairs show where the consensus boundary falls in the
    rendering; the boundary moves there (to the nearest clause end) when
    shared words stand within ``SNAP_WORDS`` words on both sides of it.
    """
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k].a.start, pairs[k].b.start))
    result = list(pairs)
    for k, m in pairwise(order):
        x, y = result[k], result[m]
        if (x.moved or y.moved or not (x.a.end <= y.a.start and x.b.end <= y.b.start)
                or _WORD.search(consensus, x.a.end, y.a.start) or _WORD.search(text, x.b.end, y.b.start)):
            continue  # not adjacent on both sides: some text lies between them
        both_a, both_b = Span(x.a.start, y.a.end), Span(x.b.start, y.b.end)
        cut = _carried_cut(diff_words(consensus, text, both_a, both_b), consensus, text, both_b, x.a.end)
        if cut is None or x.b.end <= cut <= y.b.start:
            continue
        first, second = trim(text, x.b.start, cut), trim(text, cut, y.b.end)
        if first is None or second is None:
            continue
        result[k] = replace(x, b=first, ops=diff_words(consensus, text, x.a, first))
        result[m] = replace(y, b=second, ops=diff_words(consensus, text, y.a, second))
    return result


def _carried_cut(ops: Sequence[DiffOp], consensus: str, text: str, span: Span, boundary: int) -> int | None:
    """Return where the word diff puts ``boundary`` (a consensus offset) in ``span`` of the rendering, or None.

    Only a boundary with a shared word within ``SNAP_WORDS`` words before it
    and after it is carried (between them the diff knows where it falls).
    """
    shared = [op for op in ops if op.tag is OpTag.EQUAL and _WORD.search(consensus, op.a.start, op.a.end)]
    before = [op for op in shared if op.a.end <= boundary]
    after = [op for op in shared if op.a.start >= boundary]
    if not before or not after:
        return None
    left, right = before[-1], after[0]
    if len(_WORD.findall(consensus, left.a.end, boundary)) > SNAP_WORDS or \
            len(_WORD.findall(consensus, boundary, right.a.start)) > SNAP_WORDS:
        return None
    points = [(left.a.end, left.b.end), (right.a.start, right.b.start)]
    return snap(text, span, project(points, boundary))


def _disjoint(pieces: list[_Piece]) -> list[_Piece]:
    """Keep the pieces that overlap no heavier one (a passage the pairwise engine paired twice goes once)."""
    kept: list[_Piece] = []
    taken: list[Span] = []  # sorted, disjoint
    for piece in sorted(pieces, key=lambda p: -p.score * len(p.span)):
        at = bisect_left(taken, piece.span)
        if any(piece.span.overlaps(taken[i]) for i in (at - 1, at) if 0 <= i < len(taken)):
            continue
        taken.insert(at, piece.span)
        kept.append(piece)
    return kept


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


def _cell_of(run: list[_Piece]) -> DraftCell:
    """Join a run of pieces into one cell, keeping where two of its pairs meet inside it."""
    length = sum(len(p.span) for p in run)
    joints = [(later.standing.start, later.span.start) for earlier, later in pairwise(run)
              if earlier.pair != later.pair and earlier.standing.end <= later.standing.start]
    return DraftCell(run[0].span.cover(run[-1].span), sum(p.score * len(p.span) for p in run) / length,
                     run[0].starts_boundary, run[-1].ends_boundary, monotone(a for p in run for a in p.anchors),
                     joints)


def _inside_text(piece: _Piece, texts: list[Span], ends: list[int]) -> _Piece | None:
    """Return the piece without the page noise at its ends (a pair over a whole copy runs across it).

    ``texts`` are the rendering's text segments, ``ends`` their ends (both sorted).
    """
    first = bisect_right(ends, piece.span.start)
    inside = [s for s in texts[first : bisect_left(ends, piece.span.end) + 1] if s.overlaps(piece.span)]
    if not inside:
        return None
    start, end = max(piece.span.start, inside[0].start), min(piece.span.end, inside[-1].end)
    if (start, end) == (piece.span.start, piece.span.end):
        return piece
    return replace(piece, span=Span(start, end), anchors=tuple((x, min(max(y, start), end)) for x, y in piece.anchors))


def _place(columns: list[DraftColumn], consensus: _Consensus, comparison: Comparison, index: int,
           text: str) -> list[DraftColumn]:
    """Put the rendering ``index`` into the columns, adding columns for the statements none holds."""
    sentence_starts = frozenset(s.span.start for s in comparison.b.segments)
    texts = [s.span for s in comparison.b.segments if s.role is SegmentRole.TEXT]
    ends = [s.end for s in texts]
    parallel = _renders_throughout(comparison)
    pairs = _carried_boundaries(comparison.pairs, consensus.document.text, text) if parallel else comparison.pairs
    pieces = [piece for number, pair in enumerate(pairs)
              for found in _pieces(number, pair, consensus, text, sentence_starts)
              if (piece := _inside_text(found, texts, ends)) is not None]
    if parallel:  # one rendering of a statement; in sparse reuse a sentence may restate two
        pieces = _disjoint(pieces)
    cells = {column: _cell_of(run) for column, run in _heaviest_runs(pieces).items()}
    inserted = _fill_gaps(cells, comparison, text, columns, parallel)
    result: list[DraftColumn] = []
    for position, column in enumerate([*columns, None]):
        result.extend(DraftColumn(index, {index: standing_cell(span)}) for span in inserted.get(position, []))
        if column is not None:
            if position in cells:
                column.cells[index] = cells[position]
            result.append(column)
    return result


def _fill_gaps(cells: dict[int, DraftCell], comparison: Comparison, text: str,
               columns: list[DraftColumn], parallel: bool) -> dict[int, list[Span]]:
    """Place the rendering's text that no pair holds; return the new columns to insert before each position.

    In parallel texts, a gap between the rendering's cells in columns ``a``
    and ``b`` fills the columns between them that the rendering lacks (its
    sentences shared out by length), or else the cells on either side take
    the rest of the sentences they end or start in it.  What is left, cut at
    the rendering's sentence boundaries, becomes new columns after ``a``.
    """
    segments = [s.span for s in comparison.b.segments if s.role is SegmentRole.TEXT]
    placed = sorted((cell.span.start, cell.span.end, column) for column, cell in cells.items())
    inserted: dict[int, list[Span]] = {}
    bounds = [(-1, 0, -1), *placed, (len(text), len(text), len(columns))]
    ends = [s.end for s in segments]
    for (_, gap_start, left), (gap_end, _, right) in pairwise(bounds):
        if gap_end <= gap_start:
            continue
        near = segments[bisect_right(ends, gap_start) : bisect_left(ends, gap_end) + 1]
        pieces = [span for s in near
                  if (span := trim(text, max(s.start, gap_start), min(s.end, gap_end))) is not None]
        if not pieces:
            continue
        between = [c for c in range(left + 1, right) if c not in cells]
        if parallel and between:
            for column, span in _share_out(pieces, between, columns):
                cells[column] = DraftCell(span, None, False, False, [])
            continue
        if parallel:
            pieces = _extend_into(cells, left, right, near, pieces)
        if pieces:
            inserted.setdefault(left + 1 if right > left else len(columns), []).extend(pieces)
    return inserted


def _extend_into(cells: dict[int, DraftCell], left: int, right: int, segments: list[Span],
                 pieces: list[Span]) -> list[Span]:
    """Let the cells beside a gap take the rest of the sentences they end or start in it; return what is left."""
    left_cell, right_cell = cells.get(left), cells.get(right)
    rest = []
    for piece in pieces:
        if left_cell is not None and any(s.start < left_cell.span.end and piece.end <= s.end and
                                         s.start <= piece.start for s in segments):
            left_cell.span = Span(left_cell.span.start, piece.end)  # to its sentence's end: the edge holds
        elif right_cell is not None and any(s.start <= piece.start and right_cell.span.start < s.end and
                                            piece.end <= s.end for s in segments):
            right_cell.span = Span(piece.start, right_cell.span.end)
        else:
            rest.append(piece)
    return rest


def _share_out(pieces: list[Span], between: list[int], columns: list[DraftColumn]) -> list[tuple[int, Span]]:
    """Share consecutive sentences out to consecutive columns in proportion to their standing lengths."""
    if len(between) == 1 or len(pieces) == 1:
        return [(between[0], pieces[0].cover(pieces[-1]))]
    weights = [len(columns[c].cells[columns[c].standing].span) for c in between]
    bounds = [sum(weights[: k + 1]) / sum(weights) for k in range(len(between))]
    total = sum(len(s) for s in pieces)
    groups: dict[int, list[Span]] = {}
    seen = 0
    for piece in pieces:
        middle = (seen + len(piece) / 2) / total
        seen += len(piece)
        groups.setdefault(between[min(k for k, bound in enumerate(bounds) if middle <= bound)], []).append(piece)
    return [(column, spans[0].cover(spans[-1])) for column, spans in groups.items()]
