"""Lay a comparison out as rows of two cells, the way the compare page shows it.

Each column reads as its own document, in its own order, with every character
shown exactly once: a pair on the shared order sits in one row with both
passages; a moved pair shows at its place in A (against a marker pointing at B)
and again at its place in B (against a marker pointing back); text that only
one side has sits against an empty cell.  Between two pairs on the shared order
the rows of A's own passages come first, then those of B.

This module only arranges; it knows nothing of HTML.  Inside a passage the text
is cut into pieces marked ``same``, ``del`` (only in A) or ``ins`` (only in B);
the template macro in ``_diff.html`` is the only place that turns marks into markup.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from compare import Comparison, OpTag, Pair, PairKind, Segmentation, SegmentRole, Span

Side = Literal["a", "b"]
Mark = Literal["same", "del", "ins"]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a passage's text and how it differs from the other side."""

    mark: Mark
    text: str


@dataclass(frozen=True, slots=True)
class Cell:
    """One side of a row: a passage, or a marker for a moved passage shown elsewhere.

    ``anchor`` is the element id of this passage; ``links`` are the anchors of
    its counterparts that sit in other rows (moved passages); ``pairs`` are the
    indices in ``Comparison.pairs`` of every pair the passage belongs to.
    """

    side: Side
    pieces: tuple[Piece, ...]
    anchor: str
    links: tuple[str, ...] = ()
    pairs: tuple[int, ...] = ()
    moved: bool = False  # the passage is a moved pair's end, shown at its own place
    dim: bool = False  # page noise (boilerplate)
    placeholder: bool = False  # marks where a moved passage's counterpart sits: ``links[0]``
    span: Span | None = None  # the passage's offsets in its document (None for a marker)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the view: the two cells side by side.

    ``edits`` counts the changed word runs of the row's pair (0 for one-sided
    text); ``segments`` how many segments the row stands for (a pair of runs of
    sentences counts each sentence), so a folded run can say how many it holds.
    ``change`` numbers the change the row belongs to (0: none) and ``stop``
    marks the row where navigation to that change lands (see ``web.changes``).
    """

    kind: str  # verbatim, variant, partial, a-only, b-only, boilerplate, moved
    a: Cell | None
    b: Cell | None
    moved: bool = False
    score: float | None = None
    paragraph_start: bool = False  # the row opens a new paragraph on some side
    edits: int = 0
    segments: int = 1
    pair: int | None = None  # the index in ``Comparison.pairs`` of the row's pair, if it shows one
    change: int = 0
    stop: bool = False

    @property
    def identical(self) -> bool:
        """Tell whether the row is a pair on the shared order with no edit (what *Hide identical* hides)."""
        return self.kind in PAIR_KINDS and not self.moved and self.edits == 0

    @property
    def one_sided(self) -> bool:
        """Tell whether the row holds text (or page noise) of one side only."""
        return self.kind in ONE_SIDED_KINDS


PAIR_KINDS = frozenset(kind.value for kind in PairKind)
ONE_SIDED_KINDS = frozenset({"a-only", "b-only", "boilerplate"})


def pieces_of(pair: Pair, side: Side, text: str) -> tuple[Piece, ...]:
    """Cut one side of a pair into marked pieces following its word diff.

    Text of the passage that no operation covers is shown unmarked, so nothing
    is lost even if the diff covers less than the passage.

    >>> from compare import DiffOp
    >>> pair = Pair(Span(0, 9), Span(0, 10), PairKind.VARIANT, 0.8, False,
    ...             (DiffOp(OpTag.EQUAL, Span(0, 4), Span(0, 4)),
    ...              DiffOp(OpTag.REPLACE, Span(4, 9), Span(4, 10))), (0,), (0,))
    >>> [(p.mark, p.text) for p in pieces_of(pair, "a", "The quick")]
    [('same', 'The '), ('del', 'quick')]
    >>> [(p.mark, p.text) for p in pieces_of(pair, "b", "The quick!")]
    [('same', 'The '), ('ins', 'quick!')]

    Whitespace around a change stays unmarked, so marks hug the words.
    """
    passage = pair.a if side == "a" else pair.b
    changed: Mark = "del" if side == "a" else "ins"
    pieces: list[Piece] = []
    cursor = passage.start
    spans = sorted(
        ((op.a if side == "a" else op.b), op.tag) for op in pair.ops if len(op.a if side == "a" else op.b)
    )
    for span, tag in spans:
        start, end = max(span.start, cursor), min(span.end, passage.end)
        if start >= end:
            continue
        if start > cursor:
            pieces.append(Piece("same", text[cursor:start]))
        pieces.append(Piece("same" if tag is OpTag.EQUAL else changed, text[start:end]))
        cursor = end
    if cursor < passage.end:
        pieces.append(Piece("same", text[cursor : passage.end]))
    return _merged(pieces)


def _unmark_edges(piece: Piece) -> list[Piece]:
    """Move a changed piece's surrounding whitespace out of it, so marks hug the words."""
    if piece.mark == "same":
        return [piece]
    core = piece.text.strip()
    if not core:
        return [Piece("same", piece.text)] if piece.text.isspace() else [piece]
    start = piece.text.index(core)
    return [
        Piece("same", piece.text[:start]),
        Piece(piece.mark, core),
        Piece("same", piece.text[start + len(core) :]),
    ]


