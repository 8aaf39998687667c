"""The corpus report's numbers on small corpora checked by hand."""

from __future__ import annotations

import pytest

from compare import Document, Options, SegmentRole, build_report, compare_documents, segment
from compare.model import PairKind, Span

PASSAGE = ("The harbour authority approved a floating breakwater for the eastern pier. "
           "Engineers expect the structure to calm winter swells by half.")
SECOND = ("Volunteers catalogued three hundred orchid species across the damp southern ridge. "
          "Their herbarium sheets now travel to botanical gardens abroad.")
INTRO_A = "Local bakers compete every autumn for the golden loaf trophy."
OUTRO_A = "A jazz quartet closed the festival with improvised ballads."
INTRO_B = "Mountain cyclists crossed the glacier pass before dawn yesterday."
INTRO_C = "Chess prodigies gathered in the old library for a blitz tournament."


def counted(document: Document) -> int:
    """Characters of a document's text segments (what the report counts), computed independently."""
    return sum(len(s.span) for s in segment(document).segments if s.role is SegmentRole.TEXT)


def test_two_documents_sharing_one_passage() -> None:
    a = Document("a.txt", f"{INTRO_A}\n\n{PASSAGE}\n\n{OUTRO_A}")
    b = Document("b.txt", f"{INTRO_B} {PASSAGE}")
    report = build_report([a, b])
    # Counted characters are those of text segments: the space between the passage's two
    # sentences lies outside every segment, so the passage counts one character less than its length.
    shared = len(PASSAGE) - 1

    [pair] = report.pairs
    assert (pair.a, pair.b) == (0, 1)
    [passage] = pair.passages
    assert passage.a.slice(a.text) == PASSAGE and passage.b.slice(b.text) == PASSAGE
    assert passage.kind is PairKind.VERBATIM and passage.score == 1.0
    assert pair.a_share == round(shared / counted(a), 4)
    assert pair.b_share == round(shared / counted(b), 4)

    doc_a, doc_b = report.documents
    assert (doc_a.counted_chars, doc_a.reused_chars) == (counted(a), shared)
    assert doc_a.reused == (Span(a.text.index(PASSAGE), a.text.index(PASSAGE) + len(PASSAGE)),)
    assert doc_b.reused_share == round(shared / counted(b), 4)
    assert doc_a.partners == (1,) and doc_b.partners == (0,)
    [family] = report.families
    assert family.spread == 2 and family.size == len(PASSAGE)
    assert [m.document for m in family.members] == [0, 1] and passage.family == 0


def test_unrelated_documents_share_nothing() -> None:
    report = build_report([Document("a", INTRO_A), Document("b", INTRO_B), Document("c", INTRO_C)])
    assert report.pairs == () and report.families == ()
    assert all(d.reused_chars == 0 and d.reused_share == 0.0 and d.partners == () for d in report.documents)


def test_chain_of_reuse_gives_families_and_pairs() -> None:
    # A holds P; B copies P and adds Q; C copies both from B (with a word edited in P).
    a = Document("a", f"{INTRO_A} {PASSAGE} {OUTRO_A}")
    b = Document("b", f"{INTRO_B} {PASSAGE}\n\n{SECOND}")
    edited = PASSAGE.replace("approved", "endorsed")
    c = Document("c", f"{SECOND}\n\n{INTRO_C} {edited}")
    report = build_report([a, b, c])

    assert [(p.a, p.b) for p in report.pairs] == [(0, 1), (0, 2), (1, 2)]
    by_pair = {(p.a, p.b): p for p in report.pairs}
    assert [x.kind for x in by_pair[(0, 1)].passages] == [PairKind.VERBATIM]
    assert [x.kind for x in by_pair[(0, 2)].passages] == [PairKind.VARIANT]
    assert len(by_pair[(1, 2)].passages) == 2  # P and Q, far apart in C: two passages
    first, second = report.families  # ranked by spread: P (3 documents) before Q (2)
    assert first.spread == 3 and [m.span.slice(d.text) for m, d in zip(first.members, (a, b, c), strict=True)] == \
        [PASSAGE, PASSAGE, edited]
    assert second.spread == 2 and [m.document for m in second.members] == [1, 2]
    assert {x.family for x in by_pair[(1, 2)].passages} == {0, 1}
    assert report.documents[1].partners == (2, 0)  # B shares P and Q with C, only P with A


def test_document_entirely_boilerplate_counts_nothing() -> None:
    noise = Document("noise", "Read more: Elsewhere\n\nShare this story\n\n<  1  2  3  >")
    other = Document("other", f"{INTRO_A} {PASSAGE}")
    report = build_report([noise, other])
    doc = report.documents[0]
    assert (doc.counted_chars, doc.reused_chars, doc.reused_share, doc.partners) == (0, 0, 0.0, ())
    assert [s.slice(noise.text) for s in doc.boilerplate] == ["Read more: Elsewhere", "Share this story",
                                                             "<  1  2  3  >"]
    assert report.pairs == ()


def test_boilerplate_shared_by_documents_is_not_reuse() -> None:
    footer = "\n\nRead more: Harbour news and weather\n\nShare this story"
    report = build_report([Document("a", INTRO_A + footer), Document("b", INTRO_B + footer)])
    assert report.pairs == () and all(d.boilerplate for d in report.documents)


def test_progress_is_reported_to_the_end() -> None:
    calls: list[tuple[int, int]] = []
    build_report([Document("a", PASSAGE), Document("b", PASSAGE)], progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_no_documents_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one document"):
        build_report([])


def test_seed_shares_agree_with_pairwise_comparison(seeds: dict[str, Document]) -> None:
    docs = list(seeds.values())
    report = build_report(docs)
    by_pair = {(p.a, p.b): p for p in report.pairs}
    for (x, y), pair in by_pair.items():
        comparison = compare_documents(docs[x], docs[y], Options())
        assert abs(pair.a_share - comparison.shared_share("a")) <= 0.25, (x, y)
        assert abs(pair.b_share - comparison.shared_share("b")) <= 0.25, (x, y)
    # The three renderings of the conference (000, 002, 004) share most: one family spans them.
    assert {0, 2, 4} <= {m.document for m in report.families[0].members}
