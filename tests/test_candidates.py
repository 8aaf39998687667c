from __future__ import annotations

from compare import Document, Options, segment
from compare.candidates import find_candidates, text_segments
from compare.scoring import fit_scorer

RETRIEVAL_FLOOR = 0.32  # the index keeps every pair at least this similar (checked here on the seeds)


def test_candidates_find_what_all_pairs_find_above_the_threshold(seeds: dict[str, Document]) -> None:
    """The index must not lose any pair that an exhaustive scoring finds similar (well below what a link needs)."""
    options = Options()
    for x, y in [("002", "004"), ("000", "002"), ("000", "004")]:
        a, b = segment(seeds[x]), segment(seeds[y])
        scorer = fit_scorer([a, b])
        found = find_candidates(scorer, a, b, options)
        for i in text_segments(a):
            for j in text_segments(b):
                score = scorer.score(scorer.features[0][i], scorer.features[1][j])
                if score >= RETRIEVAL_FLOOR:
                    assert (i, j) in found, (x, y, i, j, score)


def test_identical_segments_are_candidates_with_score_one() -> None:
    a = segment(Document("a", "Same sentence here. Other text."))
    b = segment(Document("b", "Unrelated words. Same sentence here."))
    found = find_candidates(fit_scorer([a, b]), a, b, Options())
    assert found[(0, 1)] == 1.0


def test_past_a_near_copy_only_candidates_sharing_much_of_its_words_are_scored() -> None:
    a = segment(Document("a", "The harbour pilots guided seven tankers through the narrow winter channel at dawn."))
    copy = "The harbour pilots guided seven tankers through the narrow winter channel at dusk."
    other = "Seven tankers waited for the pilots."  # shares two of the sentence's words: retrieved, then left
    for b_text, expect_other in ((f"{copy} {other}", False), (other, True)):
        b = segment(Document("b", b_text))
        found = find_candidates(fit_scorer([a, b]), a, b, Options())
        other_index = len(b.segments) - 1
        assert ((0, other_index) in found) is expect_other, b_text
