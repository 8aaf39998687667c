"""How each rendering of a family words the statement differently from the others.

A family (``compare.families``) holds one statement's rendering in each
document that has it.  For every rendering, each *word* is checked against
every other rendering with the word diff (``compare.worddiff.diff_words``):
a word that sits in an ``equal`` operation is shared with that rendering,
otherwise it differs from it.

A word is a **variant** when it differs from a strict majority of the other
renderings.  With two renderings that is the plain word diff; with three, a
word is marked only when it differs from both others, so two renderings that
agree against a third leave their common wording unmarked and the odd one's
wording stands out.  Punctuation is never marked; adjacent variant words
separated only by spaces (or a hyphen) merge into one span.

A family's **divergence** is the mean, over all pairs of its renderings, of
the share of both renderings' words that the pair's diff does not match:
0 when every rendering has the same words (up to case, quotes and spacing),
1 when no two renderings share a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from compare.model import DiffOp, Family, FamilySet, OpTag, Span
from compare.worddiff import diff_words

# Words as the word diff sees them: letters and digits, with inner apostrophes and dots ("China's", "2.5").
_WORD = re.compile(r"\w+(?:['’.]\w+)*")
_JOINING_GAPS = frozenset({"", "-", "‐", "–"})  # between two marked words: they form one span


@dataclass(frozen=True, slots=True)
class RenderingVariants:
    """One rendering of a family and the spans of its words that differ from the other renderings."""

    document: int  # index of the document among those compared
    span: Span  # the rendering, as in ``Rendering.span``
    variants: tuple[Span, ...]  # sorted, disjoint, inside ``span``, each covering whole words


@dataclass(frozen=True, slots=True)
class FamilyVariants:
    """A family's renderings with their variant words, and how much the renderings differ."""

    family: Family
    renderings: tuple[RenderingVariants, ...]  # in the order of ``family.renderings``
    divergence: float  # 0 = same words everywhere, 1 = nothing in common


def _words(text: str, span: Span) -> list[Span]:
    """Return the spans of the words inside ``text[span]``."""
    return [Span(span.start + m.start(), span.start + m.end()) for m in _WORD.finditer(span.slice(text))]


def _differing(words: list[Span], edits: list[Span]) -> list[bool]:
    """Tell, for each word, whether it overlaps one of the sorted edit spans (words and edits both in order)."""
    flags, k = [], 0
    for word in words:
        while k < len(edits) and edits[k].end <= word.start:
            k += 1
        flags.append(k < len(edits) and edits[k].start < word.end)
    return flags


def _edits(ops: tuple[DiffOp, ...], side: str) -> list[Span]:
    """Return the non-empty spans, on one side, of a diff's non-equal operations."""
    spans = (op.a if side == "a" else op.b for op in ops if op.tag is not OpTag.EQUAL)
    return sorted(span for span in spans if len(span))


def _merge(text: str, words: list[Span], marked: list[bool]) -> tuple[Span, ...]:
    """Join marked words that only whitespace or a hyphen separates into spans."""
    spans: list[Span] = []
    for word, is_marked in zip(words, marked, strict=True):
        if not is_marked:
            continue
        if spans and text[spans[-1].end : word.start].strip() in _JOINING_GAPS:
            spans[-1] = Span(spans[-1].start, word.end)
        else:
            spans.append(word)
    return tuple(spans)


def family_variants(family: Family, texts: list[str]) -> FamilyVariants:
    """Return one family's variant words per rendering and its divergence; ``texts`` are the documents' texts.

    >>> from compare.model import Rendering
    >>> texts = ["A big dog came home and barked.", "A big dog came home and slept.",
    ...          "A small dog came home and barked."]
    >>> family = Family(tuple(Rendering(i, Span(0, len(t)), (0,)) for i, t in enumerate(texts)), 0.7)
    >>> result = family_variants(family, texts)
    >>> [[s.slice(texts[r.document]) for s in r.variants] for r in result.renderings]
    [[], ['slept'], ['small']]
    >>> result.divergence  # pairs differ by 2, 2 and 4 of their 14 words
    0.1905
    """
    renderings = family.renderings
    words = [_words(texts[r.document], r.span) for r in renderings]
    differs = [[0] * len(w) for w in words]
    pair_divergences = []
    for x, y in combinations(range(len(renderings)), 2):
        ops = diff_words(texts[renderings[x].document], texts[renderings[y].document], renderings[x].span,
                         renderings[y].span)
        x_flags = _differing(words[x], _edits(ops, "a"))
        y_flags = _differing(words[y], _edits(ops, "b"))
        for counts, flags in ((differs[x], x_flags), (differs[y], y_flags)):
            for i, flag in enumerate(flags):
                counts[i] += flag
        total = len(x_flags) + len(y_flags)
        pair_divergences.append((sum(x_flags) + sum(y_flags)) / total if total else 0.0)
    majority = (len(renderings) - 1) // 2 + 1  # strictly more than half of the other renderings
    result = tuple(
        RenderingVariants(r.document, r.span,
                          _merge(texts[r.document], words[i], [count >= majority for count in differs[i]]))
        for i, r in enumerate(renderings)
    )
    divergence = sum(pair_divergences) / len(pair_divergences) if pair_divergences else 0.0
    return FamilyVariants(family, result, round(divergence, 4))


def find_variants(result: FamilySet) -> tuple[FamilyVariants, ...]:
    """Return every family of ``result`` with its variant words and divergence, in the families' order.

    >>> from compare import Document, find_families
    >>> docs = [Document("a", "The sky is blue today."), Document("b", "The sky was blue today.")]
    >>> [(f.divergence, [len(r.variants) for r in f.renderings]) for f in find_variants(find_families(docs))]
    [(0.2, [1, 1])]
    """
    texts = [segmentation.document.text for segmentation in result.documents]
    return tuple(family_variants(family, texts) for family in result.families)
