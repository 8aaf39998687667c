"""Scoring: how surely two passages say the same thing, in [0, 1].

Shared vocabulary is not enough: related reports all say "China",
"development" and "international".  So words are weighted by how rare they
are *in the documents being compared* (inverse document frequency over their
segments), closed-class words count for nothing, and a pair must also share
*phrases* (consecutive content words, in order) to score high.  Two
views are combined:

- variant: weighted Dice of the words and of the phrases of both passages;
- partial: the same overlaps measured against the smaller passage (one
  passage holds a clause of the other), discounted so that a whole-passage
  match beats a contained one, and in proportion to the smaller passage's
  length (a short stock phrase is contained everywhere).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from rapidfuzz import fuzz

from compare.model import Segmentation, SegmentRole
from compare.normalize import FUNCTION_WORDS, fold, token_keys

PARTIAL_DISCOUNT = 0.8  # a contained clause scores below a whole-passage match
MIN_PARTIAL_SHARED = 4  # shared content words needed before containment counts
PHRASE_WEIGHT = 0.5  # share of the score carried by shared phrases (vs words)
FULL_PARTIAL_WORDS = 12  # content words a contained passage needs for full containment credit


@dataclass(frozen=True, slots=True)
class Features:
    """What scoring looks at in one passage (one segment or several merged)."""

    words: Counter[str]  # content-word keys with counts
    phrases: frozenset[tuple[str, str]]  # consecutive content-word pairs
    folded: str  # the passage folded for character comparison
    length: int  # characters of the original passage
    word_total: float = 0.0  # summed weights of the words (set by a Scorer)
    phrase_total: float = 0.0  # summed weights of the phrases (set by a Scorer)


@dataclass(frozen=True, slots=True)
class Overlap:
    """What two passages share: IDF-weighted Dice of their words and of their phrases, the share of the
    smaller passage's word weight found in the other (containment), the shared weight itself, the number of
    distinct content words shared, and the scorer's score."""

    words: float
    phrases: float
    contained: float
    weight: float
    count: int
    score: float  # what ``Scorer.score`` gives the two: the better of the whole-passage and containment views


@dataclass(frozen=True, slots=True)
class Scorer:
    """Weights learnt from a set of documents, and the features of their segments."""

    idf: dict[str, float]
    phrase_idf: dict[tuple[str, str], float]
    default_idf: float  # weight of a word or phrase the documents never showed
    features: tuple[tuple[Features, ...], ...]  # per document, per segment

    def word_weight(self, key: str) -> float:
        """Return the weight of one content word."""
        return self.idf.get(key, self.default_idf)

    def passage(self, document: int, segments: Sequence[int]) -> Features:
        """Return the features of consecutive segments of one document taken as one passage."""
        return self.combine([self.features[document][i] for i in segments])

    def weighed(self, features: Features) -> Features:
        """Return the features with their word and phrase totals under this scorer's weights."""
        idf, phrase_idf, default = self.idf, self.phrase_idf, self.default_idf
        word_total = math.fsum(idf.get(k, default) * n for k, n in features.words.items())
        phrase_total = math.fsum(phrase_idf.get(p, default) for p in features.phrases)
        return replace(features, word_total=word_total, phrase_total=phrase_total)

    def features_of(self, text: str, start: int, end: int) -> Features:
        """Return the weighed features of ``text[start:end]``."""
        return self.weighed(passage_features(text, start, end))

    def combine(self, parts: Sequence[Features]) -> Features:
        """Return the weighed features of consecutive passages taken as one."""
        if len(parts) == 1:
            return parts[0]
        joined = combine(parts)
        if len(joined.phrases) == sum(len(p.phrases) for p in parts):  # no phrase repeats: totals add up
            return replace(joined, word_total=math.fsum(p.word_total for p in parts),
                           phrase_total=math.fsum(p.phrase_total for p in parts))
        return self.weighed(joined)

    def score(self, a: Features, b: Features) -> float:
        """Return the similarity of two passages in [0, 1]."""
        return self.score_parts(a, b)[0]

    def score_parts(self, a: Features, b: Features) -> tuple[float, float]:
        """Return (score, variant score): the best view, and the whole-passage view alone."""
        words_a, words_b = a.words, b.words
        shared_keys = words_a.keys() & words_b.keys()  # a set operation in C: the hot path of alignment
        if not shared_keys:
            return 0.0, 0.0
        # fsum: exact whatever the iteration order of the sets, so scores
        # (and the ties they break) never depend on hash randomisation.
        idf, phrase_idf, default = self.idf, self.phrase_idf, self.default_idf
        shared_counts = [min(words_a[k], words_b[k]) for k in shared_keys]
        shared = math.fsum(idf.get(k, default) * n for k, n in zip(shared_keys, shared_counts, strict=True))
        weight_a, weight_b = a.word_total, b.word_total
        phrase_shared = math.fsum(phrase_idf.get(p, default) for p in a.phrases & b.phrases)
        phrase_a, phrase_b = a.phrase_total, b.phrase_total

        word_dice = 2 * shared / (weight_a + weight_b)
        phrase_dice = 2 * phrase_shared / (phrase_a + phrase_b) if phrase_a + phrase_b else word_dice
        variant = (1 - PHRASE_WEIGHT) * word_dice + PHRASE_WEIGHT * phrase_dice
        if sum(shared_counts) < MIN_PARTIAL_SHARED:
            return variant, variant
        word_contained = shared / min(weight_a, weight_b)
        smaller_phrases = min(phrase_a, phrase_b)
        phrase_contained = phrase_shared / smaller_phrases if smaller_phrases else word_contained
        # A short passage (a heading, a stock phrase) is contained in many
        # sentences by chance: containment counts in proportion to its length.
        evidence = min(1.0, min(a.words.total(), b.words.total()) / FULL_PARTIAL_WORDS)
        partial = PARTIAL_DISCOUNT * evidence * (
            (1 - PHRASE_WEIGHT) * word_contained + PHRASE_WEIGHT * phrase_contained)
        return max(variant, partial), variant

    def variant(self, a: Features, b: Features) -> float:
        """Return the whole-passage score of two passages alone (``score_parts``'s second value, computed alone)."""
        shared_keys = a.words.keys() & b.words.keys()
        if not shared_keys:
            return 0.0
        idf, phrase_idf, default = self.idf, self.phrase_idf, self.default_idf
        words_a, words_b = a.words, b.words
        shared = math.fsum(idf.get(k, default) * min(words_a[k], words_b[k]) for k in shared_keys)
        phrase_shared = math.fsum(phrase_idf.get(p, default) for p in a.phrases & b.phrases)
        word_dice = 2 * shared / (a.word_total + b.word_total)
        phrase_total = a.phrase_total + b.phrase_total
        phrase_dice = 2 * phrase_shared / phrase_total if phrase_total else word_dice
        return (1 - PHRASE_WEIGHT) * word_dice + PHRASE_WEIGHT * phrase_dice

    def overlap(self, a: Features, b: Features) -> Overlap:
        """Return what two passages share, measured every way the link model weighs (see ``Overlap``)."""
        words_a, words_b = a.words, b.words
        shared_keys = words_a.keys() & words_b.keys()  # fsum is exact in any order: no sorting needed
        if not shared_keys:
            return Overlap(0.0, 0.0, 0.0, 0.0, 0, 0.0)
        idf, phrase_idf, default = self.idf, self.phrase_idf, self.default_idf
        counts = [min(words_a[k], words_b[k]) for k in shared_keys]
        shared = math.fsum(idf.get(k, default) * n for k, n in zip(shared_keys, counts, strict=True))
        phrase_shared = math.fsum(phrase_idf.get(p, default) for p in a.phrases & b.phrases)
        phrase_total = a.phrase_total + b.phrase_total
        words = 2 * shared / (a.word_total + b.word_total)
        phrases = 2 * phrase_shared / phrase_total if phrase_total else words
        variant = (1 - PHRASE_WEIGHT) * words + PHRASE_WEIGHT * phrases
        contained = shared / min(a.word_total, b.word_total)
        partial = 0.0
        if sum(counts) >= MIN_PARTIAL_SHARED:  # as score_parts weighs containment
            smaller = min(a.phrase_total, b.phrase_total)
            phrase_contained = phrase_shared / smaller if smaller else contained
            evidence = min(1.0, min(a.words.total(), b.words.total()) / FULL_PARTIAL_WORDS)
            partial = PARTIAL_DISCOUNT * evidence * ((1 - PHRASE_WEIGHT) * contained + PHRASE_WEIGHT * phrase_contained)
        return Overlap(words, 2 * phrase_shared / phrase_total if phrase_total else 0.0, contained, shared,
                       len(shared_keys), max(variant, partial))

    def phrase_weight(self, phrase: tuple[str, str]) -> float:
        """Return the weight of one phrase (a pair of consecutive content words)."""
        return self.phrase_idf.get(phrase, self.default_idf)


