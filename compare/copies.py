"""Copied passages: long runs of the same words in both texts, wherever sentences begin.

Seed and extend, the classic text-reuse method: every run of ``SEED_WORDS``
words found in both texts is a seed; seeds that follow each other on both
sides, with at most ``MAX_GAP_WORDS`` words between them (an edited or
mangled word), chain into one passage; passages of at least ``MIN_WORDS``
words are copies.  Their ends fall on the first and last shared word, so a
copy that starts in the middle of a sentence is reported exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from compare.model import Span
from compare.normalize import Token

SEED_WORDS = 5  # words in a seed
MAX_GAP_WORDS = 8  # words between two seeds of one passage, on either side
MIN_WORDS = 15  # shortest copied passage, in words
MAX_SEED_REPEATS = 8  # a seed found more often than this in B is a stock phrase, not evidence


@dataclass(frozen=True, slots=True)
class Copy:
    """A passage of A copied (near) verbatim from a passage of B."""

    a: Span
    b: Span
    words: int  # words of A in the passage


def find_copies(tokens_a: list[Token], tokens_b: list[Token]) -> list[Copy]:
    """Return the copied passages between two token sequences, in the order of A.

    >>> from compare.normalize import tokenize
    >>> a = "Intro words here. " + " ".join(f"w{n}" for n in range(20)) + " outro."
    >>> b = "Other start " + " ".join(f"w{n}" for n in range(20)) + " end."
    >>> [(c.a.slice(a)[:5], c.b.slice(b)[:5], c.words) for c in find_copies(tokenize(a), tokenize(b))]
    [('w0 w1', 'w0 w1', 20)]
    """
    if len(tokens_a) < SEED_WORDS or len(tokens_b) < SEED_WORDS:
        return []
    keys_a = [t.key for t in tokens_a]
    keys_b = [t.key for t in tokens_b]
    seeds_b: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for y in range(len(keys_b) - SEED_WORDS + 1):
        seeds_b[tuple(keys_b[y : y + SEED_WORDS])].append(y)

    # Open chains by the B position they expect next; each is [x0, y0, x_end, y_end].
    chains: list[list[int]] = []
    open_by_end: dict[int, list[list[int]]] = defaultdict(list)
    for x in range(len(keys_a) - SEED_WORDS + 1):
        ys = seeds_b.get(tuple(keys_a[x : x + SEED_WORDS]))
        if not ys or len(ys) > MAX_SEED_REPEATS:
            continue
        for y in ys:
            chain = _continued_chain(open_by_end, x, y)
            if chain is None:
                chain = [x, y, x + SEED_WORDS, y + SEED_WORDS]
                chains.append(chain)
            else:
                chain[2], chain[3] = max(chain[2], x + SEED_WORDS), max(chain[3], y + SEED_WORDS)
            open_by_end[chain[3]].append(chain)

    copies = []
    for x0, y0, x1, y1 in chains:
        if x1 - x0 >= MIN_WORDS and y1 - y0 >= MIN_WORDS:
            copies.append(Copy(Span(tokens_a[x0].span.start, tokens_a[x1 - 1].span.end),
                               Span(tokens_b[y0].span.start, tokens_b[y1 - 1].span.end), x1 - x0))
    return _drop_contained(copies)


def _continued_chain(open_by_end: dict[int, list[list[int]]], x: int, y: int) -> list[int] | None:
    """Return an open chain that the seed at (x, y) continues, if any."""
    for end in range(y + SEED_WORDS - 1, y - MAX_GAP_WORDS - 1, -1):
        for chain in open_by_end.get(end, ()):
            if chain[3] == end and chain[2] - SEED_WORDS < x <= chain[2] + MAX_GAP_WORDS:
                return chain
    return None


def _drop_contained(copies: list[Copy]) -> list[Copy]:
    """Drop copies whose passage of A lies inside a longer copy's; sort by A.

    A source that repeats a passage (a page header, a quoted paragraph)
    matches the copy several times: the longest match is the copy's source.
    """
    copies.sort(key=lambda c: -c.words)
    kept: list[Copy] = []
    for copy in copies:
        if not any(k.a.start <= copy.a.start and copy.a.end <= k.a.end for k in kept):
            kept.append(copy)
    return sorted(kept, key=lambda c: c.a)
