"""Changes numbered for navigation, counted for the summary, and unchanged runs folded (``web.changes``)."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import pytest

from compare import Comparison, Document, Options, compare_documents, read_document
from web.changes import CONTEXT_ROWS, MIN_FOLDED_ROWS, ONE_SIDED_SHOWN, Fold, fold, number_changes, summarize
from web.rows import Cell, Piece, Row, layout

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@cache
def seed_comparison(a: int, b: int) -> Comparison:
    return compare_documents(read_document(SEEDS[a]), read_document(SEEDS[b]), Options())


def text_cell(side: str, text: str, mark: str = "same") -> Cell:
    return Cell(side, (Piece(mark, text),), f"{side}{text}")  # type: ignore[arg-type]


def pair(edits: int = 0, pair_index: int = 0, moved: bool = False) -> Row:
    return Row("moved" if moved else ("variant" if edits else "verbatim"), text_cell("a", f"a{pair_index}"),
               text_cell("b", f"b{pair_index}"), moved=moved, edits=edits, pair=pair_index)


def only(side: str, text: str = "words here") -> Row:
    cell = text_cell(side, text)
    return Row(f"{side}-only", cell if side == "a" else None, cell if side == "b" else None)


def noise(side: str = "b") -> Row:
    cell = Cell(side, (Piece("same", "Page 2"),), f"{side}noise", dim=True)  # type: ignore[arg-type]
    return Row("boilerplate", cell if side == "a" else None, cell if side == "b" else None)


def flatten(blocks: list[Row | Fold]) -> list[Row]:
    return [row for block in blocks for row in (block.rows if isinstance(block, Fold) else (block,))]


def test_changes_are_numbered_in_page_order_and_one_sided_neighbours_are_one_change() -> None:
    rows = number_changes([pair(), only("a"), noise(), only("b"), pair(2, 1), pair(0, 2), noise(), pair(0, 3),
                           pair(1, 4, moved=True), pair(0, 5), pair(0, 4, moved=True), only("b")])
    assert [row.change for row in rows] == [0, 1, 1, 1, 2, 0, 0, 0, 3, 0, 3, 4]
    assert [i for i, row in enumerate(rows) if row.stop] == [1, 4, 8, 11]
    assert [rows[i].change for i, row in enumerate(rows) if row.stop] == [1, 2, 3, 4]


def test_page_noise_starts_no_change() -> None:
    rows = number_changes([noise(), pair(), noise("a"), noise("b")])
    assert not any(row.change or row.stop for row in rows)


def test_summary_counts_changes_and_changed_words() -> None:
    a = Document("a", "The river rose in the night. Nobody slept in the town. The old bridge held firm.\n\n"
                      "A new paragraph only in A, with seven words.")
    b = Document("b", "The river rose in the night. Nobody slept in the village. The old bridge held firm.")
    comparison = compare_documents(a, b)
    rows = number_changes(layout(comparison))
    summary = summarize(comparison, rows)
    assert summary.changes == summary.edited + summary.one_sided + summary.moved_changes
    assert (summary.edited, summary.one_sided, summary.moved_changes) == (1, 1, 0)
    assert summary.words_removed == 1 + 9  # "town", and the nine words of the paragraph only in A
    assert summary.words_added == 1  # "village"
    assert summary.identical == sum(row.segments for row in rows if row.identical)


def test_identical_runs_fold_with_context_next_to_changes() -> None:
    quiet = [pair(0, i) for i in range(12)]
    rows = number_changes([pair(1, 100), *quiet, only("b")])
    blocks = fold(rows)
    folds = [b for b in blocks if isinstance(b, Fold)]
    assert len(folds) == 1 and folds[0].kind == "identical" and not folds[0].hidden
    assert folds[0].identical == 12 - 2 * CONTEXT_ROWS
    assert blocks[1 : 1 + CONTEXT_ROWS] == rows[1 : 1 + CONTEXT_ROWS]  # context after the change above
    assert flatten(blocks) == rows


def test_a_short_identical_run_stays_open() -> None:
    rows = number_changes([pair(1, 100), *[pair(0, i) for i in range(2 * CONTEXT_ROWS + MIN_FOLDED_ROWS - 1)],
                           only("b")])
    assert fold(rows) == rows


def test_hide_identical_folds_every_identical_row_and_says_how_many() -> None:
    rows = number_changes([pair(0, 0), pair(1, 1), pair(0, 2), noise(), pair(0, 3), only("a"), pair(0, 4)])
    blocks = fold(rows, hide_identical=True)
    folds = [b for b in blocks if isinstance(b, Fold)]
    assert all(f.hidden for f in folds)
    assert sum(f.identical for f in folds) == sum(row.identical for row in rows) == 4
    assert not any(isinstance(b, Row) and b.identical for b in blocks)
    assert [b for b in blocks if isinstance(b, Row) and b.change] == [rows[1], rows[5]]
    assert flatten(blocks) == rows


def test_a_long_one_sided_run_shows_its_start_and_folds_the_rest() -> None:
    run = [only("b", f"sentence {i}") for i in range(ONE_SIDED_SHOWN + 40)]
    rows = number_changes([pair(0, 0), *run, pair(0, 1)])
    blocks = fold(rows)
    (folded,) = [b for b in blocks if isinstance(b, Fold)]
    assert folded.kind == "one-sided" and folded.b_only == 40 and folded.a_only == 0
    assert folded.change == 1 and all(row.change == 1 for row in folded.rows)
    assert blocks[1 : 1 + ONE_SIDED_SHOWN] == rows[1 : 1 + ONE_SIDED_SHOWN]
    assert rows[1].stop and not any(row.stop for row in folded.rows)  # navigation lands before the fold
    assert flatten(blocks) == rows


@pytest.mark.parametrize("hide_identical", [False, True])
@pytest.mark.parametrize(("a", "b"), [*itertools.permutations(range(5), 2), (4, 4)])
def test_folding_the_seeds_keeps_every_row_in_order(a: int, b: int, hide_identical: bool) -> None:
    comparison = seed_comparison(a, b)
    rows = number_changes(layout(comparison))
    blocks = fold(rows, hide_identical=hide_identical)
    assert flatten(blocks) == rows
    stops = [row for row in rows if row.stop]
    assert [row.change for row in stops] == list(range(1, len(stops) + 1))
    assert summarize(comparison, rows).changes == len(stops)
    if hide_identical:
        assert not any(isinstance(b, Row) and b.identical for b in blocks)
