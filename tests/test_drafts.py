"""Drafts and revisions: the invariants a comparison of two versions of one text must keep (Hypothesis).

Documents are realistic: the seeds' own paragraphs, picked, repeated and
shuffled, and their revisions are the same text with random word edits (a word
replaced, deleted or inserted).  Properties:

- a document against itself pairs every segment with itself, all verbatim,
  none moved, nothing one-sided (page noise is never aligned, but the same
  noise line on both sides shares one row of the view);
- swapping A and B mirrors every pair;
- k word edits make exactly the pairs holding an edit non-verbatim, each edit
  lies inside a non-equal operation of its pair, and the summary counts them;
- a near-identical revision keeps one pair per segment, so an edit shows in its own row;
- among repeated identical paragraphs the in-order copy is chosen: nothing is
  moved when nothing changed place.

Examples are derandomized, so a run never fails by chance.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import (
    Comparison,
    DiffOp,
    Document,
    OpTag,
    PairKind,
    SegmentRole,
    Span,
    compare_documents,
    read_document,
    segment,
)
from compare.normalize import fold
from web.rows import layout

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
WORD = re.compile(r"\w+")
TOKEN = re.compile(r"\w+|[^\w\s]")
MIN_EDITED_WORDS = 8  # an edit goes into a sentence at least this long, so the sentence still pairs
REPLACEMENTS = ("quietly", "seventeen", "northern", "perhaps", "Tuesday", "granite", "fourfold", "never")


@cache
def seed_paragraphs(index: int) -> tuple[str, ...]:
    """Return the paragraphs of one seed: its blocks between blank lines, stripped."""
    text = read_document(SEEDS[index]).text
    return tuple(block.strip() for block in re.split(r"\n\s*\n", text) if block.strip())


@st.composite
def drafts(draw: st.DrawFn, max_paragraphs: int = 24) -> Document:
    """A document made of one seed's paragraphs: a run of them, some repeated, some shuffled."""
    paragraphs = seed_paragraphs(draw(st.integers(0, len(SEEDS) - 1)))
    start = draw(st.integers(0, max(0, len(paragraphs) - 3)))
    chosen = list(paragraphs[start : start + draw(st.integers(3, max_paragraphs))])
    for _ in range(draw(st.integers(0, 2))):  # a paragraph repeated elsewhere
        chosen.insert(draw(st.integers(0, len(chosen))), draw(st.sampled_from(chosen)))
    if draw(st.booleans()):  # two paragraphs trade places
        i, j = draw(st.integers(0, len(chosen) - 1)), draw(st.integers(0, len(chosen) - 1))
        chosen[i], chosen[j] = chosen[j], chosen[i]
    return Document("draft", "\n\n".join(chosen))


@dataclass(frozen=True)
class Edit:
    """One word edit: the word of A it changes and the word of B that replaces it.

    A deleted word leaves no word in B: ``b`` is then the space where it was,
    and ``gap`` names that side; an inserted word likewise has the space of A
    it went into as ``a``.
    """

    a: Span
    b: Span
    gap: str = ""  # "a", "b" or "" (a replaced word)


@dataclass(frozen=True)
class Revision:
    """A document, its revision, and where the revision's edits are in both."""

    a: Document
    b: Document
    edits: tuple[Edit, ...]


def editable_words(document: Document) -> list[Span]:
    """Return the words between spaces inside text sentences at least ``MIN_EDITED_WORDS`` long."""
    text, words = document.text, []
    for part in segment(document).segments:
        if part.role is SegmentRole.TEXT:
            found = [Span(part.span.start + m.start(), part.span.start + m.end())
                     for m in WORD.finditer(part.span.slice(text))]
            if len(found) >= MIN_EDITED_WORDS:
                words += [w for w in found[1:-1] if text[w.start - 1] == " " and text[w.end : w.end + 1] == " "]
    return words