def combine(parts: Sequence[Features]) -> Features:
    """Return the features of consecutive passages taken as one."""
    if len(parts) == 1:
        return parts[0]
    words: Counter[str] = Counter()
    phrases: set[tuple[str, str]] = set()
    for part in parts:
        words.update(part.words)
        phrases.update(part.phrases)
    return Features(words, frozenset(phrases), " ".join(p.folded for p in parts), sum(p.length for p in parts))


def character_ratio(a: Features, b: Features) -> float:
    """Return the character-level similarity of two passages in [0, 1] (1 = same folded text)."""
    return fuzz.ratio(a.folded, b.folded) / 100.0


def passage_features(text: str, start: int, end: int) -> Features:
    """Return the scoring features of ``text[start:end]``."""
    keys = [key for key in token_keys(text, start, end) if key not in FUNCTION_WORDS]
    return Features(
        Counter(keys),
        frozenset(pairwise(keys)),
        " ".join(fold(text[start:end]).split()),
        end - start,
    )


def fit_scorer(segmentations: Iterable[Segmentation]) -> Scorer:
    """Learn word weights from the text segments of the documents and compute their features.

    Weights are smoothed inverse document frequencies over segments: a word
    found in every segment weighs little, one found in two weighs much.
    Phrases get their own frequencies, so a stock phrase repeated throughout
    ("with Chinese characteristics") weighs little even when its words are rare.
    """
    features: list[tuple[Features, ...]] = []
    document_frequency: Counter[str] = Counter()
    phrase_frequency: Counter[tuple[str, str]] = Counter()
    segment_count = 0
    for seg in segmentations:
        text = seg.document.text
        row = tuple(passage_features(text, s.span.start, s.span.end) for s in seg.segments)
        features.append(row)
        for s, f in zip(seg.segments, row, strict=True):
            if s.role is SegmentRole.TEXT:
                document_frequency.update(f.words.keys())
                phrase_frequency.update(f.phrases)
                segment_count += 1
    total = max(segment_count, 1)
    idf = {k: math.log(1 + total / df) for k, df in document_frequency.items()}
    phrase_idf = {k: math.log(1 + total / df) for k, df in phrase_frequency.items()}
    unweighed = Scorer(idf, phrase_idf, math.log(1 + total), ())
    weighed = tuple(tuple(unweighed.weighed(f) for f in row) for row in features)
    return replace(unweighed, features=weighed)
