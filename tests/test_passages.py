from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from compare import Document, compare_documents, segment
from compare.calibration import default_model
from compare.model import DiffOp, OpTag, Pair, PairKind, Segmentation, Span
from compare.passages import find_passages

COSTS = replace(default_model().costs, passage_gap=1.0, ordered_gap=4.0, copy_gap=0.5, whole_share=0.6,
                passage_slack=0.05)


def text_of(length: int) -> Segmentation:
    """A segmented document of ``length`` characters, words of five letters with no space between: one segment."""
    return segment(Document("d", ("words." * (length // 6 + 1))[:length]))


LONG = text_of(10_000)


def pair(a0: int, a1: int, b0: int, b1: int, copied: bool = False, moved: bool = False) -> Pair:
    """A pair whose diff is one equal op (a copy) or mostly replacements between two equal words (a rewording)."""
    if copied:
        ops: tuple[DiffOp, ...] = (DiffOp(OpTag.EQUAL, Span(a0, a1), Span(b0, b1)),)
    else:
        ops = (DiffOp(OpTag.EQUAL, Span(a0, a0 + 2), Span(b0, b0 + 2)),
               DiffOp(OpTag.REPLACE, Span(a0 + 2, a1 - 2), Span(b0 + 2, b1 - 2)),
               DiffOp(OpTag.EQUAL, Span(a1 - 2, a1), Span(b1 - 2, b1)))
    return Pair(Span(a0, a1), Span(b0, b1), PairKind.VARIANT, 0.9, moved, ops, (), ())


def test_pairs_close_in_both_documents_form_one_passage_and_far_ones_do_not() -> None:
    pairs = [pair(0, 100, 0, 100), pair(150, 250, 160, 260), pair(2000, 2100, 5000, 5100)]
    passages = find_passages(pairs, LONG, LONG, COSTS)
    assert [p.pairs for p in passages] == [(0, 1), (2,)]
    assert passages[0].a == Span(0, 250) and passages[0].b == Span(0, 260)


def test_a_passage_runs_from_the_first_word_its_pairs_share_to_the_last() -> None:
    copy_inside = Pair(Span(0, 100), Span(0, 60), PairKind.PARTIAL, 0.9, False,
                       (DiffOp(OpTag.DELETE, Span(0, 40), Span(0, 0)), DiffOp(OpTag.EQUAL, Span(40, 100), Span(0, 60))),
                       (), ())
    assert [(p.a, p.b) for p in find_passages([copy_inside], LONG, LONG, COSTS)] == [(Span(40, 100), Span(0, 60))]


def test_a_summary_stretches_one_side_when_the_order_is_kept() -> None:
    # A's sentences follow each other; their counterparts lie far apart, in order: a summary of B.
    summary = [pair(0, 100, 0, 100), pair(101, 200, 380, 480), pair(201, 300, 800, 900)]
    assert [p.pairs for p in find_passages(summary, LONG, LONG, COSTS)] == [(0, 1, 2)]
    crossing = [pair(0, 100, 800, 900), pair(101, 200, 380, 480), pair(201, 300, 0, 100)]
    assert len(find_passages(crossing, LONG, LONG, COSTS)) == 3


def test_a_stretch_is_measured_across_the_text_that_holds_no_pair() -> None:
    # The last pair lies close to the long first pair in B and within the stretch of its length in A, but the
    # text before it in A that holds no pair is 700 characters after two short pairs: a passage of its own.
    run = [pair(0, 200, 0, 200), pair(201, 250, 201, 250), pair(251, 300, 251, 300)]
    assert [p.pairs for p in find_passages([*run, pair(1000, 1050, 310, 360)], LONG, LONG, COSTS)] == [
        (0, 1, 2), (3,)]
    assert [p.pairs for p in find_passages([*run, pair(400, 450, 310, 360)], LONG, LONG, COSTS)] == [(0, 1, 2, 3)]


def test_two_copies_apart_are_two_passages() -> None:
    copies = [pair(0, 100, 0, 100, copied=True), pair(101, 200, 380, 480, copied=True)]
    assert len(find_passages(copies, LONG, LONG, COSTS)) == 2
    adjacent = [pair(0, 100, 0, 100, copied=True), pair(101, 200, 101, 200, copied=True)]
    assert len(find_passages(adjacent, LONG, LONG, COSTS)) == 1


def test_a_rendering_of_the_whole_documents_is_cut_where_one_linear_map_stops_fitting() -> None:
    # Every sentence is rendered; the fourth is twice as long in B, so one map no longer places them all.
    pairs = [pair(0, 100, 0, 100), pair(100, 200, 100, 200), pair(200, 300, 200, 300), pair(300, 400, 300, 500)]
    passages = find_passages(pairs, text_of(400), text_of(500), COSTS)
    assert [p.pairs for p in passages] == [(0, 1, 2), (3,)]
    assert passages[0].a == Span(0, 300)  # pieces of a whole rendering keep their sentence bounds


spans = st.tuples(st.integers(0, 3000), st.integers(1, 300), st.integers(0, 3000), st.integers(1, 300), st.booleans())


@given(st.lists(spans, max_size=12))
def test_every_pair_lies_in_exactly_one_passage_inside_their_cover(items: list[tuple[int, int, int, int, bool]]
                                                                   ) -> None:
    pairs = sorted((pair(a, a + la, b, b + lb, copied=c) for a, la, b, lb, c in items if la > 4 and lb > 4),
                   key=lambda p: (p.a, p.b))
    passages = find_passages(pairs, text_of(3300), text_of(3300), COSTS)
    members = sorted(k for p in passages for k in p.pairs)
    assert members == list(range(len(pairs)))
    for passage in passages:
        cover_a = (min(pairs[k].a.start for k in passage.pairs), max(pairs[k].a.end for k in passage.pairs))
        cover_b = (min(pairs[k].b.start for k in passage.pairs), max(pairs[k].b.end for k in passage.pairs))
        assert cover_a[0] <= passage.a.start <= passage.a.end <= cover_a[1]
        assert cover_b[0] <= passage.b.start <= passage.b.end <= cover_b[1]


def test_comparison_passages_refer_to_its_pairs(seeds: dict[str, Document]) -> None:
    result = compare_documents(seeds["002"], seeds["004"])
    assert sorted(k for p in result.passages for k in p.pairs) == list(range(len(result.pairs)))
    for passage in result.passages:
        assert all(passage.a.overlaps(result.pairs[k].a) for k in passage.pairs)
