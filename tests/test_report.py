"""The corpus report's numbers on small corpora checked by hand."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

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


def sentences(text: str) -> list[str]:
    """The sentences of a passage (its text segments)."""
    return [s.span.slice(text) for s in segment(Document("p", text)).segments]


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
    # A family is one statement and its renderings: the passage's two sentences make two families.
    assert sorted(f.size for f in report.families) == sorted(len(s) for s in sentences(PASSAGE))
    for family in report.families:
        assert family.spread == 2 and [m.document for m in family.members] == [0, 1]
        assert [m.span.slice(d.text) for m, d in zip(family.members, (a, b), strict=True)] in \
            [[s, s] for s in sentences(PASSAGE)]
    assert passage.family == 0  # the family of its longest statement


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
    # One family per statement, ranked by spread: P's two sentences (3 documents), then Q's two (B and C).
    assert [f.spread for f in report.families] == [3, 3, 2, 2]
    texts = [sorted(m.span.slice((a, b, c)[m.document].text) for m in f.members) for f in report.families]
    assert sorted(texts[:2]) == sorted(sorted([s, s, e]) for s, e in zip(sentences(PASSAGE), sentences(edited),
                                                                       strict=True))
    assert sorted(texts[2:]) == sorted([s, s] for s in sentences(SECOND))
    assert all([m.document for m in f.members] == [1, 2] for f in report.families[2:])
    families_of_q = {x.family for x in by_pair[(1, 2)].passages}
    assert len(families_of_q) == 2 and families_of_q & {0, 1} and families_of_q & {2, 3}
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
    cap = 8  # small, so that some keys are stock
    best: dict[tuple[int, int], int] = {}  # pair -> most keys it shares in one index
    stock = []
    for kind in shingles.KeyKind:
        holders: dict[int, list[tuple[int, int]]] = defaultdict(list)  # key -> (document, global segment)
        segment_id = 0
        for d, doc in enumerate(prepared):
            keys, owners = shingles.index_keys(doc, kind)
            for key, owner in zip(keys.tolist(), owners.tolist(), strict=True):
                holders[key].append((d, segment_id + owner))
            segment_id += len(doc.spans)
        shared: Counter[tuple[int, int]] = Counter()
        for owners in holders.values():
            if len(owners) <= cap:
                shared.update((x, y) for (dx, x), (dy, y) in combinations(owners, 2) if dx != dy)
        for pair, n in shared.items():
            if n >= shingles.MIN_SHARED_KEYS:
                best[pair] = max(best.get(pair, 0), n)
        stock.append(sum(len(owners) > cap for owners in holders.values()))
    expected = sorted((x, y, n) for (x, y), n in best.items())
    assert expected  # planted copies share keys

    monkeypatch.setattr(shingles, "PAIRS_PER_SHARD", 500)  # many small shards, on two threads
    found = shingles.candidate_pairs(prepared, threads=2, caps=(cap, cap))
    assert list(zip(found.x.tolist(), found.y.tolist(), found.shared.tolist(), strict=True)) == expected
    assert list(found.stock_keys) == stock and found.caps == (cap, cap)


def test_a_pair_of_documents_retrieved_by_one_sentence_is_aligned_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retrieval keeps only rare phrases, so a copied sentence made of stock phrases can go unretrieved;
    # simulated here by keeping the first candidate pair only: the documents are aligned whole all the same.
    import compare.report
    from compare.shingles import Candidates

    third = "Dockworkers welcomed the decision and promised to finish the pier before the next storm season."
    copied = f"{PASSAGE} {third}"
    a = Document("a", f"{INTRO_A}\n\n{copied}\n\n{OUTRO_A}")
    b = Document("b", f"{INTRO_B} {copied.replace('expect', 'hope')}")
    search = compare.report.candidate_pairs

    def first_only(*args: object, **kwargs: object) -> Candidates:
        found = search(*args, **kwargs)  # type: ignore[arg-type]
        return replace(found, x=found.x[:1], y=found.y[:1], shared=found.shared[:1])

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


def near_copy(document: Document, every: int, name: str) -> Document:
    """A near-duplicate: every ``every``-th word of each paragraph replaced, the last paragraph dropped."""
    paragraphs = document.text.split("\n\n")
    edited = []
    for paragraph in paragraphs[:-1]:
        words = paragraph.split(" ")
        edited.append(" ".join("revised" if k % every == every - 1 else w for k, w in enumerate(words)))
    return Document(name, "\n\n".join(edited))


@pytest.fixture(scope="module")
def mixed_corpus(seeds: dict[str, Document]) -> list[Document]:
    """The seeds, two near-copies of seeds, and synthetic documents (seed vocabulary, planted reuse)."""
    from benchmarks.synthetic_corpus import make_corpus

    docs = list(seeds.values())
    docs += [near_copy(docs[0], 9, "000-copy"), near_copy(docs[3], 7, "003-copy")]
    docs += [Document(f"synthetic-{k}", text) for k, text in enumerate(make_corpus(12, seed=4).texts[:4])]
    return docs


def test_every_pair_of_a_mixed_corpus_is_the_compare_views(mixed_corpus: list[Document]) -> None:
    # The report aligns exactly the pairs the compare view finds sharing text (none is left out by the
    # candidate search), and their shares are the compare view's.
    report = build_report(mixed_corpus)
    by_pair = {(p.a, p.b): p for p in report.pairs}
    sharing = 0
    for x in range(len(mixed_corpus)):
        for y in range(x + 1, len(mixed_corpus)):
            comparison = compare_documents(mixed_corpus[x], mixed_corpus[y])
            pair = by_pair.get((x, y))
            assert (pair is None) == (not comparison.passages), (x, y)
            if pair is not None:
                sharing += 1
                assert abs(pair.a_share - comparison.shared_share("a")) <= SHARE_TOLERANCE, (x, y)
                assert abs(pair.b_share - comparison.shared_share("b")) <= SHARE_TOLERANCE, (x, y)
                assert report_passages(pair, mixed_corpus[x], mixed_corpus[y]) == \
                    compare_passages(mixed_corpus[x], mixed_corpus[y])
    assert sharing >= 8  # the seeds' six, the two copies with their originals


def test_unrelated_documents_change_no_share(seeds: dict[str, Document]) -> None:
    from benchmarks.synthetic_corpus import make_corpus

    docs = list(seeds.values())
    alone = {(p.a, p.b): p for p in build_report(docs).pairs}
    others = [Document(f"other-{k}", text) for k, text in enumerate(make_corpus(20, seed=11).texts)]
    grown = {(p.a, p.b): p for p in build_report(docs + others).pairs if p.b < len(docs)}
    assert alone.keys() == grown.keys()
    for key, pair in alone.items():
        assert abs(grown[key].a_share - pair.a_share) <= SHARE_TOLERANCE, key
        assert abs(grown[key].b_share - pair.b_share) <= SHARE_TOLERANCE, key


def test_near_duplicates_give_one_family_per_statement(seeds: dict[str, Document]) -> None:
    original = seeds["000"]
    copies = [near_copy(original, every, f"copy-{every}") for every in (6, 8, 11)]
    report = build_report([original, *copies])
    kept = [s.span for s in segment(original).segments  # the copies drop the last paragraph
            if s.role is SegmentRole.TEXT and s.span.end <= original.text.rindex("\n\n")]
    longest = max(len(span) for span in kept)
    # One family per statement of the original, each in all four documents, never a document whole: in the
    # original, the families' members are disjoint and cover every sentence the copies kept.
    assert len(report.families) >= len(kept) // 2
    assert all(f.spread == 4 == len({m.document for m in f.members}) for f in report.families)
    assert all(len(m.span) <= 2 * longest for f in report.families for m in f.members)
    in_original = sorted(m.span for f in report.families for m in f.members if m.document == 0)
    assert all(x.end <= y.start for x, y in pairwise(in_original))
    assert all(any(m.start <= s.start and s.end <= m.end for m in in_original) for s in kept)


def test_near_copies_make_phrases_stock_only_by_the_cap_and_the_report_says_so(
        seeds: dict[str, Document], monkeypatch: pytest.MonkeyPatch) -> None:
    # Near-copies of 000 multiply the holders of its phrases.  With a small cap (the rule of
    # ``shingles.stock_cap`` at a tiny corpus) they become stock: that may decide which pairs are compared,
    # never a compared pair's figures, and the report's notes say so.
    from compare import shingles

    docs = list(seeds.values())
    copies = [near_copy(docs[0], every, f"copy-{every}") for every in (5, 6, 7, 8, 9, 11)]
    plain = build_report(docs + copies)
    assert not any("Stock phrases" in note for note in plain.notes)  # the default cap keeps them all
    monkeypatch.setattr(shingles, "MIN_STOCK_CAP", 4)
    monkeypatch.setattr(shingles, "PAIRS_PER_SEGMENT", 0)
    capped = build_report(docs + copies)
    [note] = [note for note in capped.notes if note.startswith("Stock phrases")]
    assert "held by more than 4 text segments" in note
    def figures(pair: PairReport) -> tuple[object, ...]:
        return pair.a_share, pair.b_share, [(p.a, p.b, p.kind, p.score) for p in pair.passages]

    before = {(p.a, p.b): figures(p) for p in plain.pairs}
    assert capped.pairs and all(figures(pair) == before[(pair.a, pair.b)] for pair in capped.pairs)
