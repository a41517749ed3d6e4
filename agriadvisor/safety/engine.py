"""The guardrail engine: policies from ``guardrails/`` behind the :class:`~agriadvisor.safety.protocol.Rails` contract.

Example:
    >>> from agriadvisor.models import QueryInfo
    >>> engine = GuardrailEngine.from_folder(_default_folder())
    >>> engine.check_input(QueryInfo(text="how do I kill weeds in my wheat?")).outcome is None
    True
    >>> engine.check_input(QueryInfo(text="I want to d!e")).outcome
    'crisis'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from agriadvisor.models import QueryInfo
from agriadvisor.safety.backstop import FILENAME as BACKSTOP_FILE
from agriadvisor.safety.backstop import Backstop
from agriadvisor.safety.input_rails import InputRails
from agriadvisor.safety.output_rails import OutputRails
from agriadvisor.safety.pesticides import PesticidePolicy
from agriadvisor.safety.policies import Policies, load_policies
from agriadvisor.safety.protocol import Embed, InputDecision, OutputReview
from agriadvisor.safety.rulebook import RuleBook
from agriadvisor.safety.scope import ScopeCheck
from agriadvisor.safety.templates import ReplyTexts

if TYPE_CHECKING:
    from agriadvisor.backends.base import Evidence


class GuardrailEngine:
    """Input and output rails driven by the policy files; no model, no network.

    Args:
        policies: validated policies, e.g. from :func:`~agriadvisor.safety.policies.load_policies`.
    """

    def __init__(self, policies: Policies) -> None:
        self.policies = policies
        self.book = RuleBook(policies)
        self.texts = ReplyTexts(policies.templates, policies.helplines)
        self.pesticides = PesticidePolicy(policies.pesticides)
        self.scope = ScopeCheck(policies.scope)
        backstop_path = policies.folder / BACKSTOP_FILE
        self.backstop = Backstop(backstop_path) if backstop_path.is_file() else None
        self.input_rails = InputRails(self.book, self.pesticides, self.texts, self.scope, self.backstop)
        self.output_rails = OutputRails(policies.output, self.input_rails)

    @classmethod
    def from_folder(cls, path: Path | str) -> "GuardrailEngine":
        """Load and validate the policy files in ``path``; raises :class:`~agriadvisor.errors.PolicyError`."""
        return cls(load_policies(path))

    def check_input(self, query: QueryInfo) -> InputDecision:
        """Classify the question before retrieval (crisis, refused, out_of_scope, or go on)."""
        return self.input_rails.run(query)

    def check_output(self, text: str, evidence: "list[Evidence]", query: QueryInfo, embed: Embed) -> OutputReview:
        """Keep only the supported, safe sentences of a generated answer."""
        return self.output_rails.run(text, evidence, query, embed)

    def out_of_scope_text(self, query: QueryInfo, countries: list[str], crops: list[str]) -> str:
        """The honest "not covered" reply, naming the crops and countries that are covered."""
        verdict = self.scope.run(query, self.book.find(query.text))
        lang = self.texts.language(query.language)
        if verdict is None:
            return self.texts.out_of_scope(lang, None, "", crops, countries)
        country = query.country if query.country in countries else None
        return self.texts.out_of_scope(lang, verdict.reason, verdict.item, crops, countries,
                                       refer=verdict.refer, country=country)

    def cover(self, crops: Iterable[str]) -> None:
        """Answer questions about ``crops`` too (e.g. the crops of documents added to the index)."""
        self.scope.cover(crops)


def _default_folder() -> Path:
    """The top-level ``guardrails/`` folder (or the copy bundled in the wheel)."""
    from agriadvisor.config import Settings

    return Settings().guardrails_path


__all__ = ["GuardrailEngine"]
