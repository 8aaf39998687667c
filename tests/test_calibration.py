from __future__ import annotations

import json
import math
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compare.calibration import (
    Logistic,
    default_model,
    log_odds,
    model_from_dict,
    model_to_dict,
    probability,
    semantic_model,
)
from compare.evidence import CONTEXT_FEATURES, EVIDENCE_FEATURES


def test_the_shipped_model_weighs_the_features_the_engine_measures() -> None:
    model = default_model()
    assert model.link.features == EVIDENCE_FEATURES
    assert model.bead.features == EVIDENCE_FEATURES + CONTEXT_FEATURES
    assert model.costs.partners >= 1 and 0 < model.costs.whole_share <= 1


def test_the_lexical_model_gives_the_cosine_no_weight_and_the_semantic_model_some() -> None:
    """Without the extra the cosine is 0, so only the model fitted with embeddings may weigh it."""
    lexical, semantic = default_model(), semantic_model()
    assert lexical.link.weight_of("cosine") == 0 and lexical.bead.weight_of("cosine") == 0
    assert semantic.link.features == EVIDENCE_FEATURES and semantic.link.weight_of("cosine") > 0


def test_the_model_file_round_trips() -> None:
    text = resources.files("compare").joinpath("link_model.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert model_to_dict(model_from_dict(data)) == data


def test_a_model_of_another_version_or_shape_is_refused() -> None:
    data = model_to_dict(default_model())
    with pytest.raises(ValueError, match="version"):
        model_from_dict({**data, "version": 99})
    with pytest.raises(ValueError, match="weights"):
        Logistic(("a", "b"), (1.0,), 0.0)


@given(st.floats(-50, 50))
def test_probability_and_log_odds_invert_each_other(x: float) -> None:
    p = probability(x)
    assert 0.0 <= p <= 1.0
    if abs(x) < 20:
        assert math.isclose(log_odds(p), x, abs_tol=1e-6)


def test_log_odds_is_the_weighted_sum() -> None:
    model = Logistic(("x", "y"), (2.0, -1.0), 0.5)
    assert model.log_odds([1.0, 3.0]) == -0.5
    assert model.weight_of("y") == -1.0 and model.weight_of("z") == 0.0
