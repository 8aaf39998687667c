"""Word-level differences between two passages, made readable for people.

The diff works on *tokens*: words and single punctuation marks.  Whitespace
is never a token; it lives in the gaps between tokens, so a change of spacing
alone never shows as an edit.  Tokens compare by their folded form (NFKC,
case-folded, plain quotes; see ``compare.normalize.fold``) but deliberately
*not* stemmed: a reader wants to see "innovative" become "innovation".

Finding the changes and presenting them are separate steps, as in
diff-match-patch: ``difflib.SequenceMatcher`` matches the token keys, then
small cleanup passes, each a function of its own, make the result read well:

1. ``_coalesce``: adjacent edits merge into one (a delete next to an insert is
   a replace), adjacent equalities merge, empty operations disappear;
2. ``_absorb_confetti``: a short equality squeezed between two larger edits
   ("the [red] big" / "the [big] red") joins them into one replace;
3. ``_slide_edits``: an insertion or deletion that could equally sit a few
   tokens earlier or later (repeated words) moves to the most natural place;
4. ``_place_cuts``: operations become character spans; the whitespace around
   each edit goes to whichever side keeps the equal text on both sides
   reading alike (a deleted word takes one adjacent space with it).

Operations therefore only ever start and end on token boundaries: no edit
cuts inside a word.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from compare.model import DiffOp, OpTag, Span
from compare.normalize import fold

# A token-level operation: (is_equal, a_start, a_end, b_start, b_end), the
# half-open token index ranges it covers on each side, as in difflib's opcodes.
_Op = tuple[bool, int, int, int, int]

# Confetti: an equality of at most this many tokens and characters, no longer
# than the edits on either side of it, is folded into a single replace.
CONFETTI_MAX_TOKENS = 2
CONFETTI_MAX_CHARS = 8

# How good a place the boundary between two tokens is for an edit to start or
# end (higher is better), used to slide ambiguous insertions and deletions.
EDGE_SCORE = 4  # the start or end of the passage
SENTENCE_SCORE = 3  # just after a sentence or clause stop
PUNCTUATION_SCORE = 2  # after other punctuation, or before an opening bracket
WORD_SCORE = 1  # between two words
CLINGING_SCORE = 0  # between a word and the punctuation that clings to it

SENTENCE_STOPS = frozenset(".!?;:…")
OPENERS = frozenset("([{¿¡")

# Inner characters that keep a word whole ("China's", "2.5"), as the matching
# tokenizer in ``compare.normalize`` does.
_WORD_JOINERS = "'’‘ʼ."
_ZERO_WIDTH_JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ occur inside words of many scripts
# Unicode planes that hold combining marks: BMP, SMP and the plane of the
# variation selectors supplement.
_MARK_PLANES = ((0x0000, 0x20000), (0xE0000, 0xF0000))


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Compile the token pattern: words (with their combining marks) and single punctuation marks."""
    # ``\w`` leaves out combining marks (accents in decomposed text, Indic
    # vowel signs, Hebrew points); a word must keep them or a diff could cut
    # a letter from its accent.  Built on first use: scanning takes ~10 ms.
    marks = _char_class(
        code
        for low, high in _MARK_PLANES
        for code in range(low, high)
        if unicodedata.category(chr(code)).startswith("M")
    )
    word_char = rf"[\w{marks}{_ZERO_WIDTH_JOINERS}]"
    word = rf"{word_char}+(?:[{re.escape(_WORD_JOINERS)}]{word_char}+)*"
    punctuation = rf"[^\w\s](?:[{marks}]|\u200d[^\s])*"
    return re.compile(f"{word}|{punctuation}")


def _char_class(codes: Iterable[int]) -> str:
    """Return the body of a regex character class matching the given code points."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )


def _ascii_fold_extras() -> tuple[tuple[str, str], ...]:
    """Return the ASCII characters that ``fold`` maps to something other than their lower case."""
    extras = tuple((c, fold(c)) for c in map(chr, range(128)) if fold(c) != c.lower())
    if any(len(folded) != 1 for _, folded in extras):
        raise AssertionError("fold must keep ASCII text the same length")
    return extras


_ASCII_FOLD_EXTRAS = _ascii_fold_extras()


@functools.lru_cache(maxsize=100_000)
def _fold_token(token: str) -> str:
    """Return the comparison key of one token."""
    return fold(token)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The tokens of ``text[lo:hi]``: offsets into ``text`` and comparison keys."""

    text: str
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    keys: list[str]

    def extent(self, start: int, end: int) -> int:
        """Return the characters from token ``start``'s start to token ``end - 1``'s end."""
        return self.ends[end - 1] - self.starts[start] if end > start else 0


