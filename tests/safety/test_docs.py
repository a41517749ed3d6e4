"""The usage examples in the safety modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["engine", "measure", "normalise", "phrases"]  # the others' examples need the index or are skipped


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"agriadvisor.safety.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
