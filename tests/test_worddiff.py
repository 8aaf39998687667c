"""Tests for compare.worddiff: the word diff and its readability cleanup."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compare.model import DiffOp, OpTag, Span
from compare.normalize import fold
from compare.worddiff import _tokenize, diff_words

WORD_CHAR = re.compile(r"\w")


Row = tuple[str, str, str]


def rows(a_text: str, b_text: str, a: Span | None = None, b: Span | None = None) -> list[Row]:
    """Return the diff as (tag, a text, b text) rows, easy to compare with literals."""
    ops = diff_words(a_text, b_text, a, b)
    return [(op.tag.value, op.a.slice(a_text), op.b.slice(b_text)) for op in ops]


def mirror(op: DiffOp) -> DiffOp:
    """Return the operation seen from the other side."""
    swapped = {OpTag.INSERT: OpTag.DELETE, OpTag.DELETE: OpTag.INSERT}
    return DiffOp(swapped.get(op.tag, op.tag), op.b, op.a)


# --- examples -----------------------------------------------------------------


def test_word_change_and_dropped_comma() -> None:
    assert rows("innovative leadership, and moral appeal", "innovation leadership and moral appeal") == [
        ("replace", "innovative", "innovation"),
        ("equal", " leadership", " leadership"),
        ("delete", ",", ""),
        ("equal", " and moral appeal", " and moral appeal"),
    ]


def test_case_quotes_and_spacing_are_equal() -> None:
    a_text, b_text = "China’s  “Major‑Country” ROLE", "china's \"major-country\"\r\nrole"
    assert rows(a_text, b_text) == [("equal", a_text, b_text)]


def test_stemming_is_not_applied() -> None:
    assert rows("the cats", "the cat") == [("equal", "the ", "the "), ("replace", "cats", "cat")]


def test_moved_words_show_as_insert_and_delete() -> None:
    assert rows("a b c d e", "d e a b c") == [
        ("insert", "", "d e "),
        ("equal", "a b c", "a b c"),
        ("delete", " d e", ""),
    ]


def test_confetti_between_edits_is_merged() -> None:
    assert rows("the red big dog", "the big red dog") == [
        ("equal", "the ", "the "),
        ("replace", "red big", "big red"),
        ("equal", " dog", " dog"),
    ]


def test_long_equality_between_edits_is_kept() -> None:
    assert rows("my wonderful cat sat", "her wonderful cat ran") == [
        ("replace", "my", "her"),
        ("equal", " wonderful cat ", " wonderful cat "),
        ("replace", "sat", "ran"),
    ]


@pytest.mark.parametrize(
    ("a_text", "b_text", "expected"),
    [
        ("x del y", "x y", [("equal", "x ", "x "), ("delete", "del ", ""), ("equal", "y", "y")]),
        ("x del", "x", [("equal", "x", "x"), ("delete", " del", "")]),
        ("del x", "x", [("delete", "del ", ""), ("equal", "x", "x")]),
        ("x del.", "x.", [("equal", "x", "x"), ("delete", " del", ""), ("equal", ".", ".")]),
        ("a, b", "a, c, b", [("equal", "a, ", "a, "), ("insert", "", "c, "), ("equal", "b", "b")]),
        ("word, next", "word and next", [("equal", "word", "word"), ("replace", ",", " and"),
                                         ("equal", " next", " next")]),
        ("a\r\nb", "a\nc", [("equal", "a\r\n", "a\n"), ("replace", "b", "c")]),
    ],
)
def test_whitespace_goes_where_equal_text_reads_alike(
    a_text: str, b_text: str, expected: list[Row]
) -> None:
    assert rows(a_text, b_text) == expected


def test_ambiguous_deletion_slides_to_a_natural_place() -> None:
    assert rows("the cat and the dog", "the dog") == [
        ("delete", "the cat and ", ""),
        ("equal", "the dog", "the dog"),
    ]


def test_edits_never_cut_a_word() -> None:
    assert rows("understand", "understood") == [("replace", "understand", "understood")]
    assert rows("cafe\u0301 noir", "cafe\u0301s noir") == [
        ("replace", "cafe\u0301", "cafe\u0301s"),
        ("equal", " noir", " noir"),
    ]


def test_subspans_give_absolute_offsets() -> None:
    a_text, b_text = "<<the red fox>>", "[the fox]"
    ops = diff_words(a_text, b_text, Span(2, 13), Span(1, 8))
    assert ops == (
        DiffOp(OpTag.EQUAL, Span(2, 6), Span(1, 5)),
        DiffOp(OpTag.DELETE, Span(6, 10), Span(5, 5)),
        DiffOp(OpTag.EQUAL, Span(10, 13), Span(5, 8)),
    )


def test_empty_and_whitespace_only_passages() -> None:
    assert diff_words("", "") == ()
    assert rows("", "word") == [("insert", "", "word")]
    assert rows("  ", "\n") == [("equal", "  ", "\n")]
    assert rows("   ", "word") == [("replace", "   ", "word")]


def test_span_past_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="a=Span"):
        diff_words("abc", "abc", Span(0, 4))


# --- properties -------------------------------------------------------------------

VOCABULARY = [
    "the", "The", "cat", "cats", "dog", "a", "and", "China’s", "China's", "2.5", "café", "cafe\u0301",
    "innovative", "innovation", "हिन्दी", "中国", "😀", ",", ".", "“", "”", "'", "(", ")",
]
SPACES = [" ", " ", " ", "  ", "\n", "\r\n", "\t", ""]

sentences = st.lists(st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(SPACES)), max_size=14).map(
    lambda parts: "".join(word + space for word, space in parts)
)
texts = st.one_of(st.text(max_size=40), sentences, st.text(alphabet=" ,.!?;:'\"\r\n-—", max_size=12))


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, Span]:
    text = draw(texts)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, draw(st.sampled_from([Span(0, len(text)), Span(start, end)]))


def check_tiling(ops: tuple[DiffOp, ...], a: Span, b: Span) -> None:
    """Assert the ops' spans tile ``a`` and ``b`` in order, with the shapes their tags promise."""
    a_at, b_at = a.start, b.start
    for op in ops:
        assert (op.a.start, op.b.start) == (a_at, b_at)
        assert len(op.a) or len(op.b), "empty operation"
        if op.tag is OpTag.INSERT:
            assert not len(op.a) and len(op.b)
        elif op.tag is OpTag.DELETE:
            assert len(op.a) and not len(op.b)
        elif op.tag is OpTag.REPLACE:
            assert len(op.a) and len(op.b)
        a_at, b_at = op.a.end, op.b.end
    assert (a_at, b_at) == (a.end, b.end)