def _tokenize(text: str, span: Span) -> _Tokens:
    """Split ``text[span]`` into tokens keyed by their folded form."""
    lo, hi = span.start, span.end
    spans = [m.span() for m in _token_pattern().finditer(text, lo, hi)]
    piece = text[lo:hi]
    if piece.isascii():  # fold is lower() plus a few replacements: keep offsets
        folded = piece.lower()
        for char, replacement in _ASCII_FOLD_EXTRAS:
            if char in folded:
                folded = folded.replace(char, replacement)
        keys = [folded[start - lo : end - lo] for start, end in spans]
    else:
        keys = [_fold_token(text[start:end]) for start, end in spans]
    return _Tokens(text, lo, hi, [start for start, _ in spans], [end for _, end in spans], keys)


def diff_words(a_text: str, b_text: str, a: Span | None = None, b: Span | None = None) -> tuple[DiffOp, ...]:
    """Return the word-level operations that turn ``a_text[a]`` into ``b_text[b]``.

    ``a`` and ``b`` default to the whole texts; the returned spans are offsets
    into ``a_text`` and ``b_text``.  The ``a`` spans of the operations tile
    ``a`` in order with no gap or overlap, and the ``b`` spans tile ``b``.

    >>> a_text, b_text = "innovative leadership, and moral appeal", "Innovation leadership and moral appeal"
    >>> for op in diff_words(a_text, b_text):
    ...     print(f"{op.tag:8}{op.a.slice(a_text)!r:22}{op.b.slice(b_text)!r}")
    replace 'innovative'          'Innovation'
    equal   ' leadership'         ' leadership'
    delete  ','                   ''
    equal   ' and moral appeal'   ' and moral appeal'
    """
    a = _check_span(a_text, a, "a")
    b = _check_span(b_text, b, "b")
    if a.slice(a_text) == b.slice(b_text):
        return (DiffOp(OpTag.EQUAL, a, b),) if len(a) else ()
    a_tokens, b_tokens = _tokenize(a_text, a), _tokenize(b_text, b)
    if a_tokens.keys == b_tokens.keys:  # same words; only case, quotes or spacing differ
        return (DiffOp(OpTag.EQUAL, a, b),)
    ops = _coalesce(_match(a_tokens.keys, b_tokens.keys))
    ops = _absorb_confetti(ops, a_tokens, b_tokens)
    ops = _slide_edits(ops, a_tokens, b_tokens)
    return _place_cuts(ops, a_tokens, b_tokens)


def _check_span(text: str, span: Span | None, side: str) -> Span:
    """Return ``span``, or the whole text if it is None; refuse a span past the text's end."""
    if span is None:
        return Span(0, len(text))
    if span.end > len(text):
        raise ValueError(f"span {side}={span!r} ends past its text of {len(text)} characters")
    return span


