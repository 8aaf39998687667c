"""The fitted model: evidence in, the probability that two passages say the same thing out.

A logistic model over the features of ``compare.evidence``, fitted on the
development suites by ``benchmarks/fit_model.py`` (its data split and its
cross-validated figures are in ``benchmarks/README.md``) and shipped as
``link_model.json`` beside this module.  Two models share the file: ``link``
scores a candidate pair on what the two passages share; ``bead`` scores a
pair inside the gap between two aligned passages, where its place in the gap
is evidence too.  The file also holds the alignment costs fitted with them
(``Costs``).  Nothing here is tuned by hand: rerun the script to refit.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

MODEL_FILE = "link_model.json"
SEMANTIC_MODEL_FILE = "link_model_semantic.json"  # fitted with the embeddings' cosine (the semantic extra)
MODEL_VERSION = 1


@dataclass(frozen=True, slots=True)
class Logistic:
    """A fitted logistic model: ``log-odds = intercept + sum(weight * feature)``."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.features)} features but {len(self.weights)} weights")

    def weight_of(self, feature: str) -> float:
        """Return the weight of one feature (0 for a feature the model does not use)."""
        return self.weights[self.features.index(feature)] if feature in self.features else 0.0

    def log_odds(self, values: Sequence[float]) -> float:
        """Return the log-odds for feature values given in the order of ``features``."""
        return self.intercept + math.fsum(w * x for w, x in zip(self.weights, values, strict=True))

    def probability(self, values: Sequence[float]) -> float:
        """Return the probability for feature values given in the order of ``features``.

        >>> Logistic(("x",), (2.0,), -1.0).probability([0.5])
        0.5
        """
        return probability(self.log_odds(values))


@dataclass(frozen=True, slots=True)
class Costs:
    """The alignment's costs, in log-odds, fitted with the models.

    A link joins the alignment when its log-odds beat its cost: 0 in the
    order both documents share, ``moved`` off it, ``partial`` for a second
    partner of a segment that is linked already (at most ``partners`` each).
    A segment left alone between two links that are adjacent in the other
    document (an orphan) costs ``orphan``.
    The passage settings are explained in ``compare.passages``.
    """

    moved: float
    partial: float
    partners: int
    orphan: float
    passage_gap: float
    ordered_gap: float
    copy_gap: float
    whole_share: float
    passage_slack: float


@dataclass(frozen=True, slots=True)
class LinkModel:
    """Everything fitted: the two logistic models and the costs."""

    link: Logistic
    bead: Logistic
    costs: Costs
    fitted_on: tuple[str, ...] = ()  # the suites the figures came from


def probability(log_odds: float) -> float:
    """Return the probability of the given log-odds (a logistic function that never overflows)."""
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)


def log_odds(p: float) -> float:
    """Return the log-odds of a probability in (0, 1), clamped away from the ends."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def model_from_dict(data: dict[str, Any]) -> LinkModel:
    """Build a model from its JSON form, checking its version and shape."""
    if data.get("version") != MODEL_VERSION:
        raise ValueError(f"link model version {data.get('version')!r}, expected {MODEL_VERSION}")

    def logistic(part: dict[str, Any]) -> Logistic:
        return Logistic(tuple(part["features"]), tuple(float(w) for w in part["weights"]), float(part["intercept"]))

    costs = data["costs"]
    return LinkModel(
        link=logistic(data["link"]),
        bead=logistic(data["bead"]),
        costs=Costs(float(costs["moved"]), float(costs["partial"]), int(costs["partners"]), float(costs["orphan"]),
                    float(costs["passage_gap"]), float(costs["ordered_gap"]), float(costs["copy_gap"]),
                    float(costs["whole_share"]),
                    float(costs["passage_slack"])),
        fitted_on=tuple(data.get("fitted_on", ())),
    )


def model_to_dict(model: LinkModel) -> dict[str, Any]:
    """Return the JSON form of a model."""
    def logistic(part: Logistic) -> dict[str, Any]:
        return {"features": list(part.features), "weights": [round(w, 6) for w in part.weights],
                "intercept": round(part.intercept, 6)}

    return {
        "version": MODEL_VERSION,
        "fitted_on": list(model.fitted_on),
        "link": logistic(model.link),
        "bead": logistic(model.bead),
        "costs": dataclasses.asdict(model.costs),
    }


@functools.lru_cache(maxsize=1)
def default_model() -> LinkModel:
    """Return the lexical model shipped with the package."""
    text = resources.files("compare").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return model_from_dict(json.loads(text))


@functools.lru_cache(maxsize=1)
def semantic_model() -> LinkModel:
    """Return the model fitted with the embeddings' cosine, shipped with the package for ``Options.semantic``."""
    text = resources.files("compare").joinpath(SEMANTIC_MODEL_FILE).read_text(encoding="utf-8")
    return model_from_dict(json.loads(text))
