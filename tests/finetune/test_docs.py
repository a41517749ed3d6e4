"""The usage examples in the fine-tuning modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["agriadvisor.finetune", "agriadvisor.finetune.config", "agriadvisor.finetune.data",
           "agriadvisor.finetune.prompts", "agriadvisor.finetune.scoring", "agriadvisor.finetune.run"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
