"""The Advisor inside LangChain: its retriever as a ``BaseRetriever``, the Advisor as a ``Runnable``.

Example:
    >>> from agriadvisor import Advisor
    >>> from agriadvisor.integrations.langchain import AdvisorRetriever, AdvisorRunnable
    >>> advisor = Advisor()
    >>> docs = AdvisorRetriever(advisor=advisor, country="Nepal").invoke("When to sow wheat?")  # doctest: +SKIP
    >>> docs[0].metadata["country"]                                                            # doctest: +SKIP
    'Nepal'
    >>> chain = AdvisorRunnable(advisor) | (lambda answer: answer.text)                       # doctest: +SKIP
    >>> chain.invoke({"question": "When to sow wheat?", "country": "Nepal"})                 # doctest: +SKIP

The retriever applies the Advisor's input guardrails before it searches: a question that is a
crisis (self-harm) or that the rails refuse (harm to people, banned-pesticide doses, prompt
injection) gets no passages. By default it raises :class:`GuardrailStop`, whose ``text`` is
the reply the Advisor would give (helplines for a crisis), so the app shows that instead of
letting a model answer from pesticide passages; with ``on_guardrail="empty"`` it returns no
documents and records the stop in the run's metadata for tracing.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Union

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable, RunnableConfig
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    from agriadvisor.errors import MissingExtraError

    raise MissingExtraError(
        "the LangChain integration needs langchain-core: pip install 'agriadvisor[langchain]'") from exc
from pydantic import BaseModel, ConfigDict, Field

from agriadvisor.errors import AgriAdvisorError, InputError
from agriadvisor.inputs import validate_filters, validate_question
from agriadvisor.models import Answer, Citation, GuardrailHit

_ASK_KEYS = ("country", "crop", "stage", "context", "language")
_STOPPING = ("crisis", "refused")


class GuardrailStop(AgriAdvisorError):
    """The input guardrails stopped a question before retrieval; ``text`` is what to show instead."""

    def __init__(self, outcome: str, text: str, hits: list[GuardrailHit]) -> None:
        super().__init__(f"the guardrails stopped this question ({outcome}): {text}")
        self.outcome = outcome
        self.text = text
        self.hits = hits


class AdvisorQuestion(BaseModel):
    """The mapping :class:`AdvisorRunnable` takes (a plain question string works too)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The farmer's question, in any supported language.")
    country: str | None = Field(default=None, description="India, Bangladesh, Sri Lanka, Pakistan or Nepal.")
    crop: str | None = Field(default=None, description="rice, wheat, maize, barley, sorghum, cotton, ...")
    stage: str | None = Field(default=None, description="pre_sowing, sowing, vegetative, ... post_harvest.")
    context: dict[str, str | None] | None = Field(default=None, description="What is already known: "
                                                  "{'country': ..., 'crop': ..., 'stage': ...}.")
    language: str | None = Field(default=None, description="Language of the answer (en, hi, bn ...).")
    sms: bool | None = Field(default=None, description="Keep the answer short, for SMS.")


class AdvisorRetriever(BaseRetriever):
    """The Advisor's hybrid retrieval as LangChain documents, full passage text plus citation metadata.

    Args:
        advisor: an :class:`~agriadvisor.Advisor`.
        country, crop, stage: filters applied to every query (each optional; checked at once).
        top_k: number of passages; defaults to the advisor's setting.
        on_guardrail: ``"raise"`` (default) raises :class:`GuardrailStop` for a crisis or refused
            question; ``"empty"`` returns no documents and records the stop in the run metadata.

    Raises:
        InputError: an unknown country or stage, or a crop that is not text.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    advisor: Any
    country: str | None = None
    crop: str | None = None
    stage: str | None = None
    top_k: int | None = Field(default=None, gt=0)
    on_guardrail: Literal["raise", "empty"] = "raise"

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self.country, self.crop, self.stage = validate_filters(self.country, self.crop, self.stage)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        stop = self._guard(query)
        if stop is not None:
            if self.on_guardrail == "raise":
                raise stop
            run_manager.on_text(f"guardrails: {stop.outcome}; no documents returned")
            return []
        citations = self.advisor.retrieve(query, country=self.country, crop=self.crop, stage=self.stage,
                                          top_k=self.top_k)
        texts = {c.chunk_id: c.text for c in self.advisor.index.chunks}
        return [citation_document(c, texts.get(c.chunk_id, c.snippet)) for c in citations]

    def _guard(self, query: str) -> GuardrailStop | None:
        """The Advisor's input rails on ``query``: a stop for a crisis or refused question, else None."""
        rails = self.advisor.rails
        if rails is None:
            return None
        text = validate_question(query, max_chars=self.advisor.settings.max_question_chars)
        info = self.advisor.understanding.run(text, country=self.country, crop=self.crop, stage=self.stage)
        decision = rails.check_input(info)
        if decision.outcome in _STOPPING:
            return GuardrailStop(decision.outcome, decision.text or "", decision.hits)
        return None


def citation_document(citation: Citation, text: str) -> Document:
    """One LangChain document for a citation: the passage as content, the citation as metadata."""
    return Document(page_content=text, metadata=citation.model_dump(), id=citation.chunk_id or None)


class AdvisorRunnable(Runnable[Union[str, AdvisorQuestion], Answer]):
    """``Advisor.ask`` as a Runnable: input is a question string or an :class:`AdvisorQuestion`
    mapping (``question`` and optional ``country``, ``crop``, ``stage``, ``context``, ``language``,
    ``sms``); output is an :class:`Answer`. Each call is a traced ``chain`` run, so callbacks
    and tracers (LangSmith, ``ConsoleCallbackHandler``) see its input, output and errors."""

    def __init__(self, advisor: Any, *, sms: bool = False, name: str | None = None) -> None:
        self.advisor = advisor
        self.sms = sms
        self.name = name or "AdvisorRunnable"

    @property
    def InputType(self) -> Any:  # noqa: N802 - LangChain's name
        """A question string or an :class:`AdvisorQuestion`."""
        return Union[str, AdvisorQuestion]

    @property
    def OutputType(self) -> type[Answer]:  # noqa: N802 - LangChain's name
        """An :class:`Answer`."""
        return Answer

    def invoke(self, input: str | Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        """Answer one question (reported to the callbacks in ``config`` as a chain run)."""
        return self._call_with_config(self._ask, input, config, run_type="chain", **kwargs)

    def _ask(self, input: str | Mapping[str, Any]) -> Answer:
        if isinstance(input, str):
            return self.advisor.ask(input, sms=self.sms)
        if isinstance(input, AdvisorQuestion):
            input = input.model_dump(exclude_none=True)
        if not isinstance(input, Mapping) or "question" not in input:
            raise InputError(f"AdvisorRunnable takes a question string or a mapping with 'question', got {input!r}")
        unknown = [k for k in input if k not in AdvisorQuestion.model_fields]
        if unknown:
            raise InputError(f"unknown key {unknown[0]!r} in the AdvisorRunnable input; "
                             f"the keys are {', '.join(AdvisorQuestion.model_fields)}")
        options = {k: input[k] for k in _ASK_KEYS if input.get(k) is not None}
        sms = input.get("sms")
        return self.advisor.ask(input["question"], sms=self.sms if sms is None else bool(sms), **options)


__all__ = ["AdvisorQuestion", "AdvisorRetriever", "AdvisorRunnable", "GuardrailStop", "citation_document"]
