"""The semantic evidence's plumbing, with a stand-in encoder (the real model is an install extra)."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest

import compare.semantic
from compare import Document, Options, compare_documents, segment
from compare.calibration import Logistic, default_model
from compare.semantic import SemanticUnavailable, passage_cosine, segment_vectors

A = Document("a", "The harbour froze in January. Bees swarmed in the orchard.")
B = Document("b", "Ice closed the port that winter. Trains were late all week.")  # the first renders A's first


class Topics:
    """Embeds a sentence by the topic it is about: the harbour/port sentences alike, the others apart."""

    calls = 0

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        Topics.calls += 1
        rows = [[1.0, 0.0, 0.0] if any(w in t for w in ("harbour", "port")) else
                [0.0, 1.0, 0.0] if "Bees" in t else [0.0, 0.0, 1.0] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def semantic(weight: float) -> object:
    """The shipped lexical model with the cosine feature given ``weight`` in both parts."""
    model = default_model()

    def with_cosine(part: Logistic) -> Logistic:
        weights = list(part.weights)
        weights[part.features.index("cosine")] = weight
        return replace(part, weights=tuple(weights))

    return replace(model, link=with_cosine(model.link), bead=with_cosine(model.bead))


def test_embeddings_let_renderings_without_shared_words_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare.semantic, "_model", Topics)
    lexical = compare_documents(A, B)
    assert not lexical.pairs  # no word in common
    with_embeddings = compare_documents(A, B, Options(semantic=True), model=semantic(12.0))  # type: ignore[arg-type]
    assert [(p.a.slice(A.text), p.b.slice(B.text)) for p in with_embeddings.pairs] == [
        ("The harbour froze in January.", "Ice closed the port that winter.")]


def test_given_vectors_are_used_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare.semantic, "_model", Topics)
    vectors = (segment_vectors(segment(A)), segment_vectors(segment(B)))
    before = Topics.calls
    result = compare_documents(B, A, Options(semantic=True), model=semantic(12.0),  # type: ignore[arg-type]
                               vectors=(vectors[1], vectors[0]))
    assert Topics.calls == before and len(result.pairs) == 1


def test_without_the_extra_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    compare.semantic._model.cache_clear()
    monkeypatch.setitem(sys.modules, compare.semantic.MODEL_PACKAGE, None)  # an import of it fails
    with pytest.raises(SemanticUnavailable, match=r"pip install 'compare-docs\[semantic\]'"):
        compare_documents(A, B, Options(semantic=True), model=semantic(1.0))  # type: ignore[arg-type]
    compare.semantic._model.cache_clear()


def test_passage_cosine_of_merged_segments_is_their_mean_direction() -> None:
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert passage_cosine(a, [0, 1], a, [0, 1]) == pytest.approx(1.0)
    assert passage_cosine(a, [0], a, [1]) == pytest.approx(0.0)
