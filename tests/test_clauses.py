from __future__ import annotations

from itertools import pairwise

from compare import Document, segment
from compare.clauses import MAX_CLAUSES, clause_spans, clause_windows, shared_clause_score
from compare.model import Span
from compare.scoring import Scorer, fit_scorer

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
