from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import Document, segment
from compare.clauses import MAX_CLAUSES, MIN_SHARED_WORDS, clause_spans, clause_windows, shared_clause_score
from compare.model import Span
from compare.scoring import Features, Scorer, fit_scorer

FILLER = ("The harbour froze in January. Farmers sold their sheep at the autumn fair. "
          "The old bridge was closed for repairs. A new school opened near the mill. ")


def scorer_for(*texts: str) -> Scorer:
    return fit_scorer([segment(Document(str(k), text + FILLER)) for k, text in enumerate(texts)])


def best(scorer: Scorer, a: str, b: str) -> float:
    return shared_clause_score(scorer, clause_windows(scorer, a, Span(0, len(a))),
                               clause_windows(scorer, b, Span(0, len(b))))


def test_clause_spans_tile_the_span_at_commas_semicolons_and_dashes() -> None:
    text = "Prices rose, wages fell; the mayor – who had promised otherwise – resigned."
    pieces = clause_spans(text, Span(0, len(text)))
    assert [p.slice(text) for p in pieces] == [
        "Prices rose,", "wages fell;", "the mayor –", "who had promised otherwise –", "resigned."]
    assert all(x.end <= y.start for x, y in pairwise(pieces))


def test_a_clause_said_alike_inside_two_different_sentences_scores_high() -> None:
    a = ("Looking ahead, the council promised cheaper ferries, and it vowed to rebuild the flooded "
         "granary before the spring rains.")
    b = ("Taxes will not rise this year, the treasurer said, the town will rebuild the flooded granary "
         "before the spring rains, and the museum reopens in May.")
    scorer = scorer_for(a, b)
    whole = scorer.score(scorer.features_of(a, 0, len(a)), scorer.features_of(b, 0, len(b)))
    assert best(scorer, a, b) >= 0.66 > whole


def test_shared_words_spread_over_different_clauses_score_low() -> None:
    a = "The granary flooded, the council met, and the spring rains came early."
    b = "In spring the council inspected the roads, and rains delayed the granary audit."
    scorer = scorer_for(a, b)
    assert best(scorer, a, b) < 0.66


def test_numbers_alone_are_not_a_shared_clause() -> None:
    a = "Volume 12, January 1, 2009; 296(1): 45-52, reprinted."
    b = "Cited in Heart Physiology, January 1, 2009; 296(1): 45-52."
    scorer = scorer_for(a, b)
    assert best(scorer, a, b) == 0.0


def test_a_segment_of_more_clauses_than_the_cap_has_no_windows() -> None:
    """Windows are compared all against all: a long paragraph is not searched clause by clause."""
    text = ", ".join(f"clause {word} stands here" for word in "abcdefghijklmnopqrstuvwxyz") + "."
    scorer = scorer_for(text)
    assert len(clause_spans(text, Span(0, len(text)))) > MAX_CLAUSES
    assert clause_windows(scorer, text, Span(0, len(text))) == []
    short = "One clause here, another there, a third at the end."
    assert len(clause_windows(scorer, short, Span(0, len(short)))) == 6  # 3 + 2 + 1 runs of consecutive clauses


def reference_score(scorer: Scorer, windows_a: list[Features], windows_b: list[Features]) -> float:
    """All window pairs scored, no bound: what shared_clause_score must agree with."""
    return max((scorer.score_parts(x, y)[1] for x in windows_a for y in windows_b
                if sum(not key.isdigit() for key in x.words.keys() & y.words.keys()) >= MIN_SHARED_WORDS),
               default=0.0)


VOCABULARY = ["granary", "flooded", "council", "rebuild", "spring", "rains", "ferry", "tickets", "harbour",
              "froze", "january", "mayor", "museum", "taxes", "2009", "the", "and", "before"]
clause_text = st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=7).map(" ".join),
                       min_size=1, max_size=6).map(lambda clauses: ", ".join(clauses) + ".")


@settings(max_examples=150, deadline=None)
@given(clause_text, clause_text, st.sampled_from([0.0, 0.5, 0.66, 0.9]))
def test_bounded_search_agrees_with_scoring_every_window_pair(a: str, b: str, cutoff: float) -> None:
    scorer = scorer_for(a, b)
    windows_a, windows_b = clause_windows(scorer, a, Span(0, len(a))), clause_windows(scorer, b, Span(0, len(b)))
    reference = reference_score(scorer, windows_a, windows_b)
    fast = shared_clause_score(scorer, windows_a, windows_b, cutoff)
    assert 0.0 <= fast <= 1.0 + 1e-9
    if reference >= cutoff:
        assert fast == pytest.approx(reference, abs=1e-12)
    else:
        assert fast < cutoff
    assert shared_clause_score(scorer, windows_b, windows_a, cutoff) == pytest.approx(fast, abs=1e-12)
