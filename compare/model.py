"""The engine's data: frozen values that every step takes and returns.

Spans are the currency: half-open ``[start, end)`` offsets into the *original*
text of a document, as Python ``str`` indices.  Normalised forms exist only
inside the matching steps; everything a user sees points back here.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Seconds one comparison may take, for the web service and the command line alike (``--time-budget``, the
# service's ``time_budget_s``): past it the engine takes shortcuts, and the caller kills what is still running.
TIME_BUDGET_S = 10.0


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets into a text.

    >>> Span(4, 9).slice("The quick fox")
    'quick'
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        """Return the part of ``text`` this span covers."""
        return text[self.start : self.end]

    def cover(self, other: Span) -> Span:
        """Return the smallest span covering both spans."""
        return Span(min(self.start, other.start), max(self.end, other.end))

    def overlaps(self, other: Span) -> bool:
        """Tell whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Document:
    """A text to compare, as read: ``text`` is exactly what offsets refer to."""

    name: str
    text: str


class SegmentRole(StrEnum):
    """What a segment is to the reader."""

    TEXT = "text"
    BOILERPLATE = "boilerplate"  # page noise: navigation, credits, pagination


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence or paragraph of a document: the unit the aligner pairs."""

    index: int  # position among the document's segments
    span: Span
    paragraph: int  # index of the paragraph holding it
    role: SegmentRole = SegmentRole.TEXT


@dataclass(frozen=True, slots=True)
class Segmentation:
    """A document cut into paragraphs and into the segments that get aligned."""

    document: Document
    paragraphs: tuple[Span, ...]
    segments: tuple[Segment, ...]

    def text_of(self, segment: Segment) -> str:
        """Return the original text of one segment."""
        return segment.span.slice(self.document.text)


class OpTag(StrEnum):
    """The kind of one word-diff operation (as in difflib's opcodes)."""

    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"
    REPLACE = "replace"


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One operation of a word diff: ``a`` in A becomes ``b`` in B.

    The ``a`` spans of a diff's operations tile the compared part of A
    without gaps, and likewise the ``b`` spans for B, so both texts rebuild
    exactly; ``insert`` has an empty ``a`` and ``delete`` an empty ``b``.
    """

    tag: OpTag
    a: Span
    b: Span


class PairKind(StrEnum):
    """How closely the two passages of a pair say the same thing."""

    VERBATIM = "verbatim"  # the same words (up to case, quotes, spacing)
    VARIANT = "variant"  # the same statement, worded differently
    PARTIAL = "partial"  # one passage shares a part of the other


@dataclass(frozen=True, slots=True)
class Pair:
    """A passage of A that corresponds to a passage of B."""

    a: Span
    b: Span
    kind: PairKind
    score: float  # similarity in [0, 1]
    moved: bool  # off the order both documents share
    ops: tuple[DiffOp, ...]  # word diff of a against b
    a_segments: tuple[int, ...]  # indices of the aligned segments of A
    b_segments: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of A that corresponds to a stretch of B: pairs that continue each other in both documents.

    Pairs are the rows a reader compares; a passage is the unit of reuse
    (a reworded paragraph is one passage of several sentence pairs).  Its
    spans cover its pairs and the text between them.
    """

    a: Span
    b: Span
    pairs: tuple[int, ...]  # indices into ``Comparison.pairs``, in the order of A
    moved: bool
    score: float  # the surest of its pairs


@dataclass(frozen=True, slots=True)
class Comparison:
    """The alignment of two documents, with everything needed to show it."""

    a: Segmentation
    b: Segmentation
    pairs: tuple[Pair, ...]  # in the order of A
    a_only: tuple[int, ...]  # text segments of A with no counterpart in B
    b_only: tuple[int, ...]
    passages: tuple[Passage, ...] = ()  # the pairs grouped into units of reuse, in the order of A
    degraded: bool = False  # a budget forced shortcuts; see ``notes``
    notes: tuple[str, ...] = ()

    def swapped(self) -> Comparison:
        """Return the same comparison seen from B: every span, operation and list mirrored."""
        mirror = {OpTag.INSERT: OpTag.DELETE, OpTag.DELETE: OpTag.INSERT}
        pairs = [Pair(p.b, p.a, p.kind, p.score, p.moved,
                      tuple(DiffOp(mirror.get(op.tag, op.tag), op.b, op.a) for op in p.ops), p.b_segments, p.a_segments)
                 for p in self.pairs]
        order = sorted(range(len(pairs)), key=lambda k: (pairs[k].a, pairs[k].b))
        renumber = {old: new for new, old in enumerate(order)}
        passages = sorted((Passage(p.b, p.a, tuple(sorted(renumber[k] for k in p.pairs)), p.moved, p.score)
                           for p in self.passages), key=lambda p: (p.a.start, p.b.start, p.pairs))
        return Comparison(self.b, self.a, tuple(pairs[k] for k in order), self.b_only, self.a_only,
                          tuple(passages), self.degraded, self.notes)

    def shared_share(self, side: str) -> float:
        """Return the share of one side's text characters that lie in its passages (page noise not counted).

        A passage covers its pairs and the text between them (a reworded
        paragraph whose one sentence found no counterpart is reused whole).
        """
        seg = self.a if side == "a" else self.b
        texts = [s.span for s in seg.segments if s.role is SegmentRole.TEXT]
        text_chars = sum(len(span) for span in texts)
        if not text_chars:
            return 0.0
        covers = sorted(p.a if side == "a" else p.b for p in (self.passages or self.pairs))
        return min(1.0, _overlap_length(texts, covers) / text_chars)


def _overlap_length(texts: list[Span], covers: list[Span]) -> int:
    """Return how many characters of the sorted, disjoint ``texts`` lie in the union of the sorted ``covers``."""
    total, k = 0, 0
    merged: list[Span] = []
    for span in covers:
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    for text in texts:
        while k < len(merged) and merged[k].end <= text.start:
            k += 1
        m = k
        while m < len(merged) and merged[m].start < text.end:
            total += min(text.end, merged[m].end) - max(text.start, merged[m].start)
            m += 1
    return total


class Granularity(StrEnum):
    """The unit the aligner pairs."""

    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True, slots=True)
