"""``--with-evidence``: each training prompt carries the passages the Advisor retrieves for that
question, numbered as at answer time, and the reference answer learns to cite them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agriadvisor.finetune.config import load_config
from agriadvisor.finetune.data import DataReport, QAPair
from agriadvisor.finetune.prompts import IGNORE, ExampleBuilder
from agriadvisor.finetune.run import prepare

pytestmark = pytest.mark.slow


def test_training_prompts_carry_retrieved_evidence_and_answers_cite_it(tiny_base: Path, small_settings) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    cfg = load_config(base="b", output="o", with_evidence=True, evidence_k=2, max_seq_length=2048, max_answer_tokens=96)
    builder = ExampleBuilder(tokenizer, "mistral-inst", ("*",), cfg.max_seq_length, cfg.max_answer_tokens)
    pairs = [QAPair(row=1, question="When should I sow wheat?", country="Nepal", crop="wheat",
                    answer="Sow wheat in November after the rice harvest. Ask your neighbour.")]
    prepared = prepare(builder, pairs, pairs, DataReport(path="qa.csv"), cfg, small_settings)
    example = prepared.train[0]
    prompt = tokenizer.decode([i for i, label in zip(example["input_ids"], example["labels"]) if label == IGNORE])
    answer = tokenizer.decode([i for i, label in zip(example["input_ids"], example["labels"]) if label != IGNORE])
    passages = re.findall(r"^\[(\d)\] .* \((Nepal|all), (wheat|all), \w+\)$", prompt, flags=re.M)
    assert [n for n, *_ in passages] == ["1", "2"]
    request = prepared.held_requests[0]
    assert [ev.n for ev in request.evidence] == [1, 2] and request.query.country == "Nepal"
    assert re.search(r"harvest\. \[[12]\] Ask your neighbour\.</s>$", answer)
