"""Fit the link model and the alignment's costs on the development suites; write ``compare/link_model.json``.

    python -m benchmarks.fit_model                 # fit on every suite, print the figures, write the model
    python -m benchmarks.fit_model --loso          # also leave each suite group out: fit without it, score it
    python -m benchmarks.fit_model --dry-run       # fit and print, write nothing
    python -m benchmarks.fit_model --costs-only    # keep the two logistic models, search the costs

The data: every document pair of the kit's development suites (``benchmarks.dev_suites``).  A sample is a
candidate link, labelled by the gold with a soft label: the share of its characters (both sides) lying in a
gold correspondence whose other side overlaps the link's other side.  Suite groups weigh equally (seeds,
Bible, PAN verbatim, PAN obfuscated), so the many PAN sentences do not outvote the seeds' few.

1. the *link* model: logistic regression on the evidence of every retrieved candidate pair;
2. the *bead* model: the same on the beads of the gaps between the anchors the link model chooses, with
   their context (``compare.beads``);
3. the *costs* (moved, second partners, passage slack): a coordinate search maximising the mean of the
   suites' headline measures, computed in this process with the kit's own measures.

``--loso`` refits everything without one group and scores that group, for each group: the cross-validated
figures quoted in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import roc_auc_score

from benchmarks.dev_suites import HEADLINE, DocPair, SuiteScore, load, score
from compare import align
from compare.beads import gap_beads, gaps_between, positions_inside
from compare.calibration import LinkModel, Logistic, default_model, model_to_dict
from compare.candidates import find_candidates
from compare.chains import Box, heaviest_chain
from compare.evidence import CONTEXT_FEATURES, EVIDENCE_FEATURES, measure
from compare.links import Budget, Link, near_verbatim
from compare.model import Options, Pair, Segmentation, Span
from compare.pairs import to_pair
from compare.passages import find_passages
from compare.scoring import Scorer, fit_scorer
from compare.segment import segment

MODEL_PATH = Path(__file__).resolve().parents[1] / "compare" / "link_model.json"
SEMANTIC_MODEL_PATH = MODEL_PATH.with_name("link_model_semantic.json")
VECTOR_CACHE = Path(tempfile.gettempdir()) / "compare-fit-vectors"  # embeddings of the dev documents, by content
GROUPS = {"seeds": "seeds", "bible": "bible", "bible_other": "bible", "pan": "pan",
          "pan_obfuscation": "pan_obfuscation"}
REGULARISATION = 1.0  # sklearn's C on standardised features
# The sign each weight must have (+1: more of it never lowers the probability; -1: never raises it; absent: free).
SIGNS = {"words": 1, "phrases": 1, "contained": 1, "partial": 1, "clause": 1, "characters": 1, "weight": 1, "margin": 1,
         "length": -1, "balance": 1, "deviation": -1, "nearness": 1, "bounded": 1, "size": -1, "diagonal": 1,
         "support": 1, "density": 1, "unshared": -1, "open_end": -1, "cosine": 1}
LINEAR_CASE_RATIO = 3.0  # a gold case whose sides' lengths differ less than this maps its text linearly
COST_GRID = {
    "moved": (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0),
    "partial": (1.0, 2.0, 3.0, 4.0, 6.0),
    "partners": (1, 2, 3),
    "orphan": (0.0, 1.0, 2.0, 4.0, 8.0),
    "passage_gap": (0.5, 1.0, 2.0, 3.0, 5.0),
    "ordered_gap": (1.0, 3.0, 5.0, 10.0, 20.0),
    "copy_gap": (0.1, 0.25, 0.5, 1.0, 2.0),
    "whole_share": (0.3, 0.5, 0.7),
    "passage_slack": (0.01, 0.02, 0.05, 0.1),
}


@dataclass
class Prepared:
    """A document pair made ready for alignment: everything that does not depend on the model."""

    pair: DocPair  # with its documents and gold in the engine's canonical order (see ``prepare``)
    a: Segmentation
    b: Segmentation
    scorer: Scorer
    candidates: dict[tuple[int, int], float]
    swapped: bool  # the suite's A is the engine's B
    vectors: tuple[np.ndarray, np.ndarray] | None = None  # segment embeddings, for the semantic model


def prepare(pair: DocPair, options: Options) -> Prepared:
    """Segment and index a pair as ``compare_documents`` does, in its canonical order of the two documents."""
    swapped = (len(pair.b.text), pair.b.text) < (len(pair.a.text), pair.a.text)
    if swapped:
        pair = replace(pair, a=pair.b, b=pair.a, cases=tuple((cb, ca) for ca, cb in pair.cases))
    a, b = segment(pair.a, options), segment(pair.b, options)
    scorer = fit_scorer([a, b])
    vectors = (cached_vectors(a), cached_vectors(b)) if options.semantic else None
    return Prepared(pair, a, b, scorer, find_candidates(scorer, a, b, options), swapped, vectors)


def cached_vectors(seg: Segmentation) -> np.ndarray:
    """Return a document's segment embeddings, kept on disk by the hash of its text and cuts (they take minutes)."""
    from compare.semantic import segment_vectors

    key = hashlib.sha256(repr((seg.document.text, [s.span for s in seg.segments])).encode()).hexdigest()
    path = VECTOR_CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = segment_vectors(seg)
    VECTOR_CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def soft_label(span_a: Span, span_b: Span, cases: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> float:
    """Return the share of the two spans' characters lying in a gold case that maps them onto each other.

    A case whose two sides have comparable lengths (a copy, a reworded or
    translated passage) maps its text linearly: a character of one span counts
    when the other span overlaps the case and lies within half an interval of
    where the case's proportions place it.  A case whose sides differ more
    (a summary of a whole document) says only that the two regions correspond.
    """
    def covered(span: Span, side: int) -> int:
        other = span_b if side == 0 else span_a
        parts = []
        for case in cases:
            lo, hi = max(span.start, case[side][0]), min(span.end, case[side][1])
            if lo >= hi or not (case[1 - side][0] < other.end and other.start < case[1 - side][1]):
                continue
            own, far = case[side][1] - case[side][0], case[1 - side][1] - case[1 - side][0]
            if max(own, far) <= LINEAR_CASE_RATIO * max(min(own, far), 1):
                scale = far / max(own, 1)
                p0 = case[1 - side][0] + (lo - case[side][0]) * scale
                p1 = case[1 - side][0] + (hi - case[side][0]) * scale
                room = (max(p1 - p0, len(other))) / 2
                if not (p0 - room < other.end and other.start < p1 + room):
                    continue
            parts.append((lo, hi))
        total, end = 0, span.start
        for lo, hi in sorted(parts):
            if hi > end:
                total += hi - max(lo, end)
                end = hi
        return total

    size = len(span_a) + len(span_b)
    return (covered(span_a, 0) + covered(span_b, 1)) / size if size else 0.0


def _search(prep: Prepared, model: LinkModel, options: Options) -> align._Search:
    return align._Search(prep.scorer, prep.a, prep.b, prep.candidates, options, model, prep.vectors)


def link_samples(prep: Prepared, model: LinkModel, options: Options) -> tuple[list[tuple[float, ...]], list[float]]:
    """Return the evidence and soft labels of a pair's retrieved candidates."""
    search = _search(prep, model, options)
    feats_a, feats_b = prep.scorer.features
    rows, labels = [], []
    for i, j in sorted(prep.candidates):
        evidence = measure(prep.scorer, feats_a[i], feats_b[j], search.sides.bias, search.clause_of(i, j),
                           search.crowd((i,), (j,)), search.cosine((i,), (j,)))
        rows.append(evidence.vector())
        labels.append(soft_label(prep.a.segments[i].span, prep.b.segments[j].span, prep.pair.cases))
    return rows, labels


def bead_samples(prep: Prepared, model: LinkModel, options: Options) -> tuple[list[tuple[float, ...]], list[float]]:
    """Return the features and soft labels of the beads in the gaps between the link model's anchors."""
    search = _search(prep, model, options)
    pos_a, pos_b = search.pos_a, search.pos_b
    odds = {pair: search.link_odds(*pair) for pair in sorted(prep.candidates)}
    boxes = [Box(pos_a[i], pos_a[i] + 1, pos_b[j], pos_b[j] + 1, value) for (i, j), value in odds.items()]
    anchors = [boxes[k] for k in heaviest_chain(boxes)]
    retrieved = sorted((pos_a[i], pos_b[j]) for i, j in odds)
    rows, labels = [], []
    ids_a, ids_b = search.sides.ids_a, search.sides.ids_b
    copies = [near_verbatim(search.link(bx.x0, bx.x1, bx.y0, bx.y1, bx.weight), prep.scorer) for bx in anchors]
    for gap in gaps_between([(bx.x0, bx.x1, bx.y0, bx.y1) for bx in anchors], len(ids_a), len(ids_b), copies):
        inside = positions_inside(gap, retrieved)
        for bead in gap_beads(gap, search.sides, prep.scorer, inside, search.clause_of.known, search.crowd,
                              options.max_merge, search.cosine):
            span_a = prep.a.segments[ids_a[bead.x0]].span.cover(prep.a.segments[ids_a[bead.x1 - 1]].span)
            span_b = prep.b.segments[ids_b[bead.y0]].span.cover(prep.b.segments[ids_b[bead.y1 - 1]].span)
            rows.append(bead.vector())
            labels.append(soft_label(span_a, span_b, prep.pair.cases))
    return rows, labels


def fit_logistic(names: Sequence[str], samples: Sequence[tuple[str, list[tuple[float, ...]], list[float]]],
                 unused: frozenset[str] = frozenset()) -> Logistic:
    """Fit a logistic model on soft-labelled samples ``(group, rows, labels)``, each group weighing the same.

    Cross-entropy against the soft labels plus an L2 penalty (as scikit-learn's
    ``LogisticRegression`` with ``C=REGULARISATION`` on standardised features),
    with each weight held to the sign ``SIGNS`` gives it: more shared evidence
    never makes two passages less likely to correspond, so that a merge or a
    choice between candidates never turns on an artefact of correlated features.
    Features named in ``unused`` keep weight 0 (the embeddings' cosine, in the
    lexical model).
    """
    groups = sorted({g for g, _, _ in samples})
    sizes = {g: sum(len(rows) for gg, rows, _ in samples if gg == g) for g in groups}
    x = np.asarray([row for _, rows, _ in samples for row in rows], dtype=float)
    q = np.asarray([label for _, _, labels in samples for label in labels], dtype=float)
    w = np.asarray([1.0 / sizes[g] for g, rows, _ in samples for _ in rows])
    w *= len(w) / w.sum()  # mean weight 1: the penalty weighs as on unweighted data
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        logits = z @ theta[1:] + theta[0]
        p = 1 / (1 + np.exp(-logits))
        value = np.sum(w * (np.logaddexp(0, logits) - q * logits)) * REGULARISATION + 0.5 * theta[1:] @ theta[1:]
        residual = w * (p - q) * REGULARISATION
        grad = np.concatenate([[residual.sum()], z.T @ residual + theta[1:]])
        return float(value), grad

    bounds = [(None, None)] + [(0.0, 0.0) if n in unused else (0.0, None) if SIGNS.get(n, 0) > 0
                               else (None, 0.0) if SIGNS.get(n, 0) < 0 else (None, None) for n in names]
    result = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 5000})
    coef = result.x[1:]
    weights = coef / scale
    intercept = float(result.x[0] - np.sum(coef * mean / scale))
    return Logistic(tuple(names), tuple(float(v) for v in weights), intercept)


