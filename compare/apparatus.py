"""A critical apparatus: one rendering followed statement by statement, the others' variant readings beside it.

For every statement of a multiple alignment (``compare.families``), the
*base* rendering's text is the lemma text; every other rendering of the
statement is diffed word by word against it (``compare.worddiff``).  The
base words that any rendering changes are the *places* of variation; places
that overlap merge into one, so every rendering is read over the same base
words.  Each rendering's reading of a place is the text its diff maps those
words to (an empty base span is an addition at that point; an empty reading
an omission).  Readings with the same words as the lemma are agreement,
whatever their case and punctuation; the others are grouped by their words,
so an entry reads like a printed apparatus: ``lemma] reading A B; other C``.
Statements the base lacks are listed as additions of the renderings that
have them, and renderings lacking a statement the base has as omissions.
Cost: one word diff per rendering and statement, linear in the renderings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compare.model import FamilySet, OpTag, Span
from compare.normalize import fold
from compare.worddiff import diff_words

_WORD = re.compile(r"\w+(?:['’.]\w+)*")  # words as the word diff sees them


@dataclass(frozen=True, slots=True)
class Reading:
    """One wording of a passage and the renderings that have it."""

    text: str  # as written in the first of ``documents`` ('' = the passage is left out)
    documents: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """The other renderings' readings of one passage of the base rendering."""

    lemma: Span  # in the base text; empty: the readings add words at this point
    readings: tuple[Reading, ...]  # most renderings first


@dataclass(frozen=True, slots=True)
class StatementApparatus:
    """One statement as the reading view shows it: the base rendering's text and the others' variants."""

    statement: int  # index into ``FamilySet.statements``
    base: Span | None  # the base rendering's text of it, None when the base lacks the statement
    entries: tuple[Entry, ...]  # in the order of the base text
    agreeing: tuple[int, ...]  # renderings with the very words of the base
    additions: tuple[Reading, ...]  # when the base lacks the statement: the other renderings' text
    absent: tuple[int, ...]  # renderings that lack the statement


def apparatus(result: FamilySet, base: int, only: Sequence[int] | None = None) -> tuple[StatementApparatus, ...]:
    """Follow rendering ``base`` through every statement (or those numbered in ``only``), with the others' variants.

    >>> from compare import Document, find_families
    >>> docs = [Document("a", "The sky is blue."), Document("b", "The sky was blue."),
    ...         Document("c", "The sky was blue.")]
    >>> (only,) = apparatus(find_families(docs), 0)
    >>> [(docs[0].text[e.lemma.start:e.lemma.end], [(r.text, r.documents) for r in e.readings]) for e in only.entries]
    [('is', [('was', (1, 2))])]
    """
    if not 0 <= base < len(result.documents):
        raise ValueError(f"base must be the index of one of the {len(result.documents)} documents, got {base}")
    texts = [s.document.text for s in result.documents]
    everyone = range(len(result.documents))
    found = []
    numbers = range(len(result.statements)) if only is None else only
    for number in numbers:
        statement = result.statements[number]
        by_document = {r.document: r.span for r in statement.renderings}
        absent = tuple(d for d in everyone if d not in by_document)
        own = by_document.get(base)
        if own is None:
            additions = _grouped((d, span.slice(texts[d])) for d, span in by_document.items())
            found.append(StatementApparatus(number, None, (), (), additions, absent))
            continue
        diffs = {document: diff_words(texts[base], texts[document], own, span)
                 for document, span in sorted(by_document.items()) if document != base}
        changed = [op.a for ops in diffs.values() for op in ops if op.tag is not OpTag.EQUAL]
        entries = []
        for place in _places(texts[base], changed):
            lemma_words = _words(place.slice(texts[base]))
            readings = []
            for document, ops in diffs.items():
                points = sorted({(op.a.start, op.b.start) for op in ops} | {(op.a.end, op.b.end) for op in ops})
                start, end = _whole_words(texts[document], _map(points, place.start), _map(points, place.end))
                text = texts[document][start:end]
                if _words(text) != lemma_words:
                    readings.append((document, text))
            if readings:
                entries.append(Entry(place, _grouped(readings)))
        varied = {d for entry in entries for reading in entry.readings for d in reading.documents}
        agreeing = tuple(d for d in diffs if d not in varied)
        found.append(StatementApparatus(number, own, tuple(entries), agreeing, (), absent))
    return tuple(found)


def _words(text: str) -> tuple[str, ...]:
    """Return the folded words of a text: what two readings must share to agree."""
    return tuple(_WORD.findall(fold(text)))


def _places(text: str, changed: list[Span]) -> list[Span]:
    """Merge the base spans that some rendering changes into places: overlapping spans join, ends trimmed."""
    places: list[Span] = []
    for span in sorted(changed):
        trimmed = _trimmed(text, span)
        if places and trimmed.start <= places[-1].end:
            places[-1] = places[-1].cover(trimmed)
        else:
            places.append(trimmed)
    return places


def _trimmed(text: str, span: Span) -> Span:
    """Return the span without surrounding whitespace (an empty span stays where it is)."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _map(points: list[tuple[int, int]], x: int) -> int:
    """Map a base offset into a rendering through its diff's correspondence points."""
    index = bisect_right([p[0] for p in points], x)
    if index == 0:
        return points[0][1]
    if index == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[index - 1], points[index]
    return y0 if x1 == x0 else y0 + round((x - x0) * (y1 - y0) / (x1 - x0))


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words (a place mapped into an unchanged stretch may cut one)."""
    end = max(start, end)
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _grouped(readings: Iterable[tuple[int, str]]) -> tuple[Reading, ...]:
    """Group (document, text) readings whose words are the same (folded), most documents first."""
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
    for document, text in readings:
        groups[_words(text)].append((document, text))
    ordered = sorted(groups.values(), key=lambda group: (-len(group), group[0][0]))
    return tuple(Reading(" ".join(group[0][1].split()), tuple(d for d, _ in group)) for group in ordered)
