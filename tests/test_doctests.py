"""The examples in the docstrings of the modules that guard against hostile input run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("compare.workers", "compare.formats.pdf", "compare.segment", "web.ids", "web.store", "web.tasks",
           "web.uploads")  # by name: the package ``compare`` exports a function called ``segment``


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result