def auc(model: Logistic, rows: list[tuple[float, ...]], labels: list[float]) -> float:
    """Return the ROC-AUC of a model on samples whose soft label is at least one half (positives) or below."""
    truth = [q >= 0.5 for q in labels]
    if all(truth) or not any(truth):
        return float("nan")
    return float(roc_auc_score(truth, [model.log_odds(r) for r in rows]))


class Evaluator:
    """Scores models on prepared pairs, keeping what a change of costs alone leaves unchanged.

    The cost search changes the costs, never the two logistic models: the
    links of each alignment are kept by the costs they depend on, and each
    link's pair (its word diff is most of the time) is made once.
    """

    def __init__(self, preps: Sequence[Prepared], options: Options) -> None:
        self.preps, self.options = preps, options
        self._base: dict[tuple[int, Logistic, Logistic, float],
                         tuple[align._Search, dict[tuple[int, int], float], list[Link]]] = {}
        self._links: dict[tuple[int, Logistic, Logistic, float, float, float, int, float], list[Link]] = {}
        self._pairs: dict[tuple[int, Link], Pair] = {}

    def passages(self, k: int, model: LinkModel) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Return the passages of the ``k``-th prepared pair under ``model``, as the kit reads them."""
        prep, costs = self.preps[k], model.costs
        base = (k, model.link, model.bead, costs.orphan)
        if base not in self._base:  # the search keeps which odds are lower bounds: later passes refine them
            search = _search(prep, model, self.options)
            odds = align.candidate_odds(search, prep.candidates)
            self._base[base] = search, odds, align.in_order_links(search, odds, Budget(time.monotonic() + 60))
        search, odds, links = self._base[base]
        search.model = model  # the same logistic models, these costs
        key = (*base, costs.moved, costs.partial, costs.partners, costs.passage_gap)
        if key not in self._links:
            self._links[key] = align.finish_links(search, links, odds, Budget(time.monotonic() + 60))
        budget = Budget(time.monotonic() + 60)
        pairs = []
        for link in self._links[key]:
            if (k, link) not in self._pairs:
                self._pairs[k, link] = to_pair(link, prep.a, prep.b, prep.scorer, budget, search.holds_whole)
            pairs.append(self._pairs[k, link])
        found = find_passages(pairs, prep.a, prep.b, costs)
        return [((p.a.start, p.a.end), (p.b.start, p.b.end)) for p in found]

    def kit_passages(self, k: int, model: LinkModel) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Return the passages of the ``k``-th pair with the suite's A and B (undoing the canonical order)."""
        found = self.passages(k, model)
        return [(b, a) for a, b in found] if self.preps[k].swapped else found

    def evaluate(self, model: LinkModel) -> dict[str, SuiteScore]:
        originals = [replace(p.pair, a=p.pair.b, b=p.pair.a, cases=tuple((cb, ca) for ca, cb in p.pair.cases))
                     if p.swapped else p.pair for p in self.preps]
        return score(originals, [self.kit_passages(k, model) for k in range(len(self.preps))])


