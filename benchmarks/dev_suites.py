"""The development suites of the evaluation kit, loaded and scored in this process.

The kit (``../shared/eval``, not part of this repository) scores an aligner
command per document pair; fitting the link model and its costs needs the
same documents and gold many times over, so this module imports the kit's own
suite readers and measures (``align_eval.py``, ``pan_measures.py``) and runs
the engine in-process.  The suites and their names are those of
``all_suites.sh``:

- ``seeds``: the seed pairs with gold (``gold/seeds_dev.json``);
- ``bible``: kjv:bbe, kjv:web, asv:ylt on ruth and james (seed 7);
- ``bible_other``: bbe:ylt, web:bbe, darby:ylt, webster:asv on ruth and james (seed 3);
- ``pan``: the PAN 2013 verbatim sample;
- ``pan_obfuscation``: random, translation and summary obfuscation, and unrelated pairs.

Nothing here is shipped or tested: it reads data that a user's clone does not have.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compare.model import Document

DEFAULT_KIT = Path(__file__).resolve().parents[2] / "shared" / "eval"
SUITES = ("seeds", "bible", "bible_other", "pan", "pan_obfuscation")
HEADLINE = {"seeds": "plagdet", "bible": "projection_f1", "bible_other": "projection_f1", "pan": "plagdet",
            "pan_obfuscation": "plagdet"}
NEGATIVE_CLASS = "01-no-plagiarism"


@dataclass(frozen=True)
class DocPair:
    """One document pair of a suite, with its gold cases as ``((a_start, a_end), (b_start, b_end))``."""

    suite: str
    pair_id: str
    a: Document
    b: Document
    cases: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    group: str = ""  # the PAN class, where the suite has classes


@dataclass
class SuiteScore:
    """The kit's measures of one suite (and of its classes), pooled over its document pairs."""

    suite: str
    measures: dict[str, float]
    by_class: dict[str, dict[str, float]] = field(default_factory=dict)
    negatives: int = 0  # detections on pairs that share nothing

    @property
    def headline(self) -> float:
        return self.measures[HEADLINE[self.suite]]

    def line(self) -> str:
        keys = ("plagdet", "precision", "recall", "granularity", "projection_f1")
        parts = [f"{k}={self.measures[k]:.3f}" for k in keys if k in self.measures]
        classes = " ".join(f"{c[:6]}={m['plagdet']:.3f}" for c, m in sorted(self.by_class.items()))
        negatives = f" negatives={self.negatives}" if self.suite == "pan_obfuscation" else ""
        return f"{self.suite:16s} {' '.join(parts)} {classes}{negatives}".rstrip()


def kit(kit_dir: Path | None = None) -> tuple[Any, Any]:
    """Import the kit's ``align_eval`` and ``pan_measures`` modules."""
    path = Path(kit_dir or os.environ.get("COMPARE_EVAL_KIT", DEFAULT_KIT)).resolve()
    if not (path / "align_eval.py").exists():
        raise SystemExit(f"the evaluation kit is not at {path} (set COMPARE_EVAL_KIT)")
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    return importlib.import_module("align_eval"), importlib.import_module("pan_measures")


def load(names: Iterable[str] = SUITES, kit_dir: Path | None = None) -> list[DocPair]:
    """Read the document pairs and gold of the named suites."""
    align_eval, _ = kit(kit_dir)
    root = Path(align_eval.__file__).resolve().parent
    corpora = root.parent / "corpora"
    pairs: list[DocPair] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name == "seeds":
                suite = align_eval.seeds_suite(root / "gold" / "seeds_dev.json", root.parent / "seeds")
            elif name == "bible":
                suite = align_eval.bible_suite(corpora / "bible", [("kjv", "bbe"), ("kjv", "web"), ("asv", "ylt")],
                                               ["ruth", "james"], Path(tmp), 7)
            elif name == "bible_other":
                suite = align_eval.bible_suite(
                    corpora / "bible", [("bbe", "ylt"), ("web", "bbe"), ("darby", "ylt"), ("webster", "asv")],
                    ["ruth", "james"], Path(tmp), 3)
            elif name == "pan":
                suite = align_eval.pan_suite(corpora / "pan", None)
            elif name == "pan_obfuscation":
                suite = align_eval.pan_suite(corpora / "pan-obfuscation", None)
            else:
                raise ValueError(f"unknown suite {name!r}; known: {', '.join(SUITES)}")
            classes = align_eval.pan_classes(corpora / "pan-obfuscation") if name == "pan_obfuscation" else {}
            for pair_id, path_a, path_b, cases in suite:
                pairs.append(DocPair(
                    name, pair_id,
                    Document(Path(path_a).name, Path(path_a).read_text(encoding="utf-8")),
                    Document(Path(path_b).name, Path(path_b).read_text(encoding="utf-8")),
                    tuple((tuple(c.a), tuple(c.b)) for c in cases),  # type: ignore[misc]
                    classes.get(pair_id, "")))
    return pairs


Detections = Sequence[tuple[tuple[int, int], tuple[int, int]]]


def score(pairs: Sequence[DocPair], detections: Sequence[Detections], kit_dir: Path | None = None
          ) -> dict[str, SuiteScore]:
    """Return the kit's pooled measures per suite for the detections of each document pair."""
    _, measures = kit(kit_dir)
    pooled: dict[str, tuple[list[Any], list[Any]]] = {}
    by_class: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}
    negatives: dict[str, int] = {}
    for pair, found in zip(pairs, detections, strict=True):
        cases = [measures.Link(pair.pair_id, a, b) for a, b in pair.cases]
        dets = [measures.Link(pair.pair_id, a, b) for a, b in found]
        if pair.group == NEGATIVE_CLASS:
            negatives[pair.suite] = negatives.get(pair.suite, 0) + len(dets)
            continue
        pooled.setdefault(pair.suite, ([], []))
        pooled[pair.suite][0].extend(cases)
        pooled[pair.suite][1].extend(dets)
        if pair.group:
            by_class.setdefault((pair.suite, pair.group), ([], []))
            by_class[pair.suite, pair.group][0].extend(cases)
            by_class[pair.suite, pair.group][1].extend(dets)
    out: dict[str, SuiteScore] = {}
    for suite, (cases, dets) in pooled.items():
        out[suite] = SuiteScore(suite, _measures(measures, cases, dets, HEADLINE[suite] == "projection_f1"),
                                negatives=negatives.get(suite, 0))
    for (suite, group), (cases, dets) in by_class.items():
        out[suite].by_class[group] = _measures(measures, cases, dets, False)
    return out


def _measures(measures: Any, cases: list[Any], dets: list[Any], with_projection: bool) -> dict[str, float]:
    s = measures.score(cases, dets)
    values = {"plagdet": s.plagdet, "precision": s.precision, "recall": s.recall, "f1": s.f1,
              "granularity": s.granularity}
    if with_projection:
        values["projection_f1"] = measures.projection(cases, dets).f1
    return values


def run(pairs: Sequence[DocPair], align: Callable[[Document, Document], Detections],
        kit_dir: Path | None = None) -> dict[str, SuiteScore]:
    """Align every document pair with ``align`` and score the suites."""
    return score(pairs, [align(p.a, p.b) for p in pairs], kit_dir)