@given(text_and_span(), text_and_span())
def test_both_texts_rebuild_from_the_ops(a_side: tuple[str, Span], b_side: tuple[str, Span]) -> None:
    (a_text, a), (b_text, b) = a_side, b_side
    ops = diff_words(a_text, b_text, a, b)
    check_tiling(ops, a, b)
    assert "".join(op.a.slice(a_text) for op in ops) == a.slice(a_text)
    assert "".join(op.b.slice(b_text) for op in ops) == b.slice(b_text)


@given(text_and_span())
def test_a_text_against_itself_is_all_equal(side: tuple[str, Span]) -> None:
    text, span = side
    ops = diff_words(text, text, span, span)
    assert ops == ((DiffOp(OpTag.EQUAL, span, span),) if len(span) else ())


@given(sentences)
def test_case_and_spacing_changes_are_all_equal(text: str) -> None:
    respaced = " ".join(text.upper().split())
    assert all(op.tag is OpTag.EQUAL for op in diff_words(text, respaced))


@given(text_and_span(), text_and_span())
def test_swapping_the_inputs_mirrors_the_diff(a_side: tuple[str, Span], b_side: tuple[str, Span]) -> None:
    (a_text, a), (b_text, b) = a_side, b_side
    forward = diff_words(a_text, b_text, a, b)
    assert diff_words(b_text, a_text, b, a) == tuple(mirror(op) for op in forward)


def inside_a_word(text: str, position: int) -> bool:
    """Tell whether ``position`` splits a run of word characters (or a letter from its accent)."""
    before, after = text[position - 1], text[position]
    return bool(WORD_CHAR.match(before) and WORD_CHAR.match(after)) or unicodedata.category(after)[0] == "M"


@given(text_and_span(), text_and_span())
def test_no_boundary_falls_inside_a_word(a_side: tuple[str, Span], b_side: tuple[str, Span]) -> None:
    (a_text, a), (b_text, b) = a_side, b_side
    for op in diff_words(a_text, b_text, a, b):
        for text, span, cut in ((a_text, a, op.a.start), (a_text, a, op.a.end),
                                (b_text, b, op.b.start), (b_text, b, op.b.end)):
            if span.start < cut < span.end:
                assert not inside_a_word(text, cut), (text, cut)


@given(text_and_span(), text_and_span())
def test_neighbouring_ops_differ_in_tag(a_side: tuple[str, Span], b_side: tuple[str, Span]) -> None:
    (a_text, a), (b_text, b) = a_side, b_side
    tags = [op.tag for op in diff_words(a_text, b_text, a, b)]
    assert all(first is not second for first, second in itertools.pairwise(tags))


@given(sentences, sentences)
def test_equal_ops_hold_the_same_words(a_text: str, b_text: str) -> None:
    for op in diff_words(a_text, b_text):
        if op.tag is OpTag.EQUAL:
            assert fold("".join(op.a.slice(a_text).split())) == fold("".join(op.b.slice(b_text).split()))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_fast_path_agrees_with_fold(text: str) -> None:
    tokens = _tokenize(text, Span(0, len(text)))
    spans = zip(tokens.starts, tokens.ends, strict=True)
    assert tokens.keys == [fold(text[start:end]) for start, end in spans]
