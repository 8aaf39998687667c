"""Which pairs of documents the report aligns: those where a retrieved segment pair could be a link.

``compare_documents`` pairs nothing unless some candidate pair of segments
is worth a link on its own: its log-odds under the fitted link model
(``compare.calibration``), computed from the two documents' word weights,
beat the threshold of ``Options.min_score``.  Every other step (the beads
filling the gaps between such anchors, moved passages, second partners)
starts from anchors or costs more than an anchor.  So a pair of documents
is worth aligning only when one of its segment pairs could be an anchor.

The filter computes, for each retrieved segment pair, an upper bound on
those log-odds: every feature of the link model (``compare.evidence``) is
measured exactly as the compare view measures it, with the word weights the
compare view gives the two documents (inverse frequencies over the
segments of the two documents alone, rebuilt here from each document's own
counts: ``pair_scorer`` equals ``fit_scorer`` of the two), except the two
features that depend on the rest of the alignment, taken at their most
favourable value: the clause score at its best clause window (or 1 before
it is computed) and the margin against the most favourable crowd a
candidate can have (a segment's crowd is the mean of its best
``candidates_per_segment`` candidate scores, one of them at least this
pair's: at least its score over that number).  The bound never falls below
the compare view's log-odds, so no pair the compare view would anchor is
left out; what it passes that the compare view then leaves empty costs one
comparison, never a wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from compare.calibration import LinkModel, default_model, log_odds
from compare.clauses import clause_windows, shared_clause_score
from compare.evidence import measure
from compare.model import Options, Span
from compare.scoring import Features, Scorer, passage_features
from compare.shingles import PreparedDocument, phrase_hash, word_hash


@dataclass(frozen=True, slots=True)
class DocumentCounts:
    """How many of one document's text segments hold each word and phrase (by hash), and its text size."""

    segments: int
    chars: int
    words: dict[int, int]
    phrases: dict[int, int]


def document_counts(doc: PreparedDocument) -> DocumentCounts:
    """Return the counts the compare view's word weights are built from, for one prepared document."""
    words, word_counts = np.unique(doc.words, return_counts=True)
    phrases, phrase_counts = np.unique(doc.phrases, return_counts=True)
    return DocumentCounts(len(doc.spans), doc.counted_chars,
                          dict(zip(words.tolist(), word_counts.tolist(), strict=True)),
                          dict(zip(phrases.tolist(), phrase_counts.tolist(), strict=True)))


def pair_scorer(a: DocumentCounts, b: DocumentCounts, features: Sequence[Features]) -> Scorer:
    """Return the scorer ``fit_scorer`` would learn from the two documents, for the words of ``features``.

    Weights are smoothed inverse frequencies over the text segments of the
    two documents, as in ``compare.scoring.fit_scorer``; only the weights of
    the given passages' words and phrases are looked up.
    """
    total = max(a.segments + b.segments, 1)

    def idf(count: int) -> float:
        return math.log(1 + total / max(count, 1))

    words = {k for f in features for k in f.words}
    phrases = {p for f in features for p in f.phrases}
    word_idf = {}
    for k in words:
        h = word_hash(k)
        word_idf[k] = idf(a.words.get(h, 0) + b.words.get(h, 0))
    phrase_idf = {}
    for p in phrases:
        h = phrase_hash(p)
        phrase_idf[p] = idf(a.phrases.get(h, 0) + b.phrases.get(h, 0))
    return Scorer(word_idf, phrase_idf, math.log(1 + total), ())


class AnchorBound:
    """Upper bounds on the compare view's link log-odds of segment pairs of two documents.

    ``texts``, ``spans`` and ``counts`` are those of the documents the
    pairs come from, by document number.
    """

    def __init__(self, texts: Mapping[int, str], spans: Mapping[int, Sequence[Span]],
                 counts: Mapping[int, DocumentCounts], options: Options, model: LinkModel | None = None) -> None:
        self.texts, self.spans, self.counts, self.options = texts, spans, counts, options
        self.model = (model or default_model()).link
        self.shift = log_odds(options.min_score)
        self._raw: dict[tuple[int, int], Features] = {}

    def raw(self, document: int, segment: int) -> Features:
        """Return the unweighed features of one text segment (computed once)."""
        key = (document, segment)
        found = self._raw.get(key)
        if found is None:
            span = self.spans[document][segment]
            found = self._raw[key] = passage_features(self.texts[document], span.start, span.end)
        return found

    def log_odds(self, a: int, i: int, b: int, j: int) -> float:
        """Return an upper bound on the link log-odds (past the threshold) of segment ``i`` of ``a`` and ``j`` of ``b``.

        The clause score is computed only when the bound with a perfect
        clause would pass.
        """
        raw_a, raw_b = self.raw(a, i), self.raw(b, j)
        scorer = pair_scorer(self.counts[a], self.counts[b], (raw_a, raw_b))
        fa, fb = scorer.weighed(raw_a), scorer.weighed(raw_b)
        bound = self._bound_of(scorer, fa, fb, a, b, 1.0)
        if bound <= 0 or self.model.weight_of("clause") <= 0:
            return bound
        span_a, span_b = self.spans[a][i], self.spans[b][j]
        clause = shared_clause_score(scorer, clause_windows(scorer, self.texts[a], span_a),
                                     clause_windows(scorer, self.texts[b], span_b))
        return self._bound_of(scorer, fa, fb, a, b, clause)

    def _bound_of(self, scorer: Scorer, fa: Features, fb: Features, a: int, b: int, clause: float) -> float:
        """Return the bound for weighed features with the clause score at ``clause``."""
        chars_a, chars_b = self.counts[a].chars, self.counts[b].chars
        bias = math.log(chars_a) - math.log(chars_b) if chars_a and chars_b else 0.0
        score = scorer.score(fa, fb)
        keep = self.options.candidates_per_segment
        high = measure(scorer, fa, fb, bias, clause=clause, crowd=score / keep).vector()  # the fewest rivals
        low = measure(scorer, fa, fb, bias, clause=0.0, crowd=1.0).vector()  # clause: the passage's own score
        best = [h if w >= 0 else lo for h, lo, w in zip(high, low, self.model.weights, strict=True)]
        return self.model.log_odds(best) - self.shift
