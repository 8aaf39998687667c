"""The beads of a gap: the bound that leaves hopeless beads unmeasured never drops one the chain could take."""

from __future__ import annotations

import itertools

import pytest

from compare import Document, Options
from compare.align import _Search
from compare.beads import Gap, gap_beads
from compare.calibration import default_model
from compare.candidates import find_candidates
from compare.scoring import fit_scorer
from compare.segment import segment


def search_of(a: Document, b: Document) -> _Search:
    options = Options()
    seg_a, seg_b = segment(a, options), segment(b, options)
    scorer = fit_scorer([seg_a, seg_b])
    return _Search(scorer, seg_a, seg_b, find_candidates(scorer, seg_a, seg_b, options), options, default_model())


def beads_of(search: _Search, gap: Gap, prune: bool) -> dict[tuple[int, int, int, int], float]:
    worth = {"worth": search.model.bead, "floor": search.shift} if prune else {}
    beads = gap_beads(gap, search.sides, search.scorer, [], search.clause_of.known, search.crowd,
                      search.options.max_merge, search.cosine, **worth)  # type: ignore[arg-type]
    return {(b.x0, b.x1, b.y0, b.y1): search.bead_odds(b) for b in beads}


@pytest.mark.parametrize(("x", "y"), list(itertools.combinations(["000", "001", "002", "004"], 2)))
def test_pruned_beads_are_exactly_the_ones_worth_nothing(seeds: dict[str, Document], x: str, y: str) -> None:
    """Every bead of the whole-document gap: those the bound leaves out have no positive worth, the rest are equal."""
    search = search_of(seeds[x], seeds[y])
    n, m = len(search.sides.ids_a), len(search.sides.ids_b)
    gap = Gap(0, min(n, 8), 0, min(m, 8), after_anchor=False, before_anchor=True)  # dense: every cell and shape
    every, kept = beads_of(search, gap, prune=False), beads_of(search, gap, prune=True)
    assert kept.items() <= every.items()
    dropped = every.keys() - kept.keys()
    assert dropped, "the bound prunes something on real text"
    assert all(every[bead] <= 0 for bead in dropped)
    assert all(bead[1] - bead[0] > 1 or bead[3] - bead[2] > 1 for bead in dropped)  # 1:1 beads are all measured


def test_a_bead_worth_taking_is_measured() -> None:
    """One sentence rendered as two: the 1:2 bead is worth its place, and the bound keeps it."""
    a = Document("a", "The old king rode down to the wide river at dawn, and his grey horse drank the cold water. "
                      "Then the tired soldiers built a narrow bridge of heavy stones.")
    b = Document("b", "At dawn the old king rode down to the wide river. His grey horse drank the cold water. "
                      "Then the tired soldiers built a narrow bridge of heavy stones.")
    search = search_of(a, b)
    gap = Gap(0, len(search.sides.ids_a), 0, len(search.sides.ids_b), after_anchor=True, before_anchor=True)
    every, kept = beads_of(search, gap, prune=False), beads_of(search, gap, prune=True)
    assert every[0, 1, 0, 2] > 0 and kept[0, 1, 0, 2] == every[0, 1, 0, 2]
    assert all(every[bead] <= 0 for bead in every.keys() - kept.keys())
