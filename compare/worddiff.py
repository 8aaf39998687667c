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

The engine diffs thousands of sentence pairs per comparison, so the common
cases are short-cut: identical passages, and passages whose tokens fold to
the same keys, give one ``equal`` without matching; common leading and
trailing tokens are trimmed before difflib sees the rest.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple

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
_ASTRAL_START = 0x10000  # the first code point beyond the BMP

# Splitting a text by a pattern with one group yields gap, token, gap, ...,
# token, gap: the offsets follow from the lengths of the parts, without a
# match object per token.
# Possessive quantifiers: a word never gives characters back, and the engine
# skips the bookkeeping for it.
_PLAIN_TOKENS = re.compile(rf"(\w++(?:[{re.escape(_WORD_JOINERS)}]\w++)*+|[^\w\s])")


@functools.cache
def _marked_tokens() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compile the token pattern for text with combining marks, and a search for text that may need it.

    ``\\w`` leaves out combining marks (accents of decomposed text, Indic vowel
    signs, Hebrew points), so ``_PLAIN_TOKENS`` would cut a letter from its
    accent.  Matching marks makes the pattern slower (much slower for marks
    beyond the BMP), so it is used only where the search finds a BMP mark, a
    zero-width joiner or any character beyond the BMP.  Built on first use:
    listing the marks takes about 10 ms.
    """
    marks = _char_class(
        code
        for low, high in _MARK_PLANES
        for code in range(low, high)
        if unicodedata.category(chr(code)).startswith("M")
    )
    bmp_marks = _char_class(
        code for code in range(_ASTRAL_START) if unicodedata.category(chr(code)).startswith("M")
    )
    word_char = rf"[\w{marks}{_ZERO_WIDTH_JOINERS}]"
    word = rf"{word_char}++(?:[{re.escape(_WORD_JOINERS)}]{word_char}++)*+"
    punctuation = rf"[^\w\s](?:[{marks}]|\u200d[^\s])*"
    needs_marks = f"[{bmp_marks}{_ZERO_WIDTH_JOINERS}{chr(_ASTRAL_START)}-{chr(sys.maxunicode)}]"
    return re.compile(f"({word}|{punctuation})"), re.compile(needs_marks)


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


def _ascii_fold_changes() -> str:
    """Return the ASCII characters that ``fold`` maps to something other than their lower case."""
    return "".join(c for c in map(chr, range(128)) if fold(c) != c.lower())


_ASCII_FOLD_CHANGES = _ascii_fold_changes()  # just the backtick, today
_FOLD_CACHE_SIZE = 100_000  # distinct non-ASCII tokens whose keys are remembered


@functools.lru_cache(maxsize=_FOLD_CACHE_SIZE)
def _fold_token(token: str) -> str:
    """Return the comparison key of one token."""
    return fold(token)


class _Tokens(NamedTuple):
    """The tokens of a passage ``[lo, hi)`` of a text: offsets into the text and comparison keys."""

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
    piece = text[lo:hi]
    if piece.isascii() and not any(char in piece for char in _ASCII_FOLD_CHANGES):
        parts = _PLAIN_TOKENS.split(piece.lower())  # for such text, fold is lower()
        keys = parts[1::2]
    else:
        marked, needs_marks = _marked_tokens()
        parts = (marked if needs_marks.search(piece) else _PLAIN_TOKENS).split(piece)
        keys = [_fold_token(token) for token in parts[1::2]]
    bounds = list(itertools.accumulate(map(len, parts), initial=lo))
    return _Tokens(lo, hi, bounds[1:-1:2], bounds[2::2], keys)


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
    ops = list(ops)
    if not ops[0][0]:
        ops.insert(0, (True, 0, 0, 0, 0))
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


def _place_cuts(ops: list[_Op], a_tokens: _Tokens, b_tokens: _Tokens) -> tuple[DiffOp, ...]:
    """Turn alternating token operations into ``DiffOp``s with character spans that tile both passages.

    The cut between two operations falls at one end of the whitespace gap
    between their tokens.  Each cut borders exactly one edit (equalities and
    edits alternate), and each edit chooses its spacing; an edit with no
    tokens on one side gets an empty span there unless it is the only one.
    """
    last = len(ops) - 1
    # ``a_cuts[k]`` and ``a_cuts[k + 1]`` bound operation k in A.
    a_cuts = [a_tokens.lo] * (last + 1) + [a_tokens.hi]
    b_cuts = [b_tokens.lo] * (last + 1) + [b_tokens.hi]
    for k, (is_equal, i1, i2, j1, j2) in enumerate(ops):
        if is_equal:
            continue
        has_before, has_after = k > 0, k < last
        spacing = _choose_spacing(a_tokens, i1, i2, b_tokens, j1, j2, has_before, has_after)
        a_cuts[k], a_cuts[k + 1] = _cut_side(a_tokens, i1, i2, spacing, has_before, has_after)
        b_cuts[k], b_cuts[k + 1] = _cut_side(b_tokens, j1, j2, spacing, has_before, has_after)
    diff: list[DiffOp] = []
    for k, op in enumerate(ops):
        a_start, a_end, b_start, b_end = a_cuts[k], a_cuts[k + 1], b_cuts[k], b_cuts[k + 1]
        if op[0]:
            tag = OpTag.EQUAL
        elif a_start == a_end:
            tag = OpTag.INSERT
        elif b_start == b_end:
            tag = OpTag.DELETE
        else:
            tag = OpTag.REPLACE
        diff.append(DiffOp(tag, Span(a_start, a_end), Span(b_start, b_end)))
    return tuple(diff)


def _choose_spacing(
    a_tokens: _Tokens, i1: int, i2: int, b_tokens: _Tokens, j1: int, j2: int,
    has_before: bool, has_after: bool,
) -> _Spacing:
    """Choose where an edit's surrounding whitespace goes so that the equalities around it read alike.

    The equality before the edit should end with whitespace in A exactly
    when it does in B, and the equality after should start with whitespace
    in both or in neither (which whitespace does not matter: "\\r\\n" is
    " ").  "x del y" / "x y" deletes "del " (AFTER: the equal "x " reads
    alike on both sides); "word, next" / "word next" deletes just ","
    (BEFORE: the comma's gap before it is empty, like B's).  A replace with
    matching gaps takes none (NONE); ties go to AFTER.
    """
    # Whether whitespace precedes the edit's first token (or, on a side where
    # the edit is empty, the one gap where it sits) differs between A and B ...
    unlike_before = has_before and _spaced(a_tokens, i1) != _spaced(b_tokens, j1)
    # ... and likewise for the gap after the edit.
    unlike_after = has_after and _spaced(a_tokens, i2) != _spaced(b_tokens, j2)
    if not unlike_before and not unlike_after and i1 < i2 and j1 < j2:
        return _Spacing.NONE
    if unlike_before and not unlike_after:
        return _Spacing.BEFORE  # the edit takes the unlike gap before it
    return _Spacing.AFTER


def _spaced(tokens: _Tokens, index: int) -> bool:
    """Tell whether the gap just before token ``index`` (or the passage's end) holds whitespace."""
    gap_start = tokens.ends[index - 1] if index else tokens.lo
    return (tokens.starts[index] if index < len(tokens.starts) else tokens.hi) > gap_start


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