@st.composite
def revisions(draw: st.DrawFn, max_edits: int = 4) -> Revision:
    """A draft and the same text with 1 to ``max_edits`` word edits (replaced, deleted or inserted words)."""
    document = draw(drafts())
    words = editable_words(document)
    if not words:  # a draft of headings only: take another
        document = Document("draft", "\n\n".join(seed_paragraphs(4)))
        words = editable_words(document)
    chosen = sorted(draw(st.sets(st.sampled_from(words), min_size=1, max_size=max_edits)))
    text, pieces, edits, cursor, shift = document.text, [], [], 0, 0
    for word in chosen:
        if word.start < cursor + 2:  # edits never touch each other
            continue
        kind = draw(st.sampled_from(["replace", "delete", "insert"]))
        replacement = draw(st.sampled_from([w for w in REPLACEMENTS if w.casefold() != word.slice(text).casefold()]))
        start_b = word.start + shift
        if kind == "replace":
            cut, new, edit = word, replacement, Edit(word, Span(start_b, start_b + len(replacement)))
        elif kind == "delete":  # the word and the space after it; the space before it stays in B
            cut, new, edit = Span(word.start, word.end + 1), "", Edit(word, Span(start_b - 1, start_b), "b")
        else:  # a new word and a space, before this one
            cut, new = Span(word.start, word.start), replacement + " "
            edit = Edit(Span(word.start - 1, word.start), Span(start_b, start_b + len(replacement)), "a")
        pieces += [text[cursor : cut.start], new]
        edits.append(edit)
        shift += len(new) - len(cut)
        cursor = cut.end
    pieces.append(text[cursor:])
    return Revision(document, Document("revision", "".join(pieces)), tuple(edits))


def text_segments(comparison: Comparison, side: str) -> list[Span]:
    seg = comparison.a if side == "a" else comparison.b
    return [s.span for s in seg.segments if s.role is SegmentRole.TEXT]


def mirrored(comparison: Comparison) -> set[tuple[Span, Span, PairKind, bool]]:
    return {(p.b, p.a, p.kind, p.moved) for p in comparison.pairs}


def holds(pair_span: Span, edit: Span) -> bool:
    """Tell whether a pair's passage holds (part of) an edit's word or space."""
    return pair_span.overlaps(edit)


def covers(op: DiffOp, edit: Edit) -> bool:
    """Tell whether a diff operation holds an edit: its words, or for a missing word, a point of its space."""
    def side(op_span: Span, edit_span: Span, gap: bool) -> bool:
        if gap:  # the operation reaches the space where the word was (or went)
            return op_span.start <= edit_span.end and edit_span.start <= op_span.end
        return op_span.start <= edit_span.start and edit_span.end <= op_span.end
    return side(op.a, edit.a, edit.gap == "a") and side(op.b, edit.b, edit.gap == "b")


# --- a document against itself ------------------------------------------------------------------


@PROPERTY
@given(drafts())
def test_a_document_against_itself_pairs_every_text_segment_with_itself(document: Document) -> None:
    result = compare_documents(document, document)
    assert all(p.a == p.b and p.a_segments == p.b_segments for p in result.pairs)
    assert all(p.kind is PairKind.VERBATIM and p.edits == 0 and not p.moved for p in result.pairs)
    assert not result.a_only and not result.b_only


@PROPERTY
@given(drafts())
def test_a_document_against_itself_shares_all_its_text(document: Document) -> None:
    result = compare_documents(document, document)
    assert result.shared_share("a") == result.shared_share("b") == 1.0


@PROPERTY
@given(drafts())
def test_a_document_against_itself_pairs_segment_by_segment(document: Document) -> None:
    result = compare_documents(document, document)
    assert sorted(p.a for p in result.pairs) == text_segments(result, "a")
    assert all(len(p.a_segments) == len(p.b_segments) == 1 for p in result.pairs)


@PROPERTY
@given(drafts())
def test_identical_page_noise_shares_a_row_with_itself(document: Document) -> None:
    """Page noise is never aligned, but the same menu line in both documents is one row of the view, not two."""
    noisy = Document("noisy", "Type to search\n\n" + document.text + "\n\nShare this article\n\nPage 2 of 7")
    result = compare_documents(noisy, noisy)
    noise = [s.span for s in result.a.segments if s.role is SegmentRole.BOILERPLATE]
    assert noise, "the test document has page noise"
    rows = [row for row in layout(result) if row.kind == "boilerplate"]
    assert all(row.a is not None and row.b is not None and row.a.span == row.b.span for row in rows)
    assert set(noise) <= {row.a.span for row in rows if row.a is not None}  # and debris between sentences


# --- swapping A and B ---------------------------------------------------------------------------


@PROPERTY
@given(revisions(), drafts())
def test_swapping_a_and_b_mirrors_every_pair(revision: Revision, other: Document) -> None:
    for a, b in ((revision.a, revision.b), (revision.a, other)):
        forward, backward = compare_documents(a, b), compare_documents(b, a)
        assert {(p.a, p.b, p.kind, p.moved) for p in backward.pairs} == mirrored(forward)


# --- word edits ---------------------------------------------------------------------------------