def _match(a_keys: list[str], b_keys: list[str]) -> list[_Op]:
    """Return token opcodes covering both key lists: common ends trimmed, the middle matched by difflib.

    The matcher always sees the two middles in the same (sorted) order, so
    swapping the inputs gives exactly the mirrored result.
    """
    a_len, b_len = len(a_keys), len(b_keys)
    prefix = 0
    limit = min(a_len, b_len)
    while prefix < limit and a_keys[prefix] == b_keys[prefix]:
        prefix += 1
    suffix = 0
    limit -= prefix
    while suffix < limit and a_keys[a_len - 1 - suffix] == b_keys[b_len - 1 - suffix]:
        suffix += 1
    a_end, b_end = a_len - suffix, b_len - suffix
    ops: list[_Op] = [(True, 0, prefix, 0, prefix)]
    a_middle, b_middle = a_keys[prefix:a_end], b_keys[prefix:b_end]
    if not a_middle or not b_middle:
        ops.append((False, prefix, a_end, prefix, b_end))
    else:
        swapped = a_middle > b_middle
        first, second = (b_middle, a_middle) if swapped else (a_middle, b_middle)
        matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if swapped:
                i1, i2, j1, j2 = j1, j2, i1, i2
            ops.append((tag == "equal", i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    ops.append((True, a_end, a_len, b_end, b_len))
    return ops


def _coalesce(ops: list[_Op]) -> list[_Op]:
    """Drop empty operations and merge neighbours of the same kind (delete + insert make a replace).

    Afterwards equalities and edits alternate, which the later passes rely on.
    """
    merged: list[_Op] = []
    for op in ops:
        is_equal, i1, i2, j1, j2 = op
        if i1 == i2 and j1 == j2:
            continue
        if merged and merged[-1][0] == is_equal:
            merged[-1] = (is_equal, merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append(op)
    return merged


def _size(op: _Op, a_tokens: _Tokens, b_tokens: _Tokens) -> int:
    """Return the length in characters of an operation's larger side."""
    return max(a_tokens.extent(op[1], op[2]), b_tokens.extent(op[3], op[4]))


def _absorb_confetti(ops: list[_Op], a_tokens: _Tokens, b_tokens: _Tokens) -> list[_Op]:
    """Fold each short equality lying between two edits at least as long into one replace.

    This is diff-match-patch's semantic cleanup at the token level: "the red
    big dog" against "the big red dog" reads better as one replace of "red
    big" than as an insert, a one-word equality and a delete.  A grown edit
    may swallow the equality before it in turn, hence the stack.
    """
    result: list[_Op] = []
    for op in ops:
        if not op[0]:
            # Invariant: ``result`` alternates equalities and edits, like ``ops``.
            while len(result) >= 2 and _is_confetti(result[-1], result[-2], op, a_tokens, b_tokens):
                result.pop()
                before = result.pop()
                op = (False, before[1], op[2], before[3], op[4])
        result.append(op)
    return result


def _is_confetti(equal: _Op, before: _Op, after: _Op, a_tokens: _Tokens, b_tokens: _Tokens) -> bool:
    """Tell whether ``equal``, between the edits ``before`` and ``after``, is too small to keep."""
    size = _size(equal, a_tokens, b_tokens)
    return (
        equal[2] - equal[1] <= CONFETTI_MAX_TOKENS
        and size <= CONFETTI_MAX_CHARS
        and size <= _size(before, a_tokens, b_tokens)
        and size <= _size(after, a_tokens, b_tokens)
    )


def _slide_edits(ops: list[_Op], a_tokens: _Tokens, b_tokens: _Tokens) -> list[_Op]:
    """Move each insertion or deletion among its equivalent places to the most natural one.

    Deleting "cat and the" from "the cat and the dog" can equally be
    deleting "the cat and": the edit slides over a repeated token.  Among the
    places, prefer those whose ends fall at the passage's edges, after
    punctuation, and never between a word and its clinging punctuation;
    ties go to the leftmost.  An equality between two edits keeps at least
    one token, so edits never merge here.
    """
    # Pad with empty equalities so that every edit has one on each side.
    a_len, b_len = len(a_tokens.keys), len(b_tokens.keys)
    ops = [(True, 0, 0, 0, 0), *ops] if ops and not ops[0][0] else list(ops)
    if not ops[-1][0]:
        ops.append((True, a_len, a_len, b_len, b_len))
    last = len(ops) - 1
    for k, op in enumerate(ops):
        is_equal, i1, i2, j1, j2 = op
        if is_equal or (i1 < i2 and j1 < j2):
            continue
        # ``start``/``end``: the edit's token range on the side that has tokens.
        keys, start, end = (a_tokens.keys, i1, i2) if i1 < i2 else (b_tokens.keys, j1, j2)
        before, after = ops[k - 1], ops[k + 1]
        left_room = before[2] - before[1] - (0 if k - 1 == 0 else 1)
        right_room = after[2] - after[1] - (0 if k + 1 == last else 1)
        lowest = 0
        while lowest < left_room and keys[start - lowest - 1] == keys[end - lowest - 1]:
            lowest += 1
        highest = 0
        while highest < right_room and keys[end + highest] == keys[start + highest]:
            highest += 1
        if not lowest and not highest:
            continue
        best = max(
            range(-lowest, highest + 1),
            key=lambda shift: (_placement_score(keys, start + shift, end + shift), -shift),
        )
        if best:
            ops[k - 1] = (True, before[1], before[2] + best, before[3], before[4] + best)
            ops[k] = (False, i1 + best, i2 + best, j1 + best, j2 + best)
            ops[k + 1] = (True, after[1] + best, after[2], after[3] + best, after[4])
    return _coalesce(ops)


def _placement_score(keys: list[str], start: int, end: int) -> int:
    """Score an edit covering tokens ``start:end`` by how natural its two ends are."""
    return _boundary_score(keys, start) + _boundary_score(keys, end)


def _boundary_score(keys: list[str], index: int) -> int:
    """Score the boundary just before token ``index`` as a place for an edit to begin or end."""
    if index == 0 or index == len(keys):
        return EDGE_SCORE
    left, right = keys[index - 1], keys[index]
    if left in OPENERS or not (_is_word(right) or right in OPENERS):
        return CLINGING_SCORE
    if left in SENTENCE_STOPS:
        return SENTENCE_SCORE
    if not _is_word(left) or right in OPENERS:
        return PUNCTUATION_SCORE
    return WORD_SCORE


def _is_word(key: str) -> bool:
    """Tell whether a token key is a word rather than punctuation."""
    return key[0].isalnum() or key[0] == "_"


class _Spacing(Enum):
    """Where the whitespace around an edit goes."""

    NONE = "none"  # the edit takes none: the equalities keep theirs
    AFTER = "after"  # the edit takes the gap after it
    BEFORE = "before"  # the edit takes the gap before it


_REPLACE_SPACINGS = (_Spacing.NONE, _Spacing.AFTER, _Spacing.BEFORE)
_ONE_SIDED_SPACINGS = (_Spacing.AFTER, _Spacing.BEFORE)


def _place_cuts(ops: list[_Op], a_tokens: _Tokens, b_tokens: _Tokens) -> tuple[DiffOp, ...]:
    """Turn alternating token operations into ``DiffOp``s with character spans that tile both passages.

    The cut between two operations falls at one end of the whitespace gap
    between their tokens.  Each cut borders exactly one edit (equalities and
    edits alternate), and each edit picks the spacing, among a few, for
    which the equalities around it end and begin with whitespace in A exactly
    where they do in B (which whitespace does not matter: "\r\n" is " "):
    "x del y" / "x y" deletes "del " (the equal "x " reads alike on both
    sides), "word, next" / "word next" deletes just ",".  Ties go to the
    first spacing listed; an edit with no tokens on one side always gets an
    empty span there unless it is the only operation.
    """
    last = len(ops) - 1
    # ``a_cuts[k]`` and ``a_cuts[k + 1]`` bound operation k in A.
    a_cuts = [a_tokens.lo] * (last + 1) + [a_tokens.hi]
    b_cuts = [b_tokens.lo] * (last + 1) + [b_tokens.hi]
    for k, (is_equal, i1, i2, j1, j2) in enumerate(ops):
        if is_equal:
            continue
        has_before, has_after = k > 0, k < last
        spacings = _REPLACE_SPACINGS if i1 < i2 and j1 < j2 else _ONE_SIDED_SPACINGS
        best_cost = -1
        for spacing in spacings:
            a_start, a_end = _cut_side(a_tokens, i1, i2, spacing, has_before, has_after)
            b_start, b_end = _cut_side(b_tokens, j1, j2, spacing, has_before, has_after)
            cost = 0
            if has_before:  # does the equality before end with a space on one side only?
                a_spaced = a_start > a_tokens.ends[i1 - 1]
                cost += a_spaced != (b_start > b_tokens.ends[j1 - 1])
            if has_after:  # does the equality after start with a space on one side only?
                a_spaced = a_tokens.starts[i2] > a_end
                cost += a_spaced != (b_tokens.starts[j2] > b_end)
            if best_cost < 0 or cost < best_cost:
                best_cost = cost
                a_cuts[k], a_cuts[k + 1], b_cuts[k], b_cuts[k + 1] = a_start, a_end, b_start, b_end
            if not best_cost:
                break
    diff: list[DiffOp] = []
    for k, op in enumerate(ops):
        a_span, b_span = Span(a_cuts[k], a_cuts[k + 1]), Span(b_cuts[k], b_cuts[k + 1])
        if op[0]:
            tag = OpTag.EQUAL
        elif not len(a_span):
            tag = OpTag.INSERT
        elif not len(b_span):
            tag = OpTag.DELETE
        else:
            tag = OpTag.REPLACE
        diff.append(DiffOp(tag, a_span, b_span))
    return tuple(diff)


def _cut_side(
    tokens: _Tokens, start: int, end: int, spacing: _Spacing, has_before: bool, has_after: bool
) -> tuple[int, int]:
    """Return the character span, on one side, of an edit covering tokens ``start:end``."""
    gap_start = tokens.ends[start - 1] if start else tokens.lo
    gap_end = tokens.starts[end] if end < len(tokens.starts) else tokens.hi
    if start == end:  # no tokens on this side: an empty span somewhere in one gap
        if not has_before and not has_after:  # the only operation must cover all
            return tokens.lo, tokens.hi
        if has_before and (spacing is _Spacing.AFTER or not has_after):
            return gap_end, gap_end
        return gap_start, gap_start
    cut_start = gap_start if spacing is _Spacing.BEFORE or not has_before else tokens.starts[start]
    cut_end = gap_end if spacing is _Spacing.AFTER or not has_after else tokens.ends[end - 1]
    return cut_start, cut_end
