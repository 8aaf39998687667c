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
from dataclasses import dataclass, replace

import numpy as np

from compare.calibration import LinkModel, default_model, log_odds, semantic_model
from compare.candidates import holds_word
from compare.clauses import MAX_CLAUSES, MAX_WINDOW, MIN_SHARED_WORDS, clause_spans, shared_clause_score
from compare.evidence import measure
from compare.model import Options, Span
from compare.scoring import Features, Scorer, passage_features
from compare.shingles import Hashes, Ints, PreparedDocument, phrase_hash, word_hash


@dataclass(frozen=True, slots=True)
class DocumentCounts:
    """How many of one document's text segments hold each word and phrase (sorted hashes, counts), its size."""

    segments: int
    chars: int
    words: Hashes
    word_counts: Ints
    phrases: Hashes
    phrase_counts: Ints

    def count(self, hashes: Hashes, phrases: bool = False) -> Ints:
        """Return how many text segments hold each hash (0 for one never seen)."""
        known, counts = (self.phrases, self.phrase_counts) if phrases else (self.words, self.word_counts)
        if not len(known):
            return np.zeros(len(hashes), dtype=np.int64)
        at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
        return np.where(known[at] == hashes, counts[at], 0)


def document_counts(doc: PreparedDocument, text: str) -> DocumentCounts:
    """Return the counts the compare view's word weights and length bias are built from, for one document.

    Word weights count every text segment (``scoring.fit_scorer``); the
    length bias counts the characters of those the aligner pairs
    (``evidence.length_bias`` over ``candidates.text_segments``).
    """
    words, word_counts = np.unique(doc.words, return_counts=True)
    phrases, phrase_counts = np.unique(doc.phrases, return_counts=True)
    chars = sum(len(span) for span in doc.segments if holds_word(text, span))
    return DocumentCounts(len(doc.spans), chars, words, word_counts.astype(np.int64), phrases,
                          phrase_counts.astype(np.int64))


def pair_scorer(a: DocumentCounts, b: DocumentCounts, features: Sequence[Features]) -> Scorer:
    """Return the scorer ``fit_scorer`` would learn from the two documents, for the words of ``features``.

    Weights are smoothed inverse frequencies over the text segments of the
    two documents, as in ``compare.scoring.fit_scorer``; only the weights of
    the given passages' words and phrases are looked up.
    """
    total = max(a.segments + b.segments, 1)
    words = sorted({k for f in features for k in f.words})
    phrases = sorted({p for f in features for p in f.phrases})
    word_hashes = np.array([word_hash(k) for k in words], dtype=np.uint64)
    phrase_hashes = np.array([phrase_hash(p) for p in phrases], dtype=np.uint64)
    word_df = np.maximum(a.count(word_hashes) + b.count(word_hashes), 1)
    phrase_df = np.maximum(a.count(phrase_hashes, phrases=True) + b.count(phrase_hashes, phrases=True), 1)
    word_idf = dict(zip(words, np.log(1 + total / word_df).tolist(), strict=True))
    phrase_idf = dict(zip(phrases, np.log(1 + total / phrase_df).tolist(), strict=True))
    return Scorer(word_idf, phrase_idf, math.log(1 + total), ())


class AnchorBound:
    """Upper bounds on the compare view's link log-odds of segment pairs of two documents.

    ``texts``, ``spans`` and ``counts`` are those of the documents the
    pairs come from, by document number.
    """

    def __init__(self, texts: Mapping[int, str], spans: Mapping[int, Sequence[Span]],
                 counts: Mapping[int, DocumentCounts], options: Options, model: LinkModel | None = None) -> None:
        self.texts, self.spans, self.counts, self.options = texts, spans, counts, options
        self.model = (model or (semantic_model() if options.semantic else default_model())).link
        self.shift = log_odds(options.min_score)
        self._raw: dict[tuple[int, int], Features] = {}
        self._clauses: dict[tuple[int, int], list[Features]] = {}

    def raw(self, document: int, segment: int) -> Features:
        """Return the unweighed features of one text segment (computed once)."""
        key = (document, segment)
        found = self._raw.get(key)
        if found is None:
            span = self.spans[document][segment]
            found = self._raw[key] = passage_features(self.texts[document], span.start, span.end)
        return found

    def clauses(self, document: int, segment: int) -> list[Features]:
        """Return the unweighed features of a segment's clauses, as ``clauses.clause_windows`` cuts them."""
        key = (document, segment)
        found = self._clauses.get(key)
        if found is None:
            text = self.texts[document]
            spans = clause_spans(text, self.spans[document][segment])
            found = [] if len(spans) > MAX_CLAUSES else [passage_features(text, c.start, c.end) for c in spans]
            self._clauses[key] = found
        return found

    def windows(self, scorer: Scorer, document: int, segment: int) -> list[Features]:
        """Return a segment's weighed clause windows, built as ``clauses.clause_windows`` builds them."""
        single = [scorer.weighed(clause) for clause in self.clauses(document, segment)]
        return [scorer.combine(single[first : first + size]) for first in range(len(single))
                for size in range(1, MAX_WINDOW + 1) if first + size <= len(single)]

    def could_anchor(self, a: int, i: int, b: int, j: int) -> bool:
        """Tell whether segment ``i`` of ``a`` and ``j`` of ``b`` could be an anchor of the compare view.

        True when an upper bound on their link log-odds beats the threshold.
        The cheap bounds come first: the clause score at its lowest (the
        pair's own score: when that passes, the pair could anchor), then,
        when the two share enough words for a clause to count at all, at its
        highest (1: when that fails, the pair cannot); only between the two
        are the clause windows scored.
        """
        raw_a, raw_b = self.raw(a, i), self.raw(b, j)
        scorer = pair_scorer(self.counts[a], self.counts[b], (raw_a, raw_b))
        fa, fb = scorer.weighed(raw_a), scorer.weighed(raw_b)
        if self._bound_of(scorer, fa, fb, a, b, 0.0) > 0:
            return True
        shared = fa.words.keys() & fb.words.keys()
        if sum(not key.isdigit() for key in shared) < MIN_SHARED_WORDS or self.model.weight_of("clause") <= 0:
            return False  # no clause window can score (``clauses.shared_clause_score``), or none can help
        if self._bound_of(scorer, fa, fb, a, b, 1.0) <= 0:
            return False
        windows_a, windows_b = self.windows(scorer, a, i), self.windows(scorer, b, j)
        return self._bound_of(scorer, fa, fb, a, b, shared_clause_score(scorer, windows_a, windows_b)) > 0

    def _bound_of(self, scorer: Scorer, fa: Features, fb: Features, a: int, b: int, clause: float) -> float:
        """Return the bound on the link log-odds (past the threshold) with the clause score at ``clause``."""
        chars_a, chars_b = self.counts[a].chars, self.counts[b].chars
        bias = math.log(chars_a) - math.log(chars_b) if chars_a and chars_b else 0.0
        weights = dict(zip(self.model.features, self.model.weights, strict=True))
        cosine = math.copysign(1.0, weights["cosine"]) if weights.get("cosine") else 0.0  # embeddings at best
        # The fewest rivals (margin at its highest), or the most when the model weighs the margin against a link.
        crowd = scorer.score(fa, fb) / self.options.candidates_per_segment if weights.get("margin", 0.0) >= 0 else 1.0
        evidence = measure(scorer, fa, fb, bias, clause=clause, crowd=crowd, cosine=cosine)
        if weights.get("clause", 0.0) < 0:
            evidence = replace(evidence, clause=evidence.variant)  # the clause score at its lowest
        return self.model.log_odds(evidence.vector()) - self.shift
