"""The report's filter of document pairs: its bound never falls below the compare view's link odds."""

from __future__ import annotations

from itertools import combinations

import pytest

from compare import Document, Options, segment
from compare.align import _Search
from compare.calibration import default_model
from compare.candidates import find_candidates
from compare.scoring import fit_scorer
from compare.sharing import AnchorBound, document_counts
from compare.shingles import prepare_documents


def exact_link_odds(a: Document, b: Document, options: Options) -> dict[tuple[int, int], float]:
    """The compare view's link log-odds (past the threshold) of every candidate, clause score included."""
    seg_a, seg_b = segment(a, options), segment(b, options)
    scorer = fit_scorer([seg_a, seg_b])
    candidates = find_candidates(scorer, seg_a, seg_b, options)
    search = _Search(scorer, seg_a, seg_b, candidates, options, default_model())
    odds = {pair: search.link_odds(*pair) for pair in sorted(candidates)}
    for pair in search.unrefined:  # the lazy clause scores, computed
        odds[pair] = search._with_clause(*pair, search.unrefined[pair][0])
    spans_a = [s.span for s in seg_a.segments]
    spans_b = [s.span for s in seg_b.segments]
    return {(spans_a[i].start, spans_b[j].start): value for (i, j), value in odds.items()}


@pytest.fixture(scope="module")
def corpus(seeds: dict[str, Document]) -> list[Document]:
    from benchmarks.synthetic_corpus import make_corpus

    return [*seeds.values(), *(Document(f"s{k}", t) for k, t in enumerate(make_corpus(10, seed=2).texts[:5]))]


def test_every_pair_the_compare_view_could_link_passes_the_filter(corpus: list[Document]) -> None:
    options = Options()
    prepared = prepare_documents(corpus, options)
    bound = AnchorBound({d: doc.text for d, doc in enumerate(corpus)}, {d: p.segments for d, p in enumerate(prepared)},
                        {d: document_counts(p, corpus[d].text) for d, p in enumerate(prepared)}, options)
    starts = [{span.start: k for k, span in enumerate(p.segments)} for p in prepared]
    linked = 0
    for x, y in combinations(range(len(corpus)), 2):
        for (start_a, start_b), odds in exact_link_odds(corpus[x], corpus[y], options).items():
            i, j = starts[x][start_a], starts[y][start_b]
            if odds > 0:
                linked += 1
                assert bound.could_anchor(x, i, y, j), (x, y, i, j, odds)
    assert linked >= 20  # the seeds' renderings and the planted copies link segment pairs


def test_the_filter_rejects_pairs_that_share_only_vocabulary() -> None:
    a = Document("a", "The council met on Tuesday to discuss the harbour budget and the new ferry timetable.")
    b = Document("b", "Fishermen said the harbour was quiet on Tuesday while the ferry stayed in port all day.")
    options = Options()
    prepared = prepare_documents([a, b], options)
    bound = AnchorBound({0: a.text, 1: b.text}, {0: prepared[0].segments, 1: prepared[1].segments},
                        {0: document_counts(prepared[0], a.text), 1: document_counts(prepared[1], b.text)}, options)
    assert all(value <= 0 for value in exact_link_odds(a, b, options).values())
    assert not bound.could_anchor(0, 0, 1, 0)
