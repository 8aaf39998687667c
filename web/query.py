"""What a compare URL asks for: two document ids and the view's settings.

The whole state of the compare view lives in its query string, so every state is
a bookmarkable URL and the server keeps no UI state.  Parsing checks each value
at this boundary and raises ``ValueError`` naming the bad one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compare import Granularity, Options
from web.ids import id_problem, parse_document_id

DEFAULT_OPTIONS = Options()
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"", "0", "false", "off", "no"})


@dataclass(frozen=True, slots=True)
class CompareQuery:
    """Two document ids, the engine's settings the UI exposes, and the view's own."""

    a: int
    b: int
    threshold: float = DEFAULT_OPTIONS.min_score
    granularity: Granularity = DEFAULT_OPTIONS.granularity
    hide_identical: bool = False

    @property
    def options(self) -> Options:
        """Return the engine options this query asks for."""
        return dataclasses.replace(DEFAULT_OPTIONS, min_score=self.threshold, granularity=self.granularity)

    def args(self, **changes: object) -> dict[str, Any]:
        """Return the canonical query arguments of this state, with ``changes`` applied."""
        query = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        args = {
            "a": str(query.a),
            "b": str(query.b),
            "threshold": f"{query.threshold:g}",
            "granularity": query.granularity.value,
        }
        if query.hide_identical:
            args["hide_identical"] = "1"
        return args

    def swapped(self) -> CompareQuery:
        """Return the same view with A and B exchanged."""
        return dataclasses.replace(self, a=self.b, b=self.a)


def parse_id(value: str | None, name: str) -> int:
    """Return a document id from a query value, or raise ValueError naming the parameter."""
    if value is None or not value.strip():
        raise ValueError(f"missing parameter {name}: give the id of a document")
    number = parse_document_id(value)
    if number is None:
        raise ValueError(id_problem(name, value))
    return number


def parse_threshold(value: str | None) -> float:
    """Return the similarity threshold in [0, 1], or raise ValueError."""
    if value is None or not value.strip():
        return DEFAULT_OPTIONS.min_score
    try:
        threshold = float(value)
    except ValueError:
        raise ValueError(f"threshold must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= threshold <= 1.0:  # also refuses nan
        raise ValueError(f"threshold must be between 0 and 1, got {value!r}")
    return round(threshold, 4)


def parse_granularity(value: str | None) -> Granularity:
    """Return the granularity named in the query, or raise ValueError."""
    if value is None or not value.strip():
        return DEFAULT_OPTIONS.granularity
    try:
        return Granularity(value.strip().lower())
    except ValueError:
        choices = " or ".join(g.value for g in Granularity)
        raise ValueError(f"granularity must be {choices}, got {value!r}") from None


def parse_flag(value: str | None, name: str) -> bool:
    """Return a yes/no query value, or raise ValueError."""
    if value is None:
        return False
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"parameter {name} must be 1 or 0, got {value!r}")


def parse_query(args: Mapping[str, str]) -> CompareQuery:
    """Return the compare state a query string asks for, or raise ValueError.

    The engine checks the settings too (``Options``): what it refuses is a bad value here, not a crash later.
    """
    query = CompareQuery(
        a=parse_id(args.get("a"), "a"),
        b=parse_id(args.get("b"), "b"),
        threshold=parse_threshold(args.get("threshold")),
        granularity=parse_granularity(args.get("granularity")),
        hide_identical=parse_flag(args.get("hide_identical"), "hide_identical"),
    )
    _ = query.options  # the engine's Options raise ValueError on a value they refuse
    return query
