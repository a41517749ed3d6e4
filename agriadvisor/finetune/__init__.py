"""``agriadvisor finetune``: turn an organisation's own question/answer pairs into a LoRA adapter
on a 4-bit NF4 base (QLoRA, Akṣara's recipe) that the library serves as ``adapter:FOLDER``.

The steps live in small modules: :mod:`.config` (the recipe), :mod:`.data` (reading and checking
rows), :mod:`.prompts` (the backend's own prompt format), :mod:`.evidence` (understanding and
retrieval), :mod:`.checks` (GPU, bitsandbytes, base model), :mod:`.run` (training and saving),
:mod:`.scoring` (ROUGE-L and answer checks) and :mod:`.command` (the CLI). Names are imported on
first use, so the command line starts instantly; torch and transformers load only when a run starts.

Example:
    >>> from agriadvisor.finetune import load_config
    >>> load_config(base="mistralai/Mistral-7B-Instruct-v0.2", output="adapters/x").lora_r
    32
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "FinetuneConfig": "config", "load_config": "config", "save_config": "config",
    "ColumnMap": "data", "DataReport": "data", "QAPair": "data", "read_pairs": "data",
    "FinetuneResult": "run", "finetune": "run",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)


__all__ = sorted(_EXPORTS)
