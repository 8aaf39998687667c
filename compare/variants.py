"""How each rendering of a family words the statement differently from the others.

A family (``compare.families``) holds one statement's rendering in each
document that has it.  Every *word* of a rendering is looked up, by its
folded form (case, quotes and dashes folded as the word diff folds them), in
each other rendering: it is shared with those that use it and differs from
the rest.

A word is a **variant** when it differs from a strict majority of the other
renderings.  With two renderings that is every word the other lacks; with
three, a word is marked only when both others lack it, so two renderings
that agree against a third leave their common wording unmarked and the odd
one's wording stands out.  Punctuation is never marked; adjacent variant
words separated only by spaces (or a hyphen) merge into one span.  Word order
is no variant (a transposition keeps its words).  The cost is linear in the
renderings' words: twenty renderings cost twenty times one, where diffing
every pair of them would cost 190 diffs per family.

A family's **divergence** is the share of the other renderings that lack a
word, averaged over every word of every rendering: 0 when every rendering has
the same words (up to case, quotes and spacing), 1 when no two renderings
share a word.  With two renderings it is the share of both renderings' words
that the other lacks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from compare.model import Family, FamilySet, Span
from compare.normalize import fold

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
    >>> result.divergence  # of 21 words, "big" and "barked" twice lack in one of two others, "slept", "small" in both
    0.1905
    """
    renderings = family.renderings
    words = [_words(texts[r.document], r.span) for r in renderings]
    keys = [[fold(w.slice(texts[r.document])) for w in found] for r, found in zip(renderings, words, strict=True)]
    users = Counter(key for own in keys for key in set(own))  # how many renderings use each word
    others = len(renderings) - 1
    majority = others // 2 + 1  # strictly more than half of the other renderings
    result, lacking, counted = [], 0.0, 0
    for rendering, found, own in zip(renderings, words, keys, strict=True):
        missing = [others - (users[key] - 1) for key in own]  # the other renderings without the word
        lacking += sum(missing) / others if others else 0.0
        counted += len(own)
        result.append(RenderingVariants(rendering.document, rendering.span,
                                        _merge(texts[rendering.document], found, [m >= majority for m in missing])))
    return FamilyVariants(family, tuple(result), round(lacking / counted, 4) if counted else 0.0)


def find_variants(result: FamilySet) -> tuple[FamilyVariants, ...]:
    """Return every family of ``result`` with its variant words and divergence, in the families' order.

    >>> from compare import Document, find_families
    >>> docs = [Document("a", "The sky is blue today."), Document("b", "The sky was blue today.")]
    >>> [(f.divergence, [len(r.variants) for r in f.renderings]) for f in find_variants(find_families(docs))]
    [(0.2, [1, 1])]
    """
    texts = [segmentation.document.text for segmentation in result.documents]
    return tuple(family_variants(family, texts) for family in result.families)


def statement_variants(result: FamilySet) -> tuple[FamilyVariants, ...]:
    """Return every statement of ``result`` with its variant words, also those only one document has."""
    texts = [segmentation.document.text for segmentation in result.documents]
    return tuple(family_variants(statement, texts) for statement in result.statements)
