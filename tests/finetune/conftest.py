"""Fixtures for the fine-tuning tests: a tiny random Mistral saved as a user's base model would be,
and small Q&A files. Nothing downloads (the root conftest blocks the network)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Short answers a two-layer model can memorise in a few steps; the tiny tokenizer knows their words.
PAIRS = [
    ("When should I sow wheat?", "Sow wheat in the first two weeks of November."),
    ("How much wheat seed per hectare?", "Use 100 kg of seed per hectare."),
    ("When do I apply nitrogen to wheat?", "Apply half of the nitrogen at sowing."),
    ("How old should rice seedlings be?", "Transplant rice seedlings 21 to 25 days old."),
    ("How much water in the rice field during tillering?", "Keep 2 to 5 cm of water in the field."),
]


def write_csv(path: Path, header: list[str], rows: list[tuple], *, encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer random Mistral with a tokenizer that has <s> and </s>, saved to a temp folder."""
    from agriadvisor.backends.profiles import load_profile

    from backends.tiny import save_tiny_model

    return save_tiny_model(load_profile("aksara"), tmp_path_factory.mktemp("tiny-base") / "mistral")
