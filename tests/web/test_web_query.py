"""Compare URLs: parsing at the boundary and canonical, bookmarkable arguments."""

from __future__ import annotations

import pytest

from compare import Granularity, Options
from web.query import CompareQuery, parse_query


def test_defaults() -> None:
    query = parse_query({"a": "1", "b": "2"})
    assert query == CompareQuery(1, 2, Options().min_score, Granularity.SENTENCE, False)
    assert query.options == Options()


def test_args_are_canonical_and_roundtrip() -> None:
    query = parse_query(
        {"a": " 3", "b": "4", "threshold": "0.50", "granularity": "PARAGRAPH", "hide_identical": "on"}
    )
    assert query.args() == {
        "a": "3",
        "b": "4",
        "threshold": "0.5",
        "granularity": "paragraph",
        "hide_identical": "1",
    }
    assert parse_query(query.args()) == query
    assert query.swapped().args()["a"] == "4"


@pytest.mark.parametrize("value", ["-0.1", "1.5", "inf", "nan", "x"])
def test_bad_thresholds(value: str) -> None:
    with pytest.raises(ValueError, match="threshold"):
        parse_query({"a": "1", "b": "2", "threshold": value})


@pytest.mark.parametrize("value", ["0", "-3", "1.5", ""])
def test_bad_ids(value: str) -> None:
    with pytest.raises(ValueError, match="parameter a"):
        parse_query({"a": value, "b": "2"})
