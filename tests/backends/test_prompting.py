"""The shared generation prompt and evidence packing to a token budget."""

from __future__ import annotations

import pytest

from agriadvisor.backends.prompting import (
    NO_EVIDENCE, ApproximateCounter, PromptParts, TokenizerCounter, answer_language, build_instructions, pack_prompt,
)
from agriadvisor.errors import BackendError

from .conftest import make_request

INSTRUCTIONS = (
    "You are a crop advisor for smallholder farmers in South Asia. Answer the farmer's question using only the "
    "numbered evidence. After each sentence, cite the evidence it comes from as [n], for example [1]. If the "
    "evidence does not cover the question, say plainly that you do not have advice on it; do not guess and do not "
    "add facts from elsewhere. Keep the answer short: at most 4 sentences. Answer in English.")


def plain(parts: PromptParts) -> str:
    return f"{parts.instructions}\n{parts.user_text()}"


def test_instructions_say_evidence_only_cite_say_when_not_covered_and_language() -> None:
    assert build_instructions(make_request()) == INSTRUCTIONS


def test_sms_instructions_ask_for_two_short_sentences() -> None:
    text = build_instructions(make_request(sms=True))
    assert "SMS: write at most 2 short sentences, under 300 characters." in text
    assert "at most 4 sentences" not in text


@pytest.mark.parametrize(("code", "languages", "expected"), [
    ("hi", ["en", "hi"], "Hindi"),
    ("hi", ["en"], "English"),
    ("bn", ["*"], "Bengali"),
    ("hi_latn", ["en", "hi"], "Hindi written in Latin letters"),
    ("ne", ["pt"], "Portuguese"),
])
def test_answer_language_is_the_questions_when_the_model_writes_it(code, languages, expected) -> None:
    assert answer_language(code, languages) == expected
    assert build_instructions(make_request(language=code), languages).endswith(f"Answer in {expected}.")


def test_everything_fits_when_the_budget_allows() -> None:
    packed = pack_prompt(make_request(evidence=3), plain, ApproximateCounter(), budget=10_000)
    assert packed.kept == (1, 2, 3) and not packed.truncated
    assert "[1] Wheat in Nepal: Sowing (Nepal, wheat, sowing)\nSow wheat in the first two weeks" in packed.text
    assert packed.tokens == ApproximateCounter().count(packed.text)


def test_lowest_ranked_evidence_is_dropped_first() -> None:
    counter = ApproximateCounter()
    request = make_request(evidence=3)
    two = pack_prompt(make_request(evidence=2), plain, counter, budget=10_000)
    packed = pack_prompt(request, plain, counter, budget=two.tokens)
    assert packed.kept == (1, 2)
    assert packed.text == two.text and "[3]" not in packed.text


def test_the_best_passage_is_truncated_when_it_cannot_fit_whole() -> None:
    counter = ApproximateCounter()
    bare = pack_prompt(make_request(evidence=0), plain, counter, budget=10_000)
    packed = pack_prompt(make_request(evidence=3), plain, counter, budget=bare.tokens + 40)
    assert packed.kept == (1,) and packed.truncated
    assert packed.tokens <= bare.tokens + 40
    assert "Sow wheat in the first" in packed.text and packed.text.count(" ...") == 1


def test_no_evidence_says_so_and_an_impossible_budget_is_an_error() -> None:
    assert NO_EVIDENCE in pack_prompt(make_request(evidence=0), plain, ApproximateCounter(), budget=10_000).text
    with pytest.raises(BackendError, match="more than the budget of 10"):
        pack_prompt(make_request(), plain, ApproximateCounter(), budget=10)


def test_packing_counts_with_the_models_own_tokenizer(tiny_model_dir) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir("aira"))
    counter = TokenizerCounter(tok)
    full = pack_prompt(make_request(evidence=3), plain, counter, budget=100_000)
    assert full.tokens == len(tok(full.text, add_special_tokens=False)["input_ids"])
    packed = pack_prompt(make_request(evidence=3), plain, counter, budget=full.tokens - 1)
    assert packed.kept == (1, 2) and packed.tokens <= full.tokens - 1


def test_approximate_counter_is_conservative_for_indic_scripts() -> None:
    counter = ApproximateCounter()
    assert counter.count("गेहूं की बुवाई") >= len("गेहूं की बुवाई") - 2
    assert counter.truncate("गेहूं की बुवाई", 2) == "गे"
    with pytest.raises(ValueError, match="bytes_per_token must be greater than 0, got 0"):
        ApproximateCounter(0)
