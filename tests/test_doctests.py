"""The examples in the docstrings of the modules that guard against hostile input, and of the N-way ones, hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("compare.workers", "compare.formats.pdf", "compare.segment", "web.ids", "web.store", "web.tasks",
           "web.uploads",  # by name: the package ``compare`` exports a function called ``segment``
           "compare.multialign", "compare.columns", "compare.families", "compare.variants", "compare.apparatus",
           "benchmarks.renderings")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result
