"""With guardrails on, a generator that cites nothing is replaced by the extractive answer."""

from __future__ import annotations

from typing import Iterator

from agriadvisor import Advisor
from agriadvisor.backends.base import Backend, GenerationRequest


class EchoBackend(Backend):
    """A deterministic fake (plumbing only): repeats the question, as a tiny model often does."""

    name = "echo"

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        yield request.question


class CitingBackend(Backend):
    """A deterministic fake that copies the first evidence sentence and cites it."""

    name = "citing"

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        yield f"{request.evidence[0].sentences[0]} [1]"


def test_echo_falls_back_to_extractive(small_settings) -> None:
    adv = Advisor(small_settings.model_copy(update={"guardrails": True}), backend=EchoBackend())
    ans = adv.ask("When should I sow wheat in Nepal?")
    assert ans.outcome == "answered" and ans.backend == "extractive"
    assert ans.citations and "[1]" in ans.text
    assert any(h.rule_id == "output.fallback_extractive" for h in ans.guardrails)


def test_supported_generated_answer_is_kept(small_settings) -> None:
    adv = Advisor(small_settings.model_copy(update={"guardrails": True}), backend=CitingBackend())
    ans = adv.ask("When should I sow wheat in Nepal?")
    assert ans.backend == "citing" and ans.grounded is True
    assert not any(h.rule_id == "output.fallback_extractive" for h in ans.guardrails)


def test_without_guardrails_the_generator_text_is_shown_as_is(small_settings) -> None:
    adv = Advisor(small_settings, backend=EchoBackend())
    ans = adv.ask("When should I sow wheat in Nepal?")
    assert ans.backend == "echo" and ans.text.startswith("When should I sow wheat")
