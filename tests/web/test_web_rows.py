"""The row layout: each column reads as its document, every character shown once, in order."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import pytest

from compare import Comparison, Document, Granularity, Options, Span, compare_documents, read_document
from web.changes import summarize
from web.rows import Row, anchor_at, layout, pieces_of

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@cache
def seed(index: int) -> Document:
    return read_document(SEEDS[index])


@cache
def seed_comparison(a: int, b: int, granularity: Granularity) -> Comparison:
    return compare_documents(seed(a), seed(b), Options(granularity=granularity))


def column_text(rows: list[Row], side: str) -> str:
    cells = [getattr(row, side) for row in rows]
    return "".join(p.text for c in cells if c is not None and not c.placeholder for p in c.pieces)


def squeeze(text: str) -> str:
    return "".join(text.split())


SEED_PAIRS = [(a, b) for a, b in itertools.permutations(range(5), 2)]


@pytest.mark.parametrize("granularity", list(Granularity))
@pytest.mark.parametrize(("a", "b"), SEED_PAIRS)
def test_each_column_shows_its_document_once_in_order(a: int, b: int, granularity: Granularity) -> None:
    comparison = seed_comparison(a, b, granularity)
    rows = layout(comparison)
    assert squeeze(column_text(rows, "a")) == squeeze(comparison.a.document.text)
    assert squeeze(column_text(rows, "b")) == squeeze(comparison.b.document.text)


@pytest.mark.parametrize(("a", "b"), SEED_PAIRS)
def test_every_pair_is_reachable_and_links_resolve(a: int, b: int) -> None:
    rows = layout(seed_comparison(a, b, Granularity.SENTENCE))
    cells = [c for row in rows for c in (row.a, row.b) if c is not None]
    anchors = [c.anchor for c in cells]
    assert len(anchors) == len(set(anchors)), "anchors are unique element ids"
    for cell in cells:
        for link in cell.links:
            assert link in anchors, f"{cell.anchor} links to missing {link}"
    shown_pairs = {i for c in cells for i in c.pairs}
    assert shown_pairs == set(range(len(seed_comparison(a, b, Granularity.SENTENCE).pairs)))


def test_moved_rows_pair_a_passage_with_a_marker() -> None:
    comparison = seed_comparison(2, 4, Granularity.SENTENCE)
    moved_rows = [row for row in layout(comparison) if row.moved]
    assert moved_rows, "the seeds 002/004 have moved passages"
    for row in moved_rows:
        assert row.a is not None and row.b is not None
        assert row.a.placeholder != row.b.placeholder
        passage = row.b if row.a.placeholder else row.a
        marker = row.a if row.a.placeholder else row.b
        assert passage.moved and passage.links and marker.links


def test_identical_documents_are_all_verbatim() -> None:
    comparison = compare_documents(seed(0), seed(0))
    rows = layout(comparison)
    assert all(row.kind in ("verbatim", "boilerplate") for row in rows)
    assert all(row.identical for row in rows if row.kind == "verbatim")
    assert summarize(comparison, rows).shared_a == pytest.approx(1.0)


def test_pieces_mark_only_changed_words() -> None:
    comparison = compare_documents(
        Document("a", "The quick brown fox jumps."), Document("b", "The quick red fox jumps.")
    )
    (pair,) = comparison.pairs
    a = [(p.mark, p.text) for p in pieces_of(pair, "a", comparison.a.document.text)]
    b = [(p.mark, p.text) for p in pieces_of(pair, "b", comparison.b.document.text)]
    assert ("del", "brown") in a and ("ins", "red") in b
    assert "".join(t for _, t in a) == "The quick brown fox jumps."
    assert "".join(t for _, t in b) == "The quick red fox jumps."


def test_markup_left_between_segments_shows_as_page_noise() -> None:
    a = Document("a", "A plain opening sentence about rivers.")
    b = Document("b", "**A plain opening sentence about rivers.** Another sentence about mountains.")
    rows = layout(compare_documents(a, b))
    cells = [row.b for row in rows if row.b is not None and row.a is None]
    stray = [c for c in cells if "".join(p.text for p in c.pieces).strip() == "**"]
    assert stray and all(c.dim for c in stray)
    assert any("mountains" in "".join(p.text for p in c.pieces) and not c.dim for c in cells)


def test_pair_rows_carry_their_edits_and_segments() -> None:
    a = Document("a", "The river rose in the night. Nobody slept in the town. The bridge held.")
    b = Document("b", "The river rose in the night. Nobody slept in the village. The bridge held.")
    comparison = compare_documents(a, b)
    rows = layout(comparison)
    pair_rows = [row for row in rows if row.pair is not None]
    assert pair_rows and all(row.edits == comparison.pairs[row.pair].edits for row in pair_rows)
    assert sum(row.edits for row in pair_rows) == comparison.edits >= 1
    assert all(row.segments == max(len(comparison.pairs[row.pair].a_segments),
                                   len(comparison.pairs[row.pair].b_segments)) for row in pair_rows)


def test_a_link_to_a_passage_lands_on_its_first_row() -> None:
    comparison = seed_comparison(2, 4, Granularity.SENTENCE)
    rows = layout(comparison)
    cells = sorted((c for row in rows for c in [row.a] if c is not None and c.span is not None),
                   key=lambda c: c.span.start)  # type: ignore[union-attr]
    first, second, third = cells[3], cells[4], cells[5]
    assert first.span is not None and third.span is not None
    passage = Span(first.span.start + 1, third.span.end)  # most of it lies in the later rows
    assert anchor_at(rows, "a", passage) == first.anchor
    assert anchor_at(rows, "a", Span(len(comparison.a.document.text) + 5, len(comparison.a.document.text) + 9)) is None
    assert second.anchor != first.anchor


def test_paired_page_noise_stays_dimmed() -> None:
    import dataclasses

    from compare import Pair, PairKind, SegmentRole, diff_words, segment

    text = "Type to search\n\nThe river rose in the night.\n\nShare this article"
    document = Document("noisy", text)
    parts = segment(document)
    assert [s.role for s in parts.segments] == [SegmentRole.BOILERPLATE, SegmentRole.TEXT, SegmentRole.BOILERPLATE]
    pairs = tuple(Pair(s.span, s.span, PairKind.VERBATIM, 1.0, False, diff_words(text, text, s.span, s.span),
                       (s.index,), (s.index,)) for s in parts.segments)  # as an engine that pairs noise gives it
    itself = compare_documents(document, document)
    rows = layout(dataclasses.replace(itself, a=parts, b=parts, pairs=pairs, a_only=(), b_only=()))
    assert [(row.kind, row.a.dim, row.b.dim) for row in rows if row.a and row.b] == [
        ("verbatim", True, True), ("verbatim", False, False), ("verbatim", True, True)]