def evaluate(preps: Sequence[Prepared], model: LinkModel, options: Options) -> dict[str, SuiteScore]:
    return Evaluator(preps, options).evaluate(model)


def objective(scores: dict[str, SuiteScore]) -> float:
    """The mean of the suites' headline measures, a detection on an unrelated pair costing as much as 0.01."""
    return sum(s.headline for s in scores.values()) / len(scores) - 0.01 * sum(s.negatives for s in scores.values())


def fit_costs(preps: Sequence[Prepared], model: LinkModel, options: Options, rounds: int = 2) -> LinkModel:
    """Search the costs one at a time (coordinate ascent over ``COST_GRID``), keeping the best objective."""
    evaluator = Evaluator(preps, options)
    best = objective(evaluator.evaluate(model))
    for _ in range(rounds):
        changed = False
        for name, values in COST_GRID.items():
            for value in values:
                if getattr(model.costs, name) == value:
                    continue
                trial = replace(model, costs=replace(model.costs, **{name: value}))
                value_score = objective(evaluator.evaluate(trial))
                print(f"    {name}={value}: {value_score:.4f}", flush=True)
                if value_score > best + 1e-4:
                    best, model, changed = value_score, trial, True
        if not changed:
            break
    return model


def fit(preps: Sequence[Prepared], options: Options, start: LinkModel, search_costs: bool = True) -> LinkModel:
    """Fit the link model, then the bead model on its anchors' gaps, then the costs."""
    unused = frozenset() if options.semantic else frozenset({"cosine"})
    link = fit_logistic(EVIDENCE_FEATURES, [(GROUPS[p.pair.suite], *link_samples(p, start, options)) for p in preps],
                        unused)
    model = replace(start, link=link)
    bead = fit_logistic(EVIDENCE_FEATURES + CONTEXT_FEATURES,
                        [(GROUPS[p.pair.suite], *bead_samples(p, model, options)) for p in preps], unused)
    model = replace(model, bead=bead, fitted_on=tuple(sorted({p.pair.suite for p in preps})))
    return fit_costs(preps, model, options) if search_costs else model