class Options:
    """Every setting of the engine, with documented defaults.

    The alignment's decisions come from a model fitted on data
    (``compare.calibration``): a pair is kept when the fitted probability
    that its two passages say the same thing, weighed against the cost of
    its place, reaches ``min_score``.  Raising it keeps fewer, surer pairs.
    """

    granularity: Granularity = Granularity.SENTENCE
    language: str = "en"  # language code for the sentence splitter
    min_score: float = 0.5  # the probability a link needs (0.5: whatever the fitted model finds more likely than not)
    shared_clauses: bool = True  # let a linked segment gain second partners (the corpus report does not: cost)
    semantic: bool = False  # weigh sentence embeddings too (the 'semantic' install extra; compare.semantic)
    max_merge: int = 6  # a link grows to at most this many segments a side (one sentence rendered as several)
    candidates_per_segment: int = 5  # best candidates kept for each segment
    time_budget_s: float = TIME_BUDGET_S  # past this, finish fast and mark the result degraded
    max_chars: int = 20_000_000  # longer documents are refused

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:  # also refuses nan
            raise ValueError(f"option min_score must be in [0, 1], got {self.min_score!r}")
        if self.max_merge < 1 or self.candidates_per_segment < 1:
            raise ValueError("max_merge and candidates_per_segment must be at least 1")
        if self.time_budget_s <= 0 or self.max_chars <= 0:
            raise ValueError("time_budget_s and max_chars must be positive")


@dataclass(frozen=True, slots=True)
class Rendering:
    """One document's rendering of a family's statement."""

    document: int  # index of the document among those compared
    span: Span
    segments: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Family:
    """One statement and its renderings in the documents that have it."""

    renderings: tuple[Rendering, ...]  # at most one per document, in document order
    score: float  # mean pairwise similarity of the renderings


