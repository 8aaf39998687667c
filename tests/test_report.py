"""The corpus report's numbers on small corpora checked by hand."""

from __future__ import annotations

import pytest

from compare import Document, Options, SegmentRole, build_report, compare_documents, segment
from compare.model import PairKind, PairReport, Span

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
    assert passage.kind is PairKind.VERBATIM and passage.score > 0.9
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


SHARE_TOLERANCE = 0.02  # report vs compare view: the report aligns the pairs it finds with the compare view's engine


def report_passages(pair: PairReport, a: Document, b: Document) -> list[tuple[str, str]]:
    return [(p.a.slice(a.text), p.b.slice(b.text)) for p in pair.passages]


def compare_passages(a: Document, b: Document) -> list[tuple[str, str]]:
    comparison = compare_documents(a, b)
    return [(p.a.slice(a.text), p.b.slice(b.text)) for p in comparison.passages]


def test_seed_shares_agree_with_pairwise_comparison(seeds: dict[str, Document]) -> None:
    docs = list(seeds.values())
    report = build_report(docs)
    by_pair = {(p.a, p.b): p for p in report.pairs}
    for x in range(len(docs)):
        for y in range(x + 1, len(docs)):
            comparison = compare_documents(docs[x], docs[y])
            pair = by_pair.get((x, y))
            a_share, b_share = (pair.a_share, pair.b_share) if pair else (0.0, 0.0)
            assert abs(a_share - comparison.shared_share("a")) <= SHARE_TOLERANCE, (x, y)
            assert abs(b_share - comparison.shared_share("b")) <= SHARE_TOLERANCE, (x, y)
            assert (pair is None) == (not comparison.pairs), (x, y)  # the same pairs of documents share text
    # The three renderings of the conference (000, 002, 004) share most: one family spans them.
    assert {0, 2, 4} <= {m.document for m in report.families[0].members}


def test_three_renderings_of_one_conference_all_pair_up(seeds: dict[str, Document]) -> None:
    docs = list(seeds.values())
    by_pair = {(p.a, p.b): p for p in build_report(docs).pairs}
    for x, y in ((0, 2), (0, 4), (2, 4)):
        assert (x, y) in by_pair, (x, y)
        assert min(by_pair[(x, y)].a_share, by_pair[(x, y)].b_share) >= 0.04, (x, y)
    assert min(by_pair[(0, 4)].a_share, by_pair[(2, 4)].a_share) >= 0.4  # most of 000 and 002 is in 004


def test_renderings_of_each_other_get_the_compare_views_passages() -> None:
    draft = Document("draft", " ".join([INTRO_A, PASSAGE, SECOND, OUTRO_A]))
    rewritten = "The festival ended late with a jazz quartet playing ballads."  # shares one phrase with OUTRO_A
    revision = Document("revision", draft.text.replace("approved", "endorsed").replace("three", "four")
                        .replace(OUTRO_A, rewritten))
    [pair] = build_report([draft, revision, Document("c", INTRO_C)]).pairs
    assert report_passages(pair, draft, revision) == compare_passages(draft, revision)


def test_sharded_candidate_search_finds_what_brute_force_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter, defaultdict
    from itertools import combinations

    from benchmarks.synthetic_corpus import make_corpus
    from compare import shingles

    corpus = make_corpus(40, seed=5)
    prepared = shingles.prepare_documents([Document(str(d), t) for d, t in enumerate(corpus.texts)], Options())
    holders: dict[int, list[tuple[int, int]]] = defaultdict(list)  # key -> (document, global segment)
    segment_id = 0
    for d, doc in enumerate(prepared):
        for k in range(len(doc.segments)):
            for key in doc.keys[doc.key_bounds[k] : doc.key_bounds[k + 1]].tolist():
                holders[key].append((d, segment_id))
            segment_id += 1
    shared: Counter[tuple[int, int]] = Counter()
    for owners in holders.values():
        if len(owners) <= shingles.MAX_KEY_SEGMENTS:
            shared.update((x, y) for (dx, x), (dy, y) in combinations(owners, 2) if dx != dy)
    expected = sorted((x, y, n) for (x, y), n in shared.items() if n >= shingles.MIN_SHARED_KEYS)
    assert expected  # planted copies share keys

    monkeypatch.setattr(shingles, "PAIRS_PER_SHARD", 500)  # many small shards, on two threads
    x, y, n = shingles.candidate_pairs(prepared, threads=2)
    assert list(zip(x.tolist(), y.tolist(), n.tolist(), strict=True)) == expected


def test_a_pair_of_documents_retrieved_by_one_sentence_is_aligned_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retrieval keeps only rare phrases, so a copied sentence made of stock phrases can go unretrieved;
    # simulated here by keeping the first candidate pair only: the documents are aligned whole all the same.
    import compare.report

    third = "Dockworkers welcomed the decision and promised to finish the pier before the next storm season."
    copied = f"{PASSAGE} {third}"
    a = Document("a", f"{INTRO_A}\n\n{copied}\n\n{OUTRO_A}")
    b = Document("b", f"{INTRO_B} {copied.replace('expect', 'hope')}")
    search = compare.report.candidate_pairs

    def first_only(*args: object, **kwargs: object) -> tuple[object, ...]:
        x, y, shared = search(*args, **kwargs)  # type: ignore[arg-type]
        return x[:1], y[:1], shared[:1]

    monkeypatch.setattr(compare.report, "candidate_pairs", first_only)
    [pair] = build_report([a, b]).pairs
    assert [p.a.slice(a.text) for p in pair.passages] == [copied]  # the compare view's passage, found whole


def test_sentence_rendered_as_two_is_one_passage_as_in_the_compare_view() -> None:
    one = "The committee approved the budget for the new library and the renovation of the old city hall."
    two = "The committee approved the budget for the new library. Repairs to the old city hall were also agreed."
    a = Document("a", f"Rain fell all week over the harbour. {one} Tourists crowded the beaches in July.")
    b = Document("b", f"Snow closed the mountain passes in March. {two} The ferry to the island was cancelled.")
    c = Document("c", "Farmers sold apples at the market on Saturday. The museum opened a new wing for modern art.")
    (pair,) = build_report([a, b, c]).pairs
    assert report_passages(pair, a, b) == compare_passages(a, b)
    assert (one, two) in [(p.a.slice(a.text), p.b.slice(b.text)) for p in compare_documents(a, b).pairs]
