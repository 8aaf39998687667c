"""Where two documents differ, for people: changes numbered, counted, and the unchanged runs folded away.

A *change* is one place a reader has to look at: a pair with edited words, a
run of passages found on one side only (whatever side: a replaced paragraph
is one change), or a moved pair (one change, shown at its place in each
column).  Changes are numbered in page order, so the view can say "change 3
of 12" and step from one to the next.

Folding keeps a long comparison readable: a run of identical rows (pairs
with no edit) folds into one line that opens on request, keeping a few rows
of context beside each change, and a long run of one-sided passages shows
its first rows and folds the rest.  With *Hide identical* every identical row
folds, with no context.  Nothing is dropped: a fold holds its rows.

Like ``web.rows``, this module only arranges; the templates draw.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from compare import Comparison, PairKind
from web.rows import Row

CONTEXT_ROWS = 2  # identical rows left open before and after a change
MIN_FOLDED_ROWS = 3  # a fold holds at least this many rows, or none is made
ONE_SIDED_SHOWN = 3  # rows of a long one-sided run shown before the rest folds
WORD = re.compile(r"\w+")

FoldKind = Literal["identical", "one-sided"]


@dataclass(frozen=True, slots=True)
class Fold:
    """Rows folded behind one line that opens on request.

    ``identical`` counts the segments of the identical pairs it holds,
    ``a_only``/``b_only`` the one-sided segments, ``noise`` the page-noise rows.
    ``hidden`` marks a fold made by *Hide identical*.
    """

    kind: FoldKind
    rows: tuple[Row, ...]
    identical: int = 0
    a_only: int = 0
    b_only: int = 0
    noise: int = 0
    hidden: bool = False
    change: int = 0  # the change a folded one-sided run belongs to


Block = Row | Fold


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of the summary bar: shares, kinds of pairs, and the changes at a glance."""

    shared_a: float
    shared_b: float
    verbatim: int
    variant: int
    partial: int
    moved: int
    a_only: int  # segments of A with no counterpart
    b_only: int
    changes: int  # places that differ: edited pairs, one-sided runs, moved pairs
    edited: int  # changes that are edited pairs
    one_sided: int  # changes that are runs of one-sided passages
    moved_changes: int  # changes that are moved pairs
    words_removed: int  # words shown as only in A: deleted words and one-sided text of A
    words_added: int
    identical: int  # segments in identical pairs (what *Hide identical* hides)


def number_changes(rows: Sequence[Row]) -> list[Row]:
    """Return the rows with their changes numbered in page order, each change's first row its stop.

    One-sided rows next to each other are one change (page noise joins a run
    but starts none); a moved pair's two rows share one number.
    """
    numbered: list[Row] = []
    count = 0
    run = 0  # the number of the one-sided run going on, if any
    moved: dict[int, int] = {}  # pair index -> its change
    for row in rows:
        change, stop = 0, False
        if row.one_sided:
            if run:
                change = run
            elif row.kind != "boilerplate":
                count += 1
                run = change = count
                stop = True
        else:
            run = 0
            if row.moved and row.pair is not None:
                if row.pair in moved:
                    change = moved[row.pair]
                else:
                    count += 1
                    change = moved[row.pair] = count
                    stop = True
            elif row.edits:
                count += 1
                change, stop = count, True
        numbered.append(dataclasses.replace(row, change=change, stop=stop))
    return numbered


def count_words(rows: Iterable[Row]) -> tuple[int, int]:
    """Return the words shown as only in A (deleted, or one-sided) and only in B.

    Every passage is shown once per column, so each changed word counts once.
    """
    removed = added = 0
    for row in rows:
        if row.kind == "boilerplate":
            continue
        for cell in (row.a, row.b):
            if cell is None or cell.placeholder:
                continue
            words = sum(len(WORD.findall(piece.text)) for piece in cell.pieces
                        if piece.mark != "same" or row.kind in ("a-only", "b-only"))
            if cell.side == "a":
                removed += words
            else:
                added += words
    return removed, added


def summarize(comparison: Comparison, rows: Sequence[Row]) -> Summary:
    """Return the counts of a comparison and of the changes its numbered rows show."""
    kinds = [pair.kind for pair in comparison.pairs]
    stops = [row for row in rows if row.stop]
    removed, added = count_words(rows)
    return Summary(
        shared_a=comparison.shared_share("a"),
        shared_b=comparison.shared_share("b"),
        verbatim=kinds.count(PairKind.VERBATIM),
        variant=kinds.count(PairKind.VARIANT),
        partial=kinds.count(PairKind.PARTIAL),
        moved=sum(pair.moved for pair in comparison.pairs),
        a_only=len(comparison.a_only),
        b_only=len(comparison.b_only),
        changes=len(stops),
        edited=sum(not row.one_sided and not row.moved for row in stops),
        one_sided=sum(row.one_sided for row in stops),
        moved_changes=sum(row.moved for row in stops),
        words_removed=removed,
        words_added=added,
        identical=sum(row.segments for row in rows if row.identical),
    )


def fold(rows: Sequence[Row], *, hide_identical: bool = False) -> list[Block]:
    """Return the rows to show, long unchanged runs folded (every identical row when ``hide_identical``).

    Page noise beside identical rows folds with them.
    """
    blocks: list[Block] = []
    start = 0
    while start < len(rows):
        end = start + 1
        if _quiet(rows[start]):
            while end < len(rows) and _quiet(rows[end]):
                end += 1
            blocks += _fold_quiet(rows, start, end, hide_identical)
        elif rows[start].one_sided and rows[start].change:
            while end < len(rows) and rows[end].one_sided and rows[end].change == rows[start].change:
                end += 1
            blocks += _fold_one_sided(rows[start:end])
        else:
            blocks.append(rows[start])
        start = end
    return blocks


def _quiet(row: Row) -> bool:
    """Tell whether a row can fold with identical ones: an identical pair, or page noise outside any change."""
    return row.identical or (row.kind == "boilerplate" and not row.change)


def _fold_quiet(rows: Sequence[Row], start: int, end: int, hide_identical: bool) -> list[Block]:
    """Fold the quiet rows ``rows[start:end]``, leaving context next to the changes around them."""
    before = 0 if hide_identical or start == 0 else CONTEXT_ROWS  # rows after the change above
    after = 0 if hide_identical or end == len(rows) else CONTEXT_ROWS  # rows before the change below
    first, last = start + before, end - after
    inner = rows[first:last] if first < last else ()
    if not any(row.identical for row in inner) or (not hide_identical and len(inner) < MIN_FOLDED_ROWS):
        return list(rows[start:end])
    folded = Fold("identical", tuple(inner), identical=sum(r.segments for r in inner if r.identical),
                  noise=sum(not r.identical for r in inner), hidden=hide_identical)
    return [*rows[start:first], folded, *rows[last:end]]


def _fold_one_sided(run: Sequence[Row]) -> list[Block]:
    """Show the first rows of a one-sided run and fold the rest when it is long."""
    if len(run) < ONE_SIDED_SHOWN + MIN_FOLDED_ROWS:
        return list(run)
    rest = run[ONE_SIDED_SHOWN:]
    folded = Fold("one-sided", tuple(rest), a_only=sum(r.kind == "a-only" for r in rest),
                  b_only=sum(r.kind == "b-only" for r in rest), noise=sum(r.kind == "boilerplate" for r in rest),
                  change=run[0].change)
    return [*run[:ONE_SIDED_SHOWN], folded]
