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

import numpy as np

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

    A window's phrases are its clauses' phrases (none across a clause break).
    A span of more than ``MAX_CLAUSES`` clauses has none.
    """
    clauses = clause_spans(text, span)
    if len(clauses) > MAX_CLAUSES:
        return []
    single = [scorer.features_of(text, clause.start, clause.end) for clause in clauses]  # each clause read once
    return [scorer.combine(single[first : first + size]) for first in range(len(clauses))
            for size in range(1, MAX_WINDOW + 1) if first + size <= len(clauses)]


def shared_clause_score(scorer: Scorer, windows_a: Sequence[Features], windows_b: Sequence[Features],
                        cutoff: float = 0.0) -> float:
    """Return the best whole-passage score of a clause window of A against one of B, in [0, 1].

    Windows sharing fewer than ``MIN_SHARED_WORDS`` distinct content words
    (numbers aside) are not compared: a short shared phrase or a date is
    vocabulary, not a clause.  Scores below ``cutoff`` may come back as 0.
    Branch and bound: window pairs are tried in the order of an upper bound
    on their score from their weights alone (shared weight is at most the
    smaller total), and the search stops once the bound falls to the best
    score found, as difflib checks ``quick_ratio`` before ``ratio``.
    """
    if not windows_a or not windows_b:
        return 0.0
    words_a = np.array([w.word_total for w in windows_a])[:, None]
    words_b = np.array([w.word_total for w in windows_b])[None, :]
    phrases_a = np.array([w.phrase_total for w in windows_a])[:, None]
    phrases_b = np.array([w.phrase_total for w in windows_b])[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        words = np.nan_to_num(2 * np.minimum(words_a, words_b) / (words_a + words_b))
        phrase_sum = phrases_a + phrases_b
        phrases = np.where(phrase_sum > 0, 2 * np.minimum(phrases_a, phrases_b) / np.where(phrase_sum > 0, phrase_sum,
                                                                                             1), words)
    bounds = ((1 - PHRASE_WEIGHT) * words + PHRASE_WEIGHT * phrases).ravel()
    order = np.argsort(-bounds, kind="stable")
    best = 0.0
    width = len(windows_b)
    for flat in order.tolist():
        bound = bounds[flat]
        if bound < cutoff or bound <= best:
            break
        window_a, window_b = windows_a[flat // width], windows_b[flat % width]
        shared = window_a.words.keys() & window_b.words.keys()
        if len(shared) >= MIN_SHARED_WORDS and sum(not key.isdigit() for key in shared) >= MIN_SHARED_WORDS:
            best = max(best, scorer.variant(window_a, window_b))
    return best


def shared_clause_link_score(score: float, clause: float) -> float:
    """Return the score of a pair kept for its shared clause: its own, or the discounted clause score."""
    return max(score, PARTIAL_DISCOUNT * clause)
