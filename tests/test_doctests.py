"""The examples in the docstrings of the N-way modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["compare.multialign", "compare.columns", "compare.families", "compare.variants", "compare.apparatus",
           "benchmarks.renderings"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tried and not failures
