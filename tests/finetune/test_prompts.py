"""The training prompt is the backend's own prompt, byte for byte; only the answer is learnt."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.finetune.data import QAPair
from agriadvisor.finetune.prompts import (
    IGNORE, ExampleBuilder, cite_answer, context_evidence, pad_batch, resolve_prompt_format,
)

from backends.conftest import make_request


@pytest.fixture(scope="module")
def tokenizer(tiny_base: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_base)


def builder(tokenizer, **kw) -> ExampleBuilder:
    return ExampleBuilder(tokenizer, kw.pop("fmt", "mistral-inst"), ("*",), kw.pop("max_seq_length", 1024),
                          kw.pop("max_answer_tokens", 64), max_sentences=kw.pop("max_sentences", 4))


def test_training_prompt_is_what_the_backend_sends(tiny_base: Path, tokenizer) -> None:
    """The Akṣara backend on the same weights, asked the same question with the same evidence."""
    from agriadvisor.backends.transformers_backend import AksaraBackend

    request = make_request(max_new_tokens=64)
    backend = AksaraBackend(model_path=str(tiny_base), device="cpu", load_in="fp32", context_length=1024,
                            max_new_tokens=64)
    assert builder(tokenizer).prompt(request) == backend.build_prompt(request).text


def test_only_the_answer_and_its_end_token_are_learnt(tokenizer) -> None:
    request = make_request(evidence=1)
    example = builder(tokenizer).encode(request, "Sow wheat in November [1].")
    ids, labels = example["input_ids"], example["labels"]
    learnt = [i for i, label in zip(ids, labels) if label != IGNORE]
    assert tokenizer.decode(learnt) == "Sow wheat in November [1].</s>"
    assert labels[: len(ids) - len(learnt)] == [IGNORE] * (len(ids) - len(learnt))
    batch = pad_batch([example, builder(tokenizer).encode(request, "Soon.")], pad_id=tokenizer.eos_token_id)
    assert batch["labels"][1, -1].item() == IGNORE and batch["attention_mask"][1, -1].item() == 0
    assert batch["labels"][0, -1].item() == tokenizer.eos_token_id  # the eos is learnt though it is also the pad


def test_over_long_rows_are_refused(tokenizer) -> None:
    request = make_request(evidence=0)
    assert builder(tokenizer, max_answer_tokens=8).encode(request, "Sow wheat in the first two weeks of November.") is None
    assert builder(tokenizer, max_seq_length=140, max_answer_tokens=8).encode(request, "Soon.") is None  # prompt too long
    assert builder(tokenizer, max_answer_tokens=32).encode(request, "Soon.") is not None


def test_context_column_is_evidence_and_answers_learn_to_cite() -> None:
    pair = QAPair(row=3, question="When to sow wheat?", answer="Sow wheat in early November. Call the office.",
                  context="Sow wheat in the first two weeks of November after the rice harvest.", country="Nepal")
    evidence = context_evidence(pair)
    assert evidence[0].n == 1 and evidence[0].chunk.country == "Nepal"
    assert cite_answer(pair.answer, evidence) == "Sow wheat in early November. [1] Call the office."
    assert cite_answer("Already cited [2].", evidence) == "Already cited [2]."
    assert cite_answer(pair.answer, []) == pair.answer


def test_auto_prompt_format_follows_the_base(tokenizer) -> None:
    assert resolve_prompt_format("auto", tokenizer, "mistralai/Mistral-7B-Instruct-v0.2") == "mistral-inst"
    assert resolve_prompt_format("auto", tokenizer, "mistralai/Mistral-7B-v0.1") == "alpaca"
    assert resolve_prompt_format("alpaca", tokenizer, "anything") == "alpaca"