def test_the_drafts_of_the_issue_count_their_edits() -> None:
    seed_004, seed_000 = read_document(SEEDS[4]), read_document(SEEDS[0])
    edited_004 = Document("004e", seed_004.text.replace("will not change", "will change", 1).replace("27-28", "26-28"))
    result = compare_documents(seed_004, edited_004)
    assert result.edits == 2 and not any(p.kind is PairKind.VERBATIM and p.edits for p in result.pairs)
    changed = [(op.a.slice(seed_004.text), op.b.slice(edited_004.text))
               for p in result.pairs for op in p.ops if op.tag is not OpTag.EQUAL]
    assert sorted(changed) == [("27", "26"), ("not ", "")]
    determined = Document("000e", seed_000.text.replace("resolute", "determined"))
    (pair,) = [p for p in compare_documents(seed_000, determined).pairs if p.edits]
    assert pair.kind is PairKind.VARIANT and pair.edits == 1


def folded_tokens(text: str) -> list[str]:
    """Return a passage's words and punctuation marks after the matching normalisation (a reference)."""
    return TOKEN.findall(fold(text))


@PROPERTY
@given(revisions(), drafts())
def test_a_pair_is_verbatim_exactly_when_its_words_are_the_same(revision: Revision, other: Document) -> None:
    for a, b in ((revision.a, revision.b), (revision.b, other)):
        result = compare_documents(a, b)
        for pair in result.pairs:
            same = folded_tokens(pair.a.slice(a.text)) == folded_tokens(pair.b.slice(b.text))
            assert (pair.kind is PairKind.VERBATIM) == same == (pair.edits == 0), pair
        assert result.edits == sum(p.edits for p in result.pairs)


@PROPERTY
@given(revisions())
def test_word_edits_make_exactly_the_edited_pairs_non_verbatim(revision: Revision) -> None:
    result = compare_documents(revision.a, revision.b)
    for pair in result.pairs:
        edited = any(holds(pair.a, e.a) or holds(pair.b, e.b) for e in revision.edits)
        assert (pair.kind is not PairKind.VERBATIM) == edited == (pair.edits > 0), pair


@PROPERTY
@given(revisions())
def test_every_word_edit_lies_inside_a_non_equal_operation(revision: Revision) -> None:
    result = compare_documents(revision.a, revision.b)
    changes = [op for pair in result.pairs for op in pair.ops if op.tag is not OpTag.EQUAL]
    for edit in revision.edits:
        inside = [op for op in changes if covers(op, edit)]
        assert inside, (edit, revision.a.text[edit.a.start - 30 : edit.a.end + 30])


@PROPERTY
@given(revisions())
def test_a_revision_keeps_one_pair_per_segment(revision: Revision) -> None:
    result = compare_documents(revision.a, revision.b)
    assert all(len(p.a_segments) == len(p.b_segments) == 1 for p in result.pairs)
    assert result.edits == len(revision.edits) == sum(p.edits for p in result.pairs if p.kind is PairKind.VARIANT)


# --- repeated paragraphs ------------------------------------------------------------------------


def in_order(comparison: Comparison) -> bool:
    pairs = sorted(comparison.pairs, key=lambda p: p.a)
    return all(x.a.end <= y.a.start and x.b.end <= y.b.start for x, y in itertools.pairwise(pairs))


@PROPERTY
@given(drafts(max_paragraphs=8), st.integers(2, 4))
def test_a_document_against_its_repetition_pairs_in_order(document: Document, times: int) -> None:
    repeated = Document("repeated", "\n\n".join([document.text] * times))
    for a, b in ((document, repeated), (repeated, document)):
        result = compare_documents(a, b)
        assert not any(p.moved for p in result.pairs)
        assert in_order(result)
        shorter = result.a if a is document else result.b
        covered = {p.a if a is document else p.b for p in result.pairs}
        assert all(s.span in covered for s in shorter.segments if s.role is SegmentRole.TEXT)


def repeated_004() -> tuple[Document, Document]:
    document = read_document(SEEDS[4])
    return document, Document("004x10", "\n\n".join([document.text.strip()] * 10))


def test_004_against_004_repeated_ten_times_is_symmetric_and_in_order() -> None:
    document, repeated = repeated_004()
    forward, backward = compare_documents(document, repeated), compare_documents(repeated, document)
    assert {(p.a, p.b, p.kind, p.moved) for p in backward.pairs} == mirrored(forward)
    assert not any(p.moved for p in forward.pairs) and in_order(forward)


def test_004_repeated_ten_times_against_itself_pairs_each_copy_with_itself() -> None:
    _, repeated = repeated_004()
    itself = compare_documents(repeated, repeated)
    assert all(p.a == p.b and not p.moved for p in itself.pairs)
