"""The contract between the Advisor and its guardrails (input and output rails)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from agriadvisor.models import GuardrailHit, QueryInfo

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.backends.base import Evidence

Embed = Callable[[Sequence[str]], "np.ndarray"]


@dataclass
class InputDecision:
    """What the input rails decided: ``outcome`` set means stop and reply with ``text``."""

    outcome: str | None = None
    text: str = ""
    hits: list[GuardrailHit] = field(default_factory=list)


@dataclass
class OutputReview:
    """The generated answer after the output rails: kept text, rules that fired, grounding verdict."""

    text: str
    hits: list[GuardrailHit] = field(default_factory=list)
    grounded: bool = True


class Rails(Protocol):
    """Guardrails as the Advisor calls them; ``agriadvisor.safety.engine`` implements it."""

    def check_input(self, query: QueryInfo) -> InputDecision:
        """Classify the question before retrieval."""

    def check_output(self, text: str, evidence: "list[Evidence]", query: QueryInfo, embed: Embed) -> OutputReview:
        """Check a generated answer against the evidence and the policies."""

    def out_of_scope_text(self, query: QueryInfo, countries: list[str], crops: list[str]) -> str:
        """The honest "not covered" reply, naming what is covered."""
