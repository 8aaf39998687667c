"""A critical apparatus: one rendering followed statement by statement, the others' variant readings beside it.

For every statement of a multiple alignment (``compare.families``), the
*base* rendering's text is the lemma text; every other rendering of the
statement is diffed word by word against it (``compare.worddiff``), and each
operation that is not ``equal`` becomes a reading of the base words it
replaces (an empty base span is an addition at that point; an empty reading
an omission).  Identical readings of the same base words are grouped, so an
entry reads like a printed apparatus: ``lemma] reading A B; other C``.
Statements the base lacks are listed as additions of the renderings that
have them, and renderings lacking a statement the base has as omissions.
Cost: one word diff per rendering and statement, linear in the renderings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from compare.model import FamilySet, OpTag, Span
from compare.normalize import fold
from compare.worddiff import diff_words


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


def apparatus(result: FamilySet, base: int) -> tuple[StatementApparatus, ...]:
    """Follow rendering ``base`` through every statement, with the other renderings' variants.

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
    for number, statement in enumerate(result.statements):
        by_document = {r.document: r.span for r in statement.renderings}
        absent = tuple(d for d in everyone if d not in by_document)
        own = by_document.get(base)
        if own is None:
            additions = _grouped((d, span.slice(texts[d])) for d, span in by_document.items())
            found.append(StatementApparatus(number, None, (), (), additions, absent))
            continue
        readings: dict[Span, list[tuple[int, str]]] = defaultdict(list)
        agreeing = []
        for document, span in sorted(by_document.items()):
            if document == base:
                continue
            ops = [op for op in diff_words(texts[base], texts[document], own, span) if op.tag is not OpTag.EQUAL]
            if not ops:
                agreeing.append(document)
            for op in ops:
                readings[op.a].append((document, op.b.slice(texts[document])))
        entries = tuple(Entry(lemma, _grouped(found_readings)) for lemma, found_readings in sorted(readings.items()))
        found.append(StatementApparatus(number, own, entries, tuple(agreeing), (), absent))
    return tuple(found)


def _grouped(readings: Iterable[tuple[int, str]]) -> tuple[Reading, ...]:
    """Group (document, text) readings whose words are the same (folded), most documents first."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for document, text in readings:
        groups[" ".join(fold(text).split())].append((document, text))
    ordered = sorted(groups.values(), key=lambda group: (-len(group), group[0][0]))
    return tuple(Reading(" ".join(group[0][1].split()), tuple(d for d, _ in group)) for group in ordered)
