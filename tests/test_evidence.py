from __future__ import annotations

from dataclasses import astuple, fields

from compare import Document, segment
from compare.evidence import CONTEXT_FEATURES, EVIDENCE_FEATURES, Context, Evidence, crowding, measure
from compare.scoring import fit_scorer


def test_vectors_list_the_fields_in_the_order_the_model_names_them() -> None:
    evidence = Evidence(*(float(n) for n in range(len(EVIDENCE_FEATURES))))
    context = Context(*(float(n) for n in range(len(CONTEXT_FEATURES))))
    assert evidence.vector() == astuple(evidence) and context.vector() == astuple(context)
    assert tuple(f.name for f in fields(Evidence)) == EVIDENCE_FEATURES


def test_evidence_is_the_same_seen_from_either_document() -> None:
    a = segment(Document("a", "The council promised cheaper tickets for the island ferry this winter."))
    b = segment(Document("b", "Cheaper island ferry tickets were promised by the town council."))
    scorer = fit_scorer([a, b])
    fa, fb = scorer.features[0][0], scorer.features[1][0]
    forward, backward = measure(scorer, fa, fb, 0.2), measure(scorer, fb, fa, -0.2)
    assert forward == backward
    assert 0 < forward.words < 1 and forward.contained >= forward.words


def test_a_pair_sharing_nothing_has_no_evidence() -> None:
    a = segment(Document("a", "Bees swarmed in the orchard."))
    b = segment(Document("b", "Trains were late all week."))
    scorer = fit_scorer([a, b])
    e = measure(scorer, scorer.features[0][0], scorer.features[1][0], 0.0)
    assert (e.words, e.phrases, e.contained, e.characters, e.weight) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_crowding_is_the_mean_of_each_segments_best_candidates() -> None:
    rows, columns = crowding({(0, 0): 0.9, (0, 1): 0.3, (0, 2): 0.1, (1, 1): 0.5}, 2)
    assert rows == {0: 0.6, 1: 0.5} and columns == {0: 0.9, 1: 0.4, 2: 0.1}
