"""The N-way alignment of renderings: its invariants, its statements on tiny texts, its quality on synthetic ones."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations, pairwise

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.renderings import Base, make_base, make_rendering
from compare import Document, FamilySet, SegmentRole, Span, align_renderings, compare_documents, find_families
from compare.columns import project, snap
from compare.multialign import choose_pivot

WORD = re.compile(r"\w+")
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def renderings(draw: st.DrawFn, least: int = 2, most: int = 5) -> tuple[Base, list[Document]]:
    """A small base text and a few renderings of it (reworded, sentences joined, split or left out)."""
    base = make_base(draw(st.integers(600, 1800)), seed=draw(st.integers(0, 10_000)))
    seeds = draw(st.lists(st.integers(0, 10_000), min_size=least, max_size=most, unique=True))
    return base, [Document(f"r{k}", make_rendering(base, seed).text) for k, seed in enumerate(seeds)]


def texts_of(result: FamilySet) -> list[str]:
    return [s.document.text for s in result.documents]


@SLOW
@given(renderings())
def test_each_statement_holds_one_trimmed_span_per_document_and_every_word_is_placed(
        case: tuple[Base, list[Document]]) -> None:
    _, documents = case
    result = find_families(documents)
    texts = texts_of(result)
    placed: dict[int, list[Span]] = defaultdict(list)
    for statement in result.statements:
        members = [r.document for r in statement.renderings]
        assert len(members) == len(set(members)) and members == sorted(members)
        for rendering in statement.renderings:
            piece = rendering.span.slice(texts[rendering.document])
            assert piece and piece == piece.strip()  # the span slices its text, no padding
            placed[rendering.document].append(rendering.span)
    for document, text in enumerate(texts):
        spans = sorted(placed[document])
        assert all(a.end <= b.start for a, b in pairwise(spans)), "cells overlap"
        covered = set().union(*(range(s.start, s.end) for s in spans))
        for segment in result.documents[document].segments:
            if segment.role is not SegmentRole.TEXT:  # page noise is never aligned
                continue
            for word in WORD.finditer(text, segment.span.start, segment.span.end):
                assert word.start() in covered, f"{word.group()!r} of {document} is in no statement"


@pytest.mark.parametrize("copies", [2, 3, 5])
def test_copies_of_one_document_give_one_family_per_sentence(seeds: dict[str, Document], copies: int) -> None:
    document = seeds["002"]
    result = find_families([Document(f"copy {k}", document.text) for k in range(copies)])
    sentences = [s.span for s in result.documents[0].segments if s.role is SegmentRole.TEXT]
    assert [f.renderings[0].span for f in result.families] == sentences
    assert all([r.span for r in f.renderings] == [f.renderings[0].span] * copies for f in result.families)
    assert result.statements == result.families


def owners(result: FamilySet) -> dict[tuple[int, int], int]:
    """Map each (document, character) of every family to the family holding it."""
    found = {}
    for number, family in enumerate(result.families):
        for rendering in family.renderings:
            for offset in range(rendering.span.start, rendering.span.end):
                found[(rendering.document, offset)] = number
    return found


def assert_no_family_merged(before: FamilySet, after: FamilySet) -> None:
    previous = owners(before)
    for family in after.families:
        old = {previous[(r.document, offset)] for r in family.renderings if r.document < len(before.documents)
               for offset in range(r.span.start, r.span.end) if (r.document, offset) in previous}
        assert len(old) <= 1, f"adding a rendering merged families {sorted(old)}"


def _known_merge() -> tuple[Base, list[Document]]:
    """Three renderings where the third used to merge two families of the first two (found by the property below).

    One rendering says 'Looking ahead.' as a sentence of its own; another pairs its sentence with that one's two,
    so its cut at their boundary falls at its pair's end (a boundary it draws); a third runs the sentences into
    one ('globalization, looking ahead, China sees').
    """
    base = make_base(1215, seed=1731)
    return base, [Document(f"r{k}", make_rendering(base, seed).text) for k, seed in enumerate([0, 86, 1])]


@settings(SLOW, derandomize=True, database=None)
@given(renderings(least=3, most=5))
@example(_known_merge())
def test_adding_a_rendering_never_merges_two_families_of_the_others(case: tuple[Base, list[Document]]) -> None:
    _, documents = case
    before = find_families(documents[:-1])
    pivot = choose_pivot(before.documents)
    assert_no_family_merged(before, find_families(documents, pivot=pivot))


def test_a_rendering_joining_two_sentences_keeps_them_apart_for_the_others() -> None:
    documents = [
        Document("a", "The river rose over the old stone bridge at night. Farmers moved their cattle to the hills."),
        Document("b", "The river rose above the old stone bridge at night. Farmers drove their cattle to the hills."),
        Document("c", "The river rose over the ancient stone bridge by night, and farmers moved cattle to the hills."),
    ]
    result = find_families(documents)
    before = find_families(documents[:2])
    assert len(result.families) == len(before.families) == 2
    cut = [r.span.slice(documents[2].text) for f in result.families for r in f.renderings if r.document == 2]
    assert cut == ["The river rose over the ancient stone bridge by night,", "and farmers moved cattle to the hills."]


def test_a_sentence_end_only_one_rendering_draws_joins_the_statements() -> None:
    documents = [
        Document("a", "Keep your servant from pride. Let it not rule over me. Then I shall be upright and free."),
        Document("b", "Keep thy servant from pride; let it not rule over me. Then shall I be upright and free."),
        Document("c", "Keep your servant back from pride, let it not have rule over me. Then I will be upright."),
    ]
    result = find_families(documents)
    first = [r.span.slice(documents[r.document].text) for r in result.families[0].renderings]
    assert first == ["Keep your servant from pride. Let it not rule over me.",
                     "Keep thy servant from pride; let it not rule over me.",
                     "Keep your servant back from pride, let it not have rule over me."]
    assert len(result.families) == 2


def test_a_statement_the_pivot_lacks_is_shared_by_the_renderings_that_have_it() -> None:
    documents = [
        Document("a", "The council met in spring. It approved the new budget. Taxes will fall next year."),
        Document("b", "The council met in spring. A storm had delayed the meeting by a week. It approved the budget."),
        Document("c", "The council met in the spring. A storm delayed the meeting by one week. It passed the budget."),
    ]
    result = find_families(documents, pivot=0)
    storm = [f for f in result.families if "storm" in f.renderings[-1].span.slice(documents[2].text)]
    assert [[r.document for r in f.renderings] for f in storm] == [[1, 2]]


def test_pivot_and_document_count_are_checked() -> None:
    with pytest.raises(ValueError, match="at least two"):
        align_renderings([Document("a", "One.")])
    with pytest.raises(ValueError, match="pivot must be"):
        align_renderings([Document("a", "One."), Document("b", "One.")], pivot=2)


def b_cubed(result: FamilySet, golds: list[tuple[tuple[int, int] | None, ...]]) -> float:
    """B-cubed F1 over (document, base sentence) items, as ``families_eval.py`` scores verses."""
    spans = defaultdict(list)
    for number, family in enumerate(result.families):
        for r in family.renderings:
            spans[r.document].append((r.span, number))
    predicted: dict[tuple[int, int], object] = {}
    for document, gold in enumerate(golds):
        for sentence, where in enumerate(gold):
            if where is None:
                continue
            start, end = where
            cover, best = max(((min(end, s.end) - max(start, s.start), n) for s, n in spans[document]),
                              default=(0, None))
            predicted[(document, sentence)] = best if best is not None and 2 * cover >= end - start \
                else ("alone", document, sentence)
    by_predicted, by_gold = defaultdict(set), defaultdict(set)
    for item, cluster in predicted.items():
        by_predicted[cluster].add(item)
        by_gold[item[1]].add(item)
    both = [len(by_predicted[predicted[i]] & by_gold[i[1]]) for i in predicted]
    precision = sum(n / len(by_predicted[predicted[i]]) for n, i in zip(both, predicted, strict=True)) / len(both)
    recall = sum(n / len(by_gold[i[1]]) for n, i in zip(both, predicted, strict=True)) / len(both)
    return 2 * precision * recall / (precision + recall)


def test_statements_match_the_sentences_renderings_share_on_synthetic_renderings() -> None:
    base = make_base(8_000, seed=4)
    made = [make_rendering(base, seed) for seed in (11, 12, 13, 14, 15)]
    result = find_families([Document(f"r{k}", r.text) for k, r in enumerate(made)])
    assert b_cubed(result, [r.gold for r in made]) >= 0.9


def held_in_statements(result: FamilySet, x: int, a: Span, y: int, b: Span) -> bool:
    """Tell whether statements that hold both passages cover at least half of each (one, or a run of them)."""
    both = [f for f in result.families
            if any(r.document == x and overlap(r.span, a) for r in f.renderings)
            and any(r.document == y and overlap(r.span, b) for r in f.renderings)]
    covered_a = sum(overlap(r.span, a) for f in both for r in f.renderings if r.document == x)
    covered_b = sum(overlap(r.span, b) for f in both for r in f.renderings if r.document == y)
    return 2 * covered_a >= len(a) and 2 * covered_b >= len(b)


def test_seed_correspondences_of_the_compare_view_fall_in_statements(seeds: dict[str, Document]) -> None:
    """The compare view's pairs among 000, 002 and 004 hold in the statements, all that the third one confirms.

    A statement has one span per document, so two summaries that the
    pairwise engine pairs at a place where each says what the long report
    says elsewhere (a partial pair of two summaries' sentences) cannot both
    stand with the report, nor can a pair joining two sentences of one
    document that the third renders apart; the pairs the third document
    confirms (both passages paired with overlapping text of it) must hold.
    """
    documents = [seeds["000"], seeds["002"], seeds["004"]]
    result = find_families(documents)
    pairs = {(x, y): compare_documents(documents[x], documents[y]).pairs for x, y in combinations(range(3), 2)}

    def places(x: int, z: int, span: Span) -> list[Span]:  # where z says what x says at span
        if x < z:
            return [p.b for p in pairs[x, z] if overlap(p.a, span)]
        return [p.a for p in pairs[z, x] if overlap(p.b, span)]

    held, confirmed = [], []
    for (x, y), found in pairs.items():
        z = 3 - x - y
        for pair in found:
            held.append(held_in_statements(result, x, pair.a, y, pair.b))
            if any(overlap(s, t) for s in places(x, z, pair.a) for t in places(y, z, pair.b)):
                confirmed.append(held[-1])
    assert len(held) >= 15 and sum(held) / len(held) >= 0.8  # 19 of 23
    # 9 of 10: the one left joins two sentences of 000 (the second an orphan the pair absorbed), which the
    # statements keep apart, the first cut at a clause boundary that 004 carries
    assert len(confirmed) >= 5 and sum(confirmed) / len(confirmed) >= 0.85


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def test_progress_is_reported_once_per_rendering_after_the_pivot() -> None:
    calls: list[tuple[int, int]] = []
    documents = [Document(n, "The sky is blue. Cats purr.") for n in "abcd"]
    align_renderings(documents, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_project_and_snap_follow_the_diff_to_a_clause_end() -> None:
    assert project([(0, 0), (10, 20), (20, 25)], 15) == 22
    text = "And she rose up, and went home to her people."
    assert snap(text, Span(0, len(text)), text.index("went")) == text.index("and went")
    assert snap(text, Span(0, len(text)), 0) == 0