def report(scores: dict[str, SuiteScore]) -> None:
    for suite in sorted(scores):
        print("  " + scores[suite].line())
    print(f"  objective {objective(scores):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loso", action="store_true", help="also fit without each suite group and score it")
    parser.add_argument("--dry-run", action="store_true", help="write nothing")
    parser.add_argument("--no-costs", action="store_true", help="keep the current costs")
    parser.add_argument("--costs-only", action="store_true", help="keep the current logistic models, search the costs")
    parser.add_argument("--semantic", action="store_true",
                        help="fit with the embeddings' cosine (the semantic extra): writes link_model_semantic.json")
    args = parser.parse_args()
    options = Options(semantic=args.semantic)
    started = time.perf_counter()
    preps = [prepare(pair, options) for pair in load()]
    print(f"prepared {len(preps)} document pairs in {time.perf_counter() - started:.1f} s", flush=True)
    start = default_model()  # the semantic fit starts from the lexical model, its cosine weight at 0
    print("current model:")
    report(evaluate(preps, start, options))
    model = fit_costs(preps, start, options) if args.costs_only else fit(preps, options, start, not args.no_costs)
    print("fitted on every suite:")
    report(evaluate(preps, model, options))
    for name, part in (("link", model.link), ("bead", model.bead)):
        print(f"  {name}: intercept {part.intercept:+.3f} " +
              " ".join(f"{f}={w:+.3f}" for f, w in zip(part.features, part.weights, strict=True)))
    print(f"  costs: {model.costs}")
    if args.loso:
        for group in sorted(set(GROUPS.values())):
            train = [p for p in preps if GROUPS[p.pair.suite] != group]
            held = [p for p in preps if GROUPS[p.pair.suite] == group]
            fitted = (fit_costs(train, start, options) if args.costs_only
                      else fit(train, options, start, search_costs=not args.no_costs))
            rows, labels = [], []
            for p in held:
                r, q = link_samples(p, fitted, options)
                rows += r
                labels += q
            scores = evaluate(held, fitted, options)
            print(f"left out {group}: link AUC {auc(fitted.link, rows, labels):.3f} (fitted on all: "
                  f"{auc(model.link, rows, labels):.3f}); " +
                  "; ".join(f"{s.suite} {HEADLINE[s.suite]}={s.headline:.3f}" for s in scores.values()), flush=True)
    if not args.dry_run:
        path = SEMANTIC_MODEL_PATH if args.semantic else MODEL_PATH
        path.write_text(json.dumps(model_to_dict(model), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

