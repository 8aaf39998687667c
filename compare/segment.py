"""Segmentation: paragraphs and sentences as spans of the original text, page noise marked.

Paragraphs are blocks separated by blank lines; a line that starts a
Markdown heading or list item also starts one.  Sentences come from
sentencex (a maintained rule-based splitter that knows abbreviations).  A
long sentence is split again on its own and inside its quotations (a speech
quoted over many sentences; a bracket or quotation mark earlier in the
paragraph that the splitter pairs with one far on, leaving every sentence
between unsplit), and cut further at clause punctuation when one runs past
``MAX_SENTENCE_CHARS``.

Page noise (navigation, pagination, credits, datelines) is recognised by the
*shape* of a line, never by listing known strings: a short line that is not
a sentence and either has no words at all (``<  1  2  3  >``), or opens with
the vocabulary of site furniture ("Read more", "Related", "Share", "Photo
by", "Editor", "Updated on" ...).  Such segments are kept and marked
``BOILERPLATE``; the aligner leaves them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

from compare.model import Document, Granularity, Options, Segment, Segmentation, SegmentRole, Span

MAX_SENTENCE_CHARS = 1000  # longer sentences are cut at clause punctuation
LONG_SENTENCE_CHARS = 300  # a sentence this long is split again on its own, inside quotations and brackets too
SPLIT_WINDOW = 4 * MAX_SENTENCE_CHARS  # a window of a long paragraph full of quotation marks (see _split)
MAX_QUOTE_WORK = 20_000_000  # quotation marks x characters past which a paragraph is split by windows (~8 ms)
_QUOTE = re.compile(r"[\"`\u201c\u201d\u201e\u00ab\u00bb]|(?<!\w)['\u2018\u2019]|['\u2018\u2019](?!\w)")
_ENCLOSING = re.compile(_QUOTE.pattern + r"|[()\[\]{}]")  # the splitter never splits between two it pairs
MAX_NOISE_WORDS = 12  # page-noise lines are short
MIN_PAGINATION_TOKENS = 3  # a line of numbers and symbols only is pagination from this many ("<  1  2  >")
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t\f\v]*(?:\r\n|\r|\n)\s*")
_BLOCK_START = re.compile(r"(?m)^(?=[ \t]{0,3}(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>\s))")
_CLAUSE_END = re.compile(r"[;:](?=\s)|,(?=\s+(?:and|but|or|so|which|while|whereas)\b)")
_WORD = re.compile(r"[^\W\d_]{2,}")
_LEADING_MARKUP = re.compile(r"(?:[#>*_+]+|[-*+](?=\s)|\d{1,3}[.)](?=\s))\s*")
_TRAILING_MARKERS = "*_"  # emphasis markers closing a span, with the spaces before them
# Openings of site navigation, calls to action, datelines and bylines: furniture only on a line that is no
# sentence (it does not end like one, or it is a few words): "Home" and "Next" open sentences of prose too, and a
# byline names a person in capitals ("By Ann Lee"), which "By no means." does not.
_NAVIGATION_OPENING = re.compile(
    r"""^\W*(?:
        read\ (?:more|also|next|full)|see\ also|related\b|recommended\b|more\ (?:from|stories|news)\b
      | type\ to\ search|search\b|skip\ to|jump\ to|back\ to\ top|go\ to\b|menu\b|home\b|navigation\b
      | share\b|tweet\b|follow\ us|subscribe\b|sign\ (?:in|up)|log\ ?(?:in|out)|click\ here|print\b|email\b
      | advertisement\b|sponsored\b|cookies?\b|privacy\ policy|terms\ of|all\ rights\ reserved|copyright\b|©
      | previous\b|next\b|prev\b|page\ \d
      | (?:updated|published|posted|last\ modified)\b|by\ (?-i:[A-Z][\w.]*\ [A-Z])
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Openings of credits, furniture even when they end with a full stop ("Editor in charge: Ann Lee.").
_CREDIT_OPENING = re.compile(
    r"""^\W*(?:
        (?:photo|image|picture|video)s?\b.{0,40}\b(?:by|credit|source)\b|(?:photo|image)\s*:
      | (?:chief\ )?editor\b|edited\ by|editor[- ]in[- ]chief|producer\b|proofread|reporter\b|translated\ by
      | source\s*:|credits?\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
SENTENCE_WORDS = 4  # a line of this many words that ends with a stop is a sentence, whatever it opens with
_ENDS_LIKE_A_SENTENCE = re.compile(r"[.!?][\"')\]’”]*$")
# A dateline anywhere in a line that is no sentence: "City Herald Updated on 2021-05-14".
_DATELINE = re.compile(r"\b(?:updated|published|posted)\b.{0,20}\d{4}", re.IGNORECASE)
# Letters, digits and spaces only: nothing a sentence splitter or markup stripper would cut.
_PLAIN_WORDS = re.compile(r"[^\W_]+(?:[ \t]+[^\W_]+)*")
# Where a sentence may end, for the cheap segment estimate (the splitter itself is far slower); not before a
# blank line, where the paragraph ends anyway.  Linear in the text: a match starts only at the first mark of a
# run of marks and never gives back what it consumed (a run of 600,000 dots took hours, scanned from each dot).
_SENTENCE_END = re.compile(
    r"(?<![.!?。！？])[.!?。！？]++[\"')\]’”]*+(?:[ \t]++|[ \t]*+(?:\r\n|\r|\n)[ \t]*+)(?=\S)"
)


def segment(document: Document, options: Options | None = None) -> Segmentation:
    """Cut a document into paragraphs and the segments the aligner pairs.

    >>> seg = segment(Document("d", "Read more: Elsewhere\\n\\nIt rains. It pours."))
    >>> [(s.span.slice(seg.document.text), s.role.value) for s in seg.segments]
    [('Read more: Elsewhere', 'boilerplate'), ('It rains.', 'text'), ('It pours.', 'text')]
    """
    options = options or Options()
    text = document.text
    if len(text) > options.max_chars:
        raise ValueError(
            f"{document.name}: {len(text):,} characters is over the limit of {options.max_chars:,}"
        )
    paragraphs = tuple(_paragraphs(text))
    segments: list[Segment] = []
    for number, paragraph in enumerate(paragraphs):
        paragraph_noise = is_page_noise(paragraph.slice(text))
        if options.granularity is Granularity.PARAGRAPH:
            pieces: list[Span] = [paragraph]
        else:
            pieces = list(_sentences(text, paragraph, options.language))
        for piece in pieces:
            noise = paragraph_noise or (piece != paragraph and is_page_noise(piece.slice(text)))
            role = SegmentRole.BOILERPLATE if noise else SegmentRole.TEXT
            segments.append(Segment(len(segments), piece, number, role))
    return Segmentation(document, paragraphs, tuple(segments))


def estimate_segments(text: str, granularity: Granularity = Granularity.SENTENCE) -> int:
    """Return a cheap estimate (within a few percent on prose) of the segments ``segment`` would make.

    Regular-expression counts only (a few ms per MB), so callers can refuse
    inputs whose segment count the time budget cannot afford before paying
    for segmentation: 200,000 one-word paragraphs are as costly as 5 MB of prose.

    >>> estimate_segments("One. Two! Three\\n\\nFour"), estimate_segments("One. Two!\\n\\nThree")
    (4, 3)
    >>> estimate_segments("One. Two!\\n\\nThree", Granularity.PARAGRAPH)
    2
    """
    paragraphs = 1 + sum(1 for _ in _BLANK_LINE.finditer(text)) + sum(1 for _ in _BLOCK_START.finditer(text))
    if granularity is Granularity.PARAGRAPH:
        return paragraphs
    return paragraphs + sum(1 for _ in _SENTENCE_END.finditer(text))


def is_page_noise(line: str) -> bool:
    """Tell whether a short line is site furniture rather than prose.

    >>> is_page_noise("<  1  2  3  4  >"), is_page_noise("Related Pages")
    (True, True)
    >>> is_page_noise("Inclusive economic globalization"), is_page_noise("By no means."), is_page_noise("1.")
    (False, False, False)
    >>> is_page_noise("Home Buying Grants are part of the federal housing programme."), is_page_noise("Home")
    (False, True)
    """
    stripped = line.strip()
    words = _WORD.findall(stripped)
    if not words:  # numbers, arrows and symbols only: pagination and separators, not a list's "1."
        return len(stripped.split()) >= MIN_PAGINATION_TOKENS
    if len(words) > MAX_NOISE_WORDS or "\n" in stripped.rstrip("\r\n"):
        return False
    if _CREDIT_OPENING.match(stripped):
        return True
    sentence = len(words) >= SENTENCE_WORDS and _ENDS_LIKE_A_SENTENCE.search(stripped) is not None
    return not sentence and (_NAVIGATION_OPENING.match(stripped) is not None or _DATELINE.search(stripped) is not None)


def _paragraphs(text: str) -> Iterator[Span]:
    """Yield the non-blank blocks of ``text``, trimmed of surrounding whitespace."""
    start = 0
    for match in _BLANK_LINE.finditer(text):
        yield from _blocks(text, start, match.start())
        start = match.end()
    yield from _blocks(text, start, len(text))


def _blocks(text: str, start: int, end: int) -> Iterator[Span]:
    """Split one blank-line block at Markdown headings and list items; trim each piece."""
    cuts = [start] + [m.start() for m in _BLOCK_START.finditer(text, start, end) if m.start() > start]
    for lo, hi in zip(cuts, [*cuts[1:], end], strict=True):
        span = _trim(text, lo, hi)
        if span is not None:
            yield span


def _trim(text: str, start: int, end: int) -> Span | None:
    """Return ``[start, end)`` without surrounding whitespace, or None when blank."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _strip_markup(text: str, span: Span | None) -> Span | None:
    """Drop Markdown emphasis, heading and list markers from the ends of a span."""
    if span is None:
        return None
    start, end = span.start, span.end
    lead = _LEADING_MARKUP.match(text, start, end)
    if lead and lead.end() < end:
        start = lead.end()
    trail = _trailing_markup(text, start, end)
    if trail > start:
        end = trail
    return Span(start, end)


def _trailing_markup(text: str, start: int, end: int) -> int:
    """Return where the emphasis markers closing ``text[start:end]`` begin, spaces before them included.

    A scan back from the end, linear in the markers' length (the regular
    expression it replaces, searched from every position, was quadratic on a
    run of ``*`` or ``_`` inside a sentence).

    >>> _trailing_markup("**bold** __", 0, 11), _trailing_markup("plain", 0, 5)
    (8, 5)
    """
    cut = end
    while cut > start and text[cut - 1] in _TRAILING_MARKERS:
        cut -= 1
    if cut == end:
        return end
    while cut > start and text[cut - 1].isspace():
        cut -= 1
    return cut


def _sentences(text: str, paragraph: Span, language: str) -> Iterator[Span]:
    """Yield the sentences of one paragraph, long ones cut at clause punctuation."""
    body = paragraph.slice(text)
    if len(body) <= MAX_SENTENCE_CHARS and _PLAIN_WORDS.fullmatch(body):  # one sentence: skip the splitter
        yield paragraph
        return
    for start, end in _split(body, language):
        span = _strip_markup(text, _trim(text, paragraph.start + start, paragraph.start + end))
        if span is None:
            continue
        if len(span) > LONG_SENTENCE_CHARS:  # sentencex's state from earlier text may have swallowed its ends
            pieces = [(span.start + s, span.start + e) for s, e in _split_inside_enclosures(span.slice(text), language)]
        else:
            pieces = [(span.start, span.end)]
        for piece in pieces:
            part = _trim(text, *piece)
            if part is None:
                continue
            if len(part) <= MAX_SENTENCE_CHARS:
                yield part
            else:
                yield from _clauses(text, part)


def _split(body: str, language: str) -> list[tuple[int, int]]:
    """Return the sentence bounds sentencex finds in ``body`` (paragraph breaks left out).

    sentencex's time grows with the quotation marks times the length (about
    0.4 ns each: it looks for each mark's closing one; a run of 400,000 ``«``
    took most of a minute), so a long body with many marks is split a window
    of ``SPLIT_WINDOW`` characters at a time: the window's last sentence,
    which the window may cut, is split again at the start of the next one.
    Prose stays below the bound (the most in the evaluation corpora: 6.7
    million, a PAN paragraph of 59,506 characters), so its sentences come out
    as sentencex makes them.
    """
    if len(body) <= SPLIT_WINDOW or len(_QUOTE.findall(body)) * len(body) <= MAX_QUOTE_WORK:
        return _split_window(body, language)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(body):
        end = min(len(body), start + SPLIT_WINDOW)
        found = _split_window(body[start:end], language)
        if end < len(body) and len(found) > 1:
            next_start = start + found[-1][0]  # the last sentence may go on past the window
            found = found[:-1]
        else:
            next_start = end  # one sentence longer than the window: cut here (_clauses cuts it anyway)
        bounds.extend((start + s, start + e) for s, e in found)
        start = next_start
    return bounds


def _split_window(body: str, language: str) -> list[tuple[int, int]]:
    try:
        bounds = sentencex.get_sentence_boundaries(language, body)
    except Exception:  # an unknown language code: fall back to English rules
        bounds = sentencex.get_sentence_boundaries("en", body)
    return [(b["start_index"], b["end_index"]) for b in bounds if not b["is_paragraph_break"]]


def _split_inside_enclosures(body: str, language: str) -> list[tuple[int, int]]:
    """Split a long sentence into its sentences, those inside quotations and brackets included.

    The splitter never cuts between two quotation marks or brackets it
    pairs, which is right for a short quotation; but a speech quoted over
    many sentences (as older translations quote with `...') would stay one
    segment, and so would every sentence between a stray bracket and one far
    on (web text: "1995) ... (for PlayStation 2)").  The marks are blanked
    out, offsets unchanged, and an opening mark is given back to the
    sentence it opens.
    """
    blanked = _ENCLOSING.sub(" ", body)
    starts = []
    for start, _ in _split(blanked, language):
        while start > 0 and blanked[start - 1].isspace():
            start -= 1  # back over the blanks and the marks, then forward over the blanks alone
        while start < len(body) and body[start].isspace():
            start += 1
        starts.append(start)
    if not starts:  # nothing but quotation marks
        return [(0, len(body))]
    starts[0] = 0
    return list(zip(starts, [*starts[1:], len(body)], strict=True))


def _clauses(text: str, sentence: Span) -> Iterator[Span]:
    """Cut an over-long sentence at clause punctuation (or spaces) into pieces of bounded length."""
    start = sentence.start
    while sentence.end - start > MAX_SENTENCE_CHARS:
        window_end = start + MAX_SENTENCE_CHARS
        cut = None
        for match in _CLAUSE_END.finditer(text, start + MAX_SENTENCE_CHARS // 4, window_end):
            cut = match.end()
        if cut is None:
            space = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, window_end)
            cut = space if space > start else window_end
        piece = _trim(text, start, cut)
        if piece is not None:
            yield piece
        start = cut
    rest = _trim(text, start, sentence.end)
    if rest is not None:
        yield rest