def _merged(pieces: Iterable[Piece]) -> tuple[Piece, ...]:
    merged: list[Piece] = []
    for piece in (part for whole in pieces for part in _unmark_edges(whole)):
        if not piece.text:
            continue
        if merged and merged[-1].mark == piece.mark:
            merged[-1] = Piece(piece.mark, merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class _Item:
    """A passage of one side that is not on the shared order: one-sided or a moved pair's end."""

    span: Span
    paragraph: int
    role: SegmentRole = SegmentRole.TEXT
    pair: int | None = None


def _subtract(span: Span, covered: Sequence[Span]) -> list[Span]:
    """Return the parts of ``span`` outside the sorted spans ``covered``."""
    parts, cursor = [], span.start
    for other in covered:
        if other.end <= cursor or other.start >= span.end:
            continue
        if other.start > cursor:
            parts.append(Span(cursor, other.start))
        cursor = max(cursor, other.end)
    if cursor < span.end:
        parts.append(Span(cursor, span.end))
    return parts


def _trimmed(span: Span, text: str) -> Span | None:
    """Return the span without surrounding whitespace, or None if it is all whitespace."""
    part = span.slice(text)
    stripped = part.strip()
    if not stripped:
        return None
    start = span.start + (len(part) - len(part.lstrip()))
    return Span(start, start + len(stripped))


class _Passages:
    """Passages of one side (spans and their anchors) sorted by start, to find fast those a span overlaps.

    Layouts of long documents ask this for every segment and every moved pair,
    so a scan of all passages per question would make the layout quadratic.
    """

    def __init__(self, passages: Iterable[tuple[Span, str]] = ()) -> None:
        self.items = sorted(passages)
        self.starts = [span.start for span, _ in self.items]
        self.longest = max((len(span) for span, _ in self.items), default=0)

    def add(self, span: Span, anchor: str) -> None:
        """Add a passage, keeping the order."""
        at = bisect.bisect_right(self.starts, span.start)
        self.items.insert(at, (span, anchor))
        self.starts.insert(at, span.start)
        self.longest = max(self.longest, len(span))

    def overlapping(self, span: Span) -> list[tuple[Span, str]]:
        """Return the passages sharing a character with ``span``, in order."""
        low = bisect.bisect_left(self.starts, span.start - self.longest)
        high = bisect.bisect_left(self.starts, span.end)
        return [item for item in self.items[low:high] if item[0].overlaps(span)]


def _paragraph_at(segmentation: Segmentation, offset: int) -> int:
    at = bisect.bisect_right([paragraph.start for paragraph in segmentation.paragraphs], offset) - 1
    if at >= 0 and offset < segmentation.paragraphs[at].end:
        return at
    return -1


def _unpaired(segmentation: Segmentation, pair_spans: Sequence[Span]) -> list[_Item]:
    """Return the text of one side that no pair covers, by segment, plus any text between segments."""
    text = segmentation.document.text
    covered = _Passages((span, "") for span in pair_spans)
    items = []
    for segment in segmentation.segments:
        for part in _subtract(segment.span, [span for span, _ in covered.overlapping(segment.span)]):
            trimmed = _trimmed(part, text)
            if trimmed is not None:
                items.append(_Item(trimmed, segment.paragraph, segment.role))
    # Text outside every segment and pair (markup the segmenter left out, such as a stray "**")
    # is still shown; with no letter or digit in it, it is shown as page noise.
    units = sorted([*pair_spans, *(segment.span for segment in segmentation.segments)])
    for part in _subtract(Span(0, len(text)), units):
        trimmed = _trimmed(part, text)
        if trimmed is not None:
            debris = not any(ch.isalnum() for ch in trimmed.slice(text))
            role = SegmentRole.BOILERPLATE if debris else SegmentRole.TEXT
            items.append(_Item(trimmed, _paragraph_at(segmentation, trimmed.start), role))
    return items


def _pair_paragraph(segmentation: Segmentation, indices: Sequence[int], span: Span) -> int:
    segments = segmentation.segments
    for index in indices:
        if 0 <= index < len(segments) and segments[index].index == index:  # segments sit at their index
            return segments[index].paragraph
    return _paragraph_at(segmentation, span.start)


def _host(span: Span, shown: _Passages, text: str) -> str | None:
    """Return the anchor of the shown passage that already holds ``span``'s text, if one does.

    A moved pair may reuse a passage that another pair shows (one sentence of A
    copied to several places of B): its text is then not shown a second time.
    """
    near = shown.overlapping(span)
    rest = _subtract(span, sorted(other for other, _ in near))
    if any(_trimmed(part, text) is not None for part in rest):
        return None
    overlaps = [(min(span.end, other.end) - max(span.start, other.start), anchor) for other, anchor in near]
    best = max(overlaps, default=(0, ""))
    return best[1] if best[0] > 0 else None


def layout(comparison: Comparison) -> list[Row]:
    """Return the rows of the compare view, in reading order of both columns."""
    text = {"a": comparison.a.document.text, "b": comparison.b.document.text}
    pairs = comparison.pairs
    backbone = sorted((i for i, p in enumerate(pairs) if not p.moved), key=lambda i: (pairs[i].a, pairs[i].b))
    moved = [i for i, p in enumerate(pairs) if p.moved]
    sides: tuple[tuple[Side, Segmentation], ...] = (("a", comparison.a), ("b", comparison.b))

    def span_of(i: int, side: Side) -> Span:
        return pairs[i].a if side == "a" else pairs[i].b

    # Where each pair's passage is shown on each side, and what else each shown passage stands for.
    anchor_of: dict[tuple[Side, int], str] = {}
    hosted: dict[str, list[int]] = {}
    shown_moved: dict[Side, list[int]] = {"a": [], "b": []}
    for side, _ in sides:
        shown = _Passages((span_of(i, side), f"p{i}-{side}") for i in backbone)
        anchor_of.update({(side, i): f"p{i}-{side}" for i in backbone})
        for i in sorted(moved, key=lambda i: span_of(i, side)):
            host = _host(span_of(i, side), shown, text[side])
            if host is None:
                host = f"p{i}-{side}"
                shown.add(span_of(i, side), host)
                shown_moved[side].append(i)
            else:
                hosted.setdefault(host, []).append(i)
            anchor_of[(side, i)] = host

    noise = {side: {s.index for s in segmentation.segments if s.role is SegmentRole.BOILERPLATE}
             for side, segmentation in sides}

    def passage(i: int, side: Side) -> Cell:
        other: Side = "b" if side == "a" else "a"
        anchor = f"p{i}-{side}"
        members = (i, *hosted.get(anchor, ()))
        same_row = None if pairs[i].moved else anchor_of[(other, i)]  # the counterpart beside it
        links = (anchor_of[(other, j)] for j in members)
        segments = pairs[i].a_segments if side == "a" else pairs[i].b_segments
        return Cell(side, pieces_of(pairs[i], side, text[side]), anchor,
                    links=tuple(dict.fromkeys(link for link in links if link != same_row)), pairs=members,
                    moved=pairs[i].moved, dim=bool(segments) and all(j in noise[side] for j in segments),
                    span=span_of(i, side))

    def pair_row(kind: str, i: int, a: Cell, b: Cell) -> Row:
        pair = pairs[i]
        return Row(kind, a, b, moved=pair.moved, score=pair.score, edits=pair.edits,
                   segments=max(len(pair.a_segments), len(pair.b_segments), 1), pair=i)

    side_items: dict[Side, list[_Item]] = {}
    for side, segmentation in sides:
        items = _unpaired(segmentation, [span_of(i, side) for i in range(len(pairs))])
        for i in shown_moved[side]:
            indices, span = (pairs[i].a_segments if side == "a" else pairs[i].b_segments), span_of(i, side)
            items.append(_Item(span, _pair_paragraph(segmentation, indices, span), pair=i))
        items.sort(key=lambda item: (item.span.start, item.span.end))
        side_items[side] = items

    def one_sided(side: Side, item: _Item) -> Row:
        if item.pair is not None:
            i = item.pair
            other: Side = "b" if side == "a" else "a"
            cell = passage(i, side)
            target = anchor_of[(other, i)]
            marker = Cell(other, (), f"p{i}-{side}-marker", links=(target,), pairs=(i,), placeholder=True)
            a, b = (cell, marker) if side == "a" else (marker, cell)
            return pair_row("moved", i, a, b)
        dim = item.role is SegmentRole.BOILERPLATE
        cell = Cell(side, (Piece("same", item.span.slice(text[side])),), f"{side}{item.span.start}", dim=dim,
                    span=item.span)
        kind = "boilerplate" if dim else f"{side}-only"
        return Row(kind, cell, None) if side == "a" else Row(kind, None, cell)

    rows: list[tuple[Row, int, int]] = []  # with the paragraphs of A and B the row belongs to

    next_item: dict[Side, int] = {"a": 0, "b": 0}

    def flush(side: Side, before: int | None) -> None:
        items = side_items[side]
        while next_item[side] < len(items) and (before is None or items[next_item[side]].span.start < before):
            item = items[next_item[side]]
            next_item[side] += 1
            rows.append((one_sided(side, item), item.paragraph if side == "a" else -2,
                         item.paragraph if side == "b" else -2))

    def noise_row(item_a: _Item, item_b: _Item) -> None:
        def cell(side: Side, item: _Item) -> Cell:
            return Cell(side, (Piece("same", item.span.slice(text[side])),), f"{side}{item.span.start}", dim=True,
                        span=item.span)

        rows.append((Row("boilerplate", cell("a", item_a), cell("b", item_b)), item_a.paragraph, item_b.paragraph))

    def flush_both(before_a: int | None, before_b: int | None) -> None:
        """Flush both sides up to a pair; the same page noise on both (a site's menu) shares one row."""
        bounds: tuple[tuple[Side, int | None], ...] = (("a", before_a), ("b", before_b))
        pending = {side: [k for k in range(next_item[side], len(side_items[side]))
                          if before is None or side_items[side][k].span.start < before] for side, before in bounds}
        keys = {side: [_noise_key(side_items[side][k], text[side]) or (side, k) for k in pending[side]]
                for side, _ in bounds}
        matcher = difflib.SequenceMatcher(None, keys["a"], keys["b"], autojunk=False)
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                k_a, k_b = pending["a"][block.a + offset], pending["b"][block.b + offset]
                flush("a", side_items["a"][k_a].span.start)
                flush("b", side_items["b"][k_b].span.start)
                noise_row(side_items["a"][k_a], side_items["b"][k_b])
                next_item["a"], next_item["b"] = k_a + 1, k_b + 1
        flush("a", before_a)
        flush("b", before_b)

    for i in backbone:
        pair = pairs[i]
        flush_both(pair.a.start, pair.b.start)
        rows.append((pair_row(pair.kind.value, i, passage(i, "a"), passage(i, "b")),
                     _pair_paragraph(comparison.a, pair.a_segments, pair.a),
                     _pair_paragraph(comparison.b, pair.b_segments, pair.b)))
    flush_both(None, None)
    return _mark_paragraphs(rows)


def _noise_key(item: _Item, text: str) -> str | None:
    """Return what a one-sided item of page noise says (spacing aside), or None for anything else."""
    if item.role is not SegmentRole.BOILERPLATE or item.pair is not None:
        return None
    return " ".join(item.span.slice(text).split())


def _mark_paragraphs(rows: Sequence[tuple[Row, int, int]]) -> list[Row]:
    """Mark the rows that open a new paragraph on some side (the first row opens none)."""
    result: list[Row] = []
    last = {"a": -1, "b": -1}
    for row, paragraph_a, paragraph_b in rows:
        starts = False
        for side, paragraph in (("a", paragraph_a), ("b", paragraph_b)):
            if paragraph != -2:
                starts = starts or (paragraph != last[side] and bool(result))
                last[side] = paragraph
        result.append(dataclasses.replace(row, paragraph_start=starts))
    return result


def anchor_at(rows: Iterable[Row], side: Side, span: Span) -> str | None:
    """Return the anchor of the first passage of ``side`` that overlaps ``span``, or None if none does.

    A link names a passage by its offsets; it lands where that passage starts,
    even when the passage runs over many rows (a long copied stretch).
    """
    first: tuple[int, str] | None = None
    for row in rows:
        cell = row.a if side == "a" else row.b
        if cell is None or cell.span is None or not cell.span.overlaps(span):
            continue
        if first is None or cell.span.start < first[0]:
            first = (cell.span.start, cell.anchor)
    return first[1] if first else None