@dataclass(frozen=True, slots=True)
class FamilySet:
    """The families found across N documents."""

    documents: tuple[Segmentation, ...]
    families: tuple[Family, ...] = field(default_factory=tuple)


# --- Corpus report (duplication across many documents) -------------------


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A passage of document ``a`` that also appears, in some wording, in document ``b``."""

    a: Span
    b: Span
    kind: PairKind
    score: float  # similarity in [0, 1]
    family: int | None = None  # index into ``Report.families``, when the passage belongs to one


@dataclass(frozen=True, slots=True)
class PairReport:
    """What two documents of a corpus share; ``a < b`` are document indices."""

    a: int
    b: int
    a_share: float  # share of a's counted characters found in b
    b_share: float  # share of b's counted characters found in a
    passages: tuple[SharedPassage, ...]  # in the order of a


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """How much of one document appears elsewhere in the corpus.

    ``counted_chars`` are the characters of the document's text segments;
    boilerplate (page noise) is excluded from every figure and listed in
    ``boilerplate``.  ``reused`` are the union of the document's spans that
    appear in at least one other document.
    """

    index: int
    name: str
    chars: int  # length of the whole text
    counted_chars: int
    reused_chars: int
    reused_share: float  # reused_chars / counted_chars (0 when nothing is counted)
    reused: tuple[Span, ...]  # disjoint, sorted
    boilerplate: tuple[Span, ...]
    partners: tuple[int, ...]  # documents sharing something with this one, most shared first


@dataclass(frozen=True, slots=True)
class PassageMember:
    """One document's copy of a passage family."""

    document: int
    span: Span


@dataclass(frozen=True, slots=True)
class PassageFamily:
    """A passage found in two or more documents, with every copy of it."""

    members: tuple[PassageMember, ...]  # at most one per document, in document order
    spread: int  # number of documents holding it
    size: int  # characters of its longest member
    score: float  # mean similarity of the linked copies


@dataclass(frozen=True, slots=True)
class Report:
    """The duplication report of a corpus.

    Families are ranked by spread, then size (largest first); pairs list
    only documents that share something, ordered by ``(a, b)``.
    """

    documents: tuple[DocumentReport, ...]
    pairs: tuple[PairReport, ...]
    families: tuple[PassageFamily, ...]
    degraded: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Caps on reading one file, checked before or while parsing so hostile input is refused fast.

    A file past a cap is refused with a ``ValueError`` (an ``InputTooLargeError``)
    naming it; nothing is cut short silently.  The zip caps are checked on the
    archive's directory before anything is decompressed: a zip bomb named
    ``.docx`` is refused in milliseconds.  Compressed data (a .docx's entries,
    a PDF's streams) is inflated in bounded chunks and refused as soon as it
    passes a size or ratio cap, or (a .docx's text) ``max_chars``.  The PDF time
    cap is checked between pages.
    """

    max_file_bytes: int = 64 * 1024 * 1024  # any file, before it is read
    max_chars: int = 20_000_000  # characters of extracted text (the engine's Options.max_chars)
    max_html_bytes: int = 8 * 1024 * 1024  # an HTML page, before it is parsed (~1 s per MB)
    max_zip_entries: int = 1_000  # entries of a .docx archive (a typical one has 10-40)
    max_zip_entry_bytes: int = 48 * 1024 * 1024  # declared uncompressed size of one entry
    max_zip_total_bytes: int = 96 * 1024 * 1024  # declared uncompressed size of all entries
    max_inflate_ratio: float = 100.0  # inflated/compressed size of a zip entry or PDF stream (Word XML: 5-20)
    inflate_ratio_from_bytes: int = 1024 * 1024  # entries and streams inflating to less skip the ratio test
    max_pdf_stream_bytes: int = 16 * 1024 * 1024  # inflated size of one PDF stream (a page's text: tens of KB)
    max_pdf_pages: int = 2_000
    max_pdf_seconds: float = 20.0  # text extraction time of a PDF, checked between pages

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if getattr(self, name) <= 0:
                raise ValueError(f"read limit {name} must be positive, got {getattr(self, name)!r}")
