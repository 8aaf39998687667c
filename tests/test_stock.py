"""Stock phrases of a corpus: a clause many documents repeat is not counted as reuse by the report."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from compare import Document, Options, SegmentRole, Span, build_report, compare_documents, segment
from compare.model import PairKind
from compare.shingles import prepare_documents
from compare.stock import STOCK_DOCUMENTS, is_stock, runs_in, stock_runs

STOCK = "extensive consultation, joint contribution and shared benefits"
OPENERS = ["At the harbour on Monday the mayor thanked the fishermen",
           "Farmers from the orchards north of the river asked for rain",
           "The railway union, meeting in a cold hall, voted against the strike",
           "Librarians across the county counted their old maps",
           "A small bakery in the square sold out of bread by noon",
           "The vineyard owners blamed the late frost for the poor harvest",
           "Museum curators unpacked a crate of Roman coins",
           "Brewers complained that barley prices doubled",
           "The stadium roof leaked during the cup final",
           "Nurses at the hospital asked for longer breaks",
           "The theatre staged an old comedy to full houses",
           "Pilots at the airport waited hours for fuel"]


@pytest.fixture(scope="module")
def repeating(seeds: dict[str, Document]) -> list[Document]:
    """Twelve documents about different things (sentences of two seed reports, none twice), each ending in a
    sentence of its own that pledges the same formula."""
    pool = [s.span.slice(d.text) for d in (seeds["001"], seeds["003"]) for s in segment(d).segments
            if s.role is SegmentRole.TEXT and len(s.span) > 60]
    documents = []
    for k, opener in enumerate(OPENERS):
        clause = pool[12 + k].rstrip(".")
        documents.append(Document(f"doc-{k}", f"{pool[k]} {opener}, and {clause[0].lower()}{clause[1:]}, "
                                              f"pledging {STOCK}."))
    return documents


FORMULA_WORDS = {"pledging", *re.findall(r"\w+", STOCK)}
MINOR = {"a", "an", "and", "at", "by", "for", "in", "its", "of", "on", "the", "to", "with"}


def stock_partials(documents: list[Document]) -> set[tuple[int, int, Span, Span]]:
    """The compare view's clause-level passages whose two sides share no word but the formula's, by pair."""
    found = set()
    for x, y in combinations(range(len(documents)), 2):
        comparison = compare_documents(documents[x], documents[y])
        for passage in comparison.passages:
            kinds = {comparison.pairs[k].kind for k in passage.pairs}
            words_a, words_b = ({w.lower() for w in re.findall(r"\w+", span.slice(d.text))} - MINOR
                                for span, d in ((passage.a, documents[x]), (passage.b, documents[y])))
            if kinds == {PairKind.PARTIAL} and words_a & words_b and words_a & words_b <= FORMULA_WORDS:
                found.add((x, y, passage.a, passage.b))
    return found


def test_runs_held_by_more_documents_than_the_bar_are_stock(repeating: list[Document]) -> None:
    prepared = prepare_documents(repeating, Options())
    stock = stock_runs(prepared)
    at = repeating[0].text.index(STOCK)
    formula = set(runs_in(prepared[0], Span(at, at + len(STOCK))).tolist())
    assert formula & stock  # the formula's own runs are held by all twelve
    opener = repeating[0].text.index(OPENERS[0])
    assert not set(runs_in(prepared[0], Span(opener, opener + len(OPENERS[0]))).tolist()) - formula & stock
    assert stock_runs(prepared[:STOCK_DOCUMENTS]) == frozenset()  # ten holders are not more than ten


def test_a_formula_many_documents_repeat_is_not_counted_and_the_report_says_so(repeating: list[Document]) -> None:
    linked = stock_partials(repeating)
    assert linked  # the compare view links the formula, clause against clause
    report = build_report(repeating)
    counted = {(p.a, q.a, q.b) for p in report.pairs for q in p.passages}
    assert not {(x, passage_a, passage_b) for x, _, passage_a, passage_b in linked} & counted
    [note] = [n for n in report.notes if "stock phrases" in n]
    assert f"held by more than {STOCK_DOCUMENTS} documents" in note and "the compare view shows them" in note
    prepared = prepare_documents(repeating, Options())
    stock = stock_runs(prepared)
    assert all(not is_stock(prepared[p.a], q.a, prepared[p.b], q.b, stock) or q.kind is not PairKind.PARTIAL
               for p in report.pairs for q in p.passages)


def test_with_no_more_holders_than_the_bar_the_report_is_the_compare_views(repeating: list[Document]) -> None:
    few = repeating[:STOCK_DOCUMENTS]
    report = build_report(few)
    assert not any("stock phrases" in n for n in report.notes)
    by_pair = {(p.a, p.b): p for p in report.pairs}
    for x, y, passage_a, passage_b in stock_partials(few):
        assert any((q.a, q.b) == (passage_a, passage_b) for q in by_pair[(x, y)].passages)


def test_near_copies_share_every_run_and_keep_every_passage(seeds: dict[str, Document]) -> None:
    # A corpus of more near-copies than the bar: every run is held by all, but whole sentences said alike are
    # never stock, so every pair is reported with the compare view's shares.
    original = seeds["002"]
    sentences = [s.span for s in segment(original).segments if s.role is SegmentRole.TEXT]
    copies = []
    for k in range(STOCK_DOCUMENTS + 1):  # copy k edits one word of sentence k: every run stays in 11 or more
        span = sentences[k % len(sentences)]
        words = span.slice(original.text).split(" ")
        edited = " ".join([*words[:2], "revised", *words[3:]])
        copies.append(Document(f"copy-{k}", original.text[: span.start] + edited + original.text[span.end :]))
    documents = [original, *copies]
    prepared = prepare_documents(documents, Options())
    assert set(runs_in(prepared[0], sentences[2]).tolist()) <= stock_runs(prepared)  # a sentence's runs: all stock
    report = build_report(documents)
    assert not any("stock phrases" in n for n in report.notes)
    assert len(report.pairs) == len(documents) * (len(documents) - 1) // 2
    pair = report.pairs[0]
    comparison = compare_documents(documents[pair.a], documents[pair.b])
    assert (pair.a_share, pair.b_share) == (round(comparison.shared_share("a"), 4),
                                            round(comparison.shared_share("b"), 4))
