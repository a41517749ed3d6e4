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
"""

from __future__ import annotations

from typing import Any, Mapping

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable, RunnableConfig
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    from agriadvisor.errors import MissingExtraError

    raise MissingExtraError(
        "the LangChain integration needs langchain-core: pip install 'agriadvisor[langchain]'") from exc
from pydantic import ConfigDict, Field

from agriadvisor.models import Answer, Citation

_ASK_KEYS = ("country", "crop", "stage", "context")


class AdvisorRetriever(BaseRetriever):
    """The Advisor's hybrid retrieval as LangChain documents, full passage text plus citation metadata.

    Args:
        advisor: an :class:`~agriadvisor.Advisor`.
        country, crop, stage: filters applied to every query (each optional).
        top_k: number of passages; defaults to the advisor's setting.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    advisor: Any
    country: str | None = None
    crop: str | None = None
    stage: str | None = None
    top_k: int | None = Field(default=None, gt=0)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        citations = self.advisor.retrieve(query, country=self.country, crop=self.crop, stage=self.stage,
                                          top_k=self.top_k)
        texts = {c.chunk_id: c.text for c in self.advisor.index.chunks}
        return [citation_document(c, texts.get(c.chunk_id, c.snippet)) for c in citations]


def citation_document(citation: Citation, text: str) -> Document:
    """One LangChain document for a citation: the passage as content, the citation as metadata."""
    return Document(page_content=text, metadata=citation.model_dump(), id=citation.chunk_id or None)


class AdvisorRunnable(Runnable[Any, Answer]):
    """``Advisor.ask`` as a Runnable: input is a question string or a mapping with ``question``
    and optional ``country``, ``crop``, ``stage``, ``context`` and ``sms``; output is an :class:`Answer`."""

    def __init__(self, advisor: Any, *, sms: bool = False) -> None:
        self.advisor = advisor
        self.sms = sms

    def invoke(self, input: str | Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        """Answer one question."""
        if isinstance(input, str):
            return self.advisor.ask(input, sms=self.sms)
        if not isinstance(input, Mapping) or "question" not in input:
            from agriadvisor.errors import InputError

            raise InputError(f"AdvisorRunnable takes a question string or a mapping with 'question', got {input!r}")
        options = {k: input[k] for k in _ASK_KEYS if input.get(k) is not None}
        return self.advisor.ask(input["question"], sms=bool(input.get("sms", self.sms)), **options)


__all__ = ["AdvisorRetriever", "AdvisorRunnable", "citation_document"]
