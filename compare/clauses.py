"""Clauses: the pieces of a sentence, and the clause two sentences share.

Related reports restate one another a clause at a time: a summary's long
sentence may hold, between commas, a clause that a report says in a sentence
of its own, or inside another long sentence about something else.  Scored
whole, such a pair looks no closer than two sentences that merely share
stock vocabulary.  Scored clause against clause, it stands out: the best
pair of clause windows (one to a few consecutive clauses on each side) is
scored as two whole passages, so the shared clause must be said alike from
end to end, while a stock phrase inside longer, different clauses is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from compare.model import Span
from compare.scoring import PARTIAL_DISCOUNT, PHRASE_WEIGHT, Features, Scorer

CLAUSE_END = re.compile(r"[.;:!?][\"')\]’”]*(?=\s)")  # full clause ends: what parallel texts split at
CLAUSE_BREAK = re.compile(r"[,;:!?]['\")\]’”]*(?=\s)|\s[–—](?=\s)|\.(?=\s)")  # commas and dashes too
MAX_WINDOW = 3  # consecutive clauses a window may hold
MIN_SHARED_WORDS = 4  # content words two windows must share to count as one clause said twice
MAX_CLAUSES = 16  # a longer segment (a paragraph) is not searched clause by clause: cost grows as its square


def clause_spans(text: str, span: Span, breaks: re.Pattern[str] = CLAUSE_BREAK) -> list[Span]:
    """Cut a span after each match of ``breaks`` into pieces that tile it, leading spaces trimmed.

    >>> text = "We met, we talked; we left."
    >>> [s.slice(text) for s in clause_spans(text, Span(0, len(text)))]
    ['We met,', 'we talked;', 'we left.']
    """
    cuts = [span.start]
    for match in breaks.finditer(text, span.start, span.end):
        if span.start < match.end() < span.end:
            cuts.append(match.end())
    cuts.append(span.end)
    pieces = []
    for start, end in pairwise(cuts):
        while start < end and text[start].isspace():
            start += 1
        if start < end:
            pieces.append(Span(start, end))
    return pieces


def clause_windows(scorer: Scorer, text: str, span: Span) -> list[Features]:
    """Return the weighed features of every run of one to ``MAX_WINDOW`` consecutive clauses of a span.

    A span of more than ``MAX_CLAUSES`` clauses has none.
    """
    clauses = clause_spans(text, span)
    if len(clauses) > MAX_CLAUSES:
        return []
    return [scorer.features_of(text, clauses[first].start, clauses[first + size - 1].end)
            for first in range(len(clauses))
            for size in range(1, MAX_WINDOW + 1) if first + size <= len(clauses)]


def shared_clause_score(scorer: Scorer, windows_a: Sequence[Features], windows_b: Sequence[Features],
                        cutoff: float = 0.0) -> float:
    """Return the best whole-passage score of a clause window of A against one of B, in [0, 1].

    Windows sharing fewer than ``MIN_SHARED_WORDS`` distinct content words
    (numbers aside) are not compared: a short shared phrase or a date is
    vocabulary, not a clause.  Scores below ``cutoff`` may come back as 0:
    a window pair whose weights alone bound its score below the cutoff, or
    below the best so far, is skipped (as difflib checks ``quick_ratio``
    before ``ratio``).
    """
    best = 0.0
    totals_b = [(window.word_total, window.phrase_total) for window in windows_b]
    for window_a in windows_a:
        keys_a, words_a, phrases_a = window_a.words.keys(), window_a.word_total, window_a.phrase_total
        for window_b, (words_b, phrases_b) in zip(windows_b, totals_b, strict=True):
            # An upper bound from the weights alone: shared weight is at most the smaller total.
            words = 2 * min(words_a, words_b) / (words_a + words_b) if words_a + words_b else 0.0
            phrases = 2 * min(phrases_a, phrases_b) / (phrases_a + phrases_b) if phrases_a + phrases_b else words
            bound = (1 - PHRASE_WEIGHT) * words + PHRASE_WEIGHT * phrases
            if bound < cutoff or bound <= best:
                continue
            shared = keys_a & window_b.words.keys()
            if len(shared) >= MIN_SHARED_WORDS and sum(not key.isdigit() for key in shared) >= MIN_SHARED_WORDS:
                best = max(best, scorer.score_parts(window_a, window_b)[1])
    return best


def shared_clause_link_score(score: float, clause: float) -> float:
    """Return the score of a pair kept for its shared clause: its own, or the discounted clause score."""
    return max(score, PARTIAL_DISCOUNT * clause)
