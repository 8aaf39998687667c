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
   rendering of each column (the pivot's where it has one), in column order.
3. Each aligned pair of that comparison puts its passage of the rendering
   into the columns its consensus passage covers.  Where the consensus passage
   spans several columns (the rendering says two statements in one
   sentence), the passage is **cut** where the column boundary falls in it,
   found through the pair's word diff and moved to the nearest clause
   boundary of the rendering (or word boundary, when no clause ends near).
   Columns never merge, so adding a rendering never joins two statements of
   the others.
4. Text of the rendering that no pair holds either fills the columns it sits
   between (in parallel texts, where the pairwise engine found the two
   renderings aligned throughout) or becomes **new columns** of its own, so
   later renderings can align to a statement the pivot lacks.

A column holds at most one span per rendering (possibly several sentences);
a rendering that lacks the statement has no cell.  Cost: one pairwise
comparison per rendering after the pivot, each against a consensus about the
size of one rendering: linear in N.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from compare.align import compare_documents
from compare.model import Comparison, Document, Options, Pair, Segment, Segmentation, SegmentRole, Span
from compare.segment import segment

Progress = Callable[[int, int], None]

SNAP_WORDS = 3  # a cut moves at most this many words from where the word diff puts it, to reach a clause end
_STRONG_END = re.compile(r"[.!?;:][\"')\]’”]*$")  # text before a cut ending a sentence or a clause
_WEAK_END = re.compile(r"[,\u2014\-–][\"')\]’”]*$")  # a comma or a dash


@dataclass(frozen=True, slots=True)
class Cell:
    """One rendering's text in a column: its span, and how well it matched the consensus."""

    document: int
    span: Span
    score: float  # similarity of the pair that placed it (1.0 for the pivot's own sentences)


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


@dataclass(slots=True)
class _Column:
    """A column while it is being built: a span per rendering."""

    cells: dict[int, Span] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Consensus:
    """The consensus document and where each column's representative text lies in it."""

    document: Document
    spans: tuple[Span, ...]  # consensus span of each column, in column order (sorted, disjoint)
    starts: tuple[int, ...]  # spans[i].start, for bisection


@dataclass(frozen=True, slots=True)
class _Piece:
    """A passage of the rendering being placed, meant for one column."""

    column: int
    span: Span
    score: float


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
    segmentations: list[Segmentation | None] = [None] * len(documents)
    own = [segment(d, options) for d in documents]
    chosen = choose_pivot(own) if pivot is None else pivot
    if not 0 <= chosen < len(documents):
        raise ValueError(f"pivot must be the index of one of the {len(documents)} documents, got {chosen}")
    segmentations = list(own)
    texts = [d.text for d in documents]
    columns = [_Column({chosen: s.span}, {chosen: 1.0}) for s in own[chosen].segments
               if s.role is SegmentRole.TEXT]
    order = [chosen, *(i for i in range(len(documents)) if i != chosen)]
    total = len(order) - 1
    for done, index in enumerate(order[1:], 1):
        consensus = _consensus(columns, texts, chosen)
        comparison = compare_documents(consensus.document, documents[index], options)
        columns = _place(columns, consensus, comparison, index, texts[index])
        if progress is not None:
            progress(done, total)
    frozen = tuple(
        Column(tuple(Cell(d, col.cells[d], col.scores[d]) for d in sorted(col.cells))) for col in columns
    )
    return MultipleAlignment(tuple(segmentations), frozen, chosen)


def _representative(column: _Column, pivot: int) -> int:
    return pivot if pivot in column.cells else min(column.cells)


def _consensus(columns: list[_Column], texts: list[str], pivot: int) -> _Consensus:
    """Join one rendering of each column, in column order, into one document."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    previous: tuple[int, Span] | None = None
    for column in columns:
        document = _representative(column, pivot)
        span = column.cells[document]
        if previous is not None:
            separator = " "
            if previous[0] == document and previous[1].end <= span.start:
                between = texts[document][previous[1].end : span.start]
                if not between.strip():
                    separator = between
                elif "\n\n" in between:
                    separator = "\n\n"
            parts.append(separator)
            position += len(separator)
        text = span.slice(texts[document])
        parts.append(text)
        spans.append(Span(position, position + len(text)))
        position += len(text)
        previous = (document, span)
    return _Consensus(Document("consensus", "".join(parts)), tuple(spans), tuple(s.start for s in spans))


def _covered_columns(consensus: _Consensus, span: Span) -> range:
    """Return the columns whose consensus text the span overlaps."""
    first = max(0, bisect_right(consensus.starts, span.start) - 1)
    if first < len(consensus.spans) and consensus.spans[first].end <= span.start:
        first += 1
    last = bisect_left(consensus.starts, span.end)
    return range(first, max(first, last))


def _project(pair: Pair, x: int) -> int:
    """Map an offset inside the pair's consensus passage to the rendering, through the word diff."""
    if x <= pair.a.start:
        return pair.b.start
    if x >= pair.a.end:
        return pair.b.end
    for op in pair.ops:
        if op.a.start <= x < op.a.end:
            share = (x - op.a.start) / len(op.a)
            return op.b.start + round(share * len(op.b))
    return pair.b.end  # unreachable when the ops tile the pair


def _word_starts(text: str, span: Span) -> list[int]:
    """Return the offsets inside ``span`` where a word starts after whitespace: the places a cut may fall."""
    return [m.start() for m in re.finditer(r"(?<=\s)\S", span.slice(text))]


def _snap(text: str, span: Span, target: int) -> int:
    """Move a cut to the strongest boundary (clause end, comma, word) within ``SNAP_WORDS`` words of ``target``."""
    starts = [span.start + s for s in _word_starts(text, span)]
    if not starts:
        return span.start if target - span.start < span.end - target else span.end
    nearest = min(range(len(starts)), key=lambda i: abs(starts[i] - target))
    window = starts[max(0, nearest - SNAP_WORDS) : nearest + SNAP_WORDS + 1]

    def strength(position: int) -> tuple[int, int]:
        before = text[span.start : position].rstrip()
        rank = 2 if _STRONG_END.search(before) else 1 if _WEAK_END.search(before) else 0
        return rank, -abs(position - target)

    return max(window, key=strength)


def _trim(text: str, start: int, end: int) -> Span | None:
    """Return ``[start, end)`` without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _pieces(pair: Pair, consensus: _Consensus, text: str) -> list[_Piece]:
    """Cut a pair's passage of the rendering at the column boundaries its consensus passage crosses."""
    covered = _covered_columns(consensus, pair.a)
    if not covered:
        return []
    cuts = [pair.b.start]
    for column in covered[1:]:
        target = _project(pair, consensus.spans[column].start)
        cuts.append(max(cuts[-1], _snap(text, pair.b, target)))
    cuts.append(pair.b.end)
    pieces = []
    for k, column in enumerate(covered):
        span = _trim(text, cuts[k], cuts[k + 1])
        if span is not None:
            pieces.append(_Piece(column, span, pair.score))
    return pieces


def _runs_by_column(pieces: list[_Piece]) -> dict[int, list[_Piece]]:
    """Keep, for each column, its heaviest run of pieces adjacent in the rendering's order."""
    ordered = sorted(pieces, key=lambda p: p.span)
    runs: dict[int, list[list[_Piece]]] = {}
    previous: int | None = None
    for piece in ordered:
        column_runs = runs.setdefault(piece.column, [])
        if previous == piece.column and column_runs:
            column_runs[-1].append(piece)
        else:
            column_runs.append([piece])
        previous = piece.column
    return {column: max(found, key=lambda run: sum(p.score * len(p.span) for p in run))
            for column, found in runs.items()}


def _place(columns: list[_Column], consensus: _Consensus, comparison: Comparison, index: int,
           text: str) -> list[_Column]:
    """Put the rendering ``index`` into the columns, adding columns for the statements none holds."""
    pieces = [piece for pair in comparison.pairs for piece in _pieces(pair, consensus, text)]
    cells: dict[int, tuple[Span, float]] = {}
    for column, run in _runs_by_column(pieces).items():
        span = run[0].span.cover(run[-1].span)
        score = sum(p.score * len(p.span) for p in run) / sum(len(p.span) for p in run)
        cells[column] = (span, score)
    inserted = _fill_gaps(cells, comparison, text, len(columns))
    result: list[_Column] = []
    for position in range(len(columns) + 1):
        for span in inserted.get(position, []):
            result.append(_Column({index: span}, {index: 0.0}))
        if position == len(columns):
            break
        column = columns[position]
        if position in cells:
            column.cells[index], column.scores[index] = cells[position]
        result.append(column)
    return result


def _fill_gaps(cells: dict[int, tuple[Span, float]], comparison: Comparison, text: str,
               n_columns: int) -> dict[int, list[Span]]:
    """Place the rendering's text that no pair holds; return new columns to insert before each position.

    In parallel texts a gap between the rendering's passages in columns
    ``a`` and ``b`` fills the columns between them that it lacks, its
    sentences shared out by length; otherwise (or when no column lies
    between) its whole sentences become new columns and the ends of
    sentences already placed join their cells.
    """
    segments = [s for s in comparison.b.segments if s.role is SegmentRole.TEXT]
    placed = sorted((span.start, span.end, column) for column, (span, _) in cells.items())
    inserted: dict[int, list[Span]] = {}
    bounds = [(-1, 0, -1)] + [(s, e, c) for s, e, c in placed] + [(len(text), len(text), n_columns)]
    for (_, gap_start, left), (gap_end, _, right) in zip(bounds, bounds[1:], strict=False):
        if gap_end <= gap_start or not text[gap_start:gap_end].strip():
            continue
        inside = [s.span for s in segments if gap_start <= s.span.start and s.span.end <= gap_end]
        between = [c for c in range(left + 1, right) if c not in cells]
        if comparison.parallel and between and inside and right > left:
            for column, span in _share_out(inside, between):
                cells[column] = (span, 0.0)
            continue
        if comparison.parallel:
            _extend_into(cells, left, right, segments, gap_start, gap_end, text)
        if inside:
            inserted.setdefault(left + 1 if right > left else n_columns, []).extend(inside)
    return inserted


def _extend_into(cells: dict[int, tuple[Span, float]], left: int, right: int, segments: list[Segment],
                 gap_start: int, gap_end: int, text: str) -> None:
    """Let the cells on either side of a gap take the rest of the sentences they end or start in it."""
    for column, edge in ((left, gap_start), (right, gap_end)):
        if column not in cells:
            continue
        span, score = cells[column]
        for sentence in segments:
            if column == left and sentence.span.start < edge < sentence.span.end <= gap_end:
                cells[column] = (Span(span.start, sentence.span.end), score)
            elif column == right and gap_start <= sentence.span.start < edge < sentence.span.end:
                cells[column] = (Span(sentence.span.start, span.end), score)


def _share_out(sentences: list[Span], columns: list[int]) -> list[tuple[int, Span]]:
    """Share consecutive sentences out to consecutive columns in proportion to their lengths."""
    if len(columns) == 1 or len(sentences) == 1:
        return [(columns[0], sentences[0].cover(sentences[-1]))]
    total = sum(len(s) for s in sentences)
    result: list[tuple[int, Span]] = []
    groups: dict[int, list[Span]] = {}
    seen = 0
    for sentence in sentences:
        middle = seen + len(sentence) / 2
        seen += len(sentence)
        groups.setdefault(columns[min(len(columns) - 1, int(middle / total * len(columns)))], []).append(sentence)
    for column in columns:
        if column in groups:
            result.append((column, groups[column][0].cover(groups[column][-1])))
    return result
