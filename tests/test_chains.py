from __future__ import annotations

from itertools import combinations, pairwise

from hypothesis import given
from hypothesis import strategies as st

from compare.chains import Box, heaviest_chain

box = st.builds(lambda x, dx, y, dy, w: Box(x, x + dx, y, y + dy, w),
                st.integers(0, 6), st.integers(1, 3), st.integers(0, 6), st.integers(1, 3), st.floats(-1.0, 2.0))


def follows(p: Box, q: Box) -> bool:
    return p.x1 <= q.x0 and p.y1 <= q.y0


def brute_force_weight(boxes: list[Box]) -> float:
    best = 0.0
    for size in range(1, len(boxes) + 1):
        for subset in combinations(sorted(boxes), size):
            if all(follows(p, q) for p, q in pairwise(subset)):
                best = max(best, sum(b.weight for b in subset))
    return best


@given(st.lists(box, max_size=7))
def test_heaviest_chain_matches_brute_force(boxes: list[Box]) -> None:
    chain = [boxes[k] for k in heaviest_chain(boxes)]
    assert all(follows(p, q) for p, q in pairwise(chain))
    assert all(b.weight > 0 for b in chain)
    assert abs(sum(b.weight for b in chain) - brute_force_weight(boxes)) < 1e-9


@given(st.lists(box, max_size=7))
def test_heaviest_chain_is_the_same_seen_from_the_other_document(boxes: list[Box]) -> None:
    mirrored = [Box(b.y0, b.y1, b.x0, b.x1, b.weight) for b in boxes]
    total = sum(boxes[k].weight for k in heaviest_chain(boxes))
    assert abs(total - sum(mirrored[k].weight for k in heaviest_chain(mirrored))) < 1e-9


def test_equal_candidates_resolve_to_the_first_listed() -> None:
    boxes = [Box(0, 1, 0, 1, 1.0), Box(0, 1, 1, 2, 1.0)]
    assert heaviest_chain(boxes) == [0]
    assert heaviest_chain(boxes[::-1]) == [0]


def test_a_bead_beats_its_parts_only_when_it_weighs_more() -> None:
    parts = [Box(0, 1, 0, 1, 1.0), Box(1, 2, 1, 2, 1.0)]
    assert heaviest_chain([*parts, Box(0, 2, 0, 2, 1.5)]) == [0, 1]
    assert heaviest_chain([*parts, Box(0, 2, 0, 2, 2.5)]) == [2]
