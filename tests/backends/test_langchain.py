"""LangChain both ways: a chat model as our generator; our retriever and Advisor inside chains."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

pytest.importorskip("langchain_core")

from langchain_core.language_models import BaseChatModel, GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult  # noqa: E402

from agriadvisor.backends.langchain_chat import LangChainBackend, load_chat_model  # noqa: E402
from agriadvisor.backends.prompting import ApproximateCounter  # noqa: E402
from agriadvisor.errors import BackendError, BackendUnavailableError, ConfigError, InputError  # noqa: E402

from .conftest import make_request  # noqa: E402

ANSWER = "Sow wheat in the first two weeks of November [1]. Use 100 kg of seed per hectare [2]."


class EchoEvidenceChat(BaseChatModel):
    """A deterministic chat model that records what it was sent and answers with the first
    sentence of evidence [1], word by word when streamed."""

    received: list[list[BaseMessage]] = []
    stops: list[Any] = []

    @property
    def _llm_type(self) -> str:
        return "echo-evidence"

    def _answer(self, messages: list[BaseMessage]) -> str:
        user = messages[-1].content
        first = user.split("\n[1] ", 1)[1].split("\n", 1)[1].split(". ")[0]
        return f"{first} [1]."

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(messages)
        self.stops.append(stop)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.received.append(messages)
        self.stops.append(stop)
        for word in self._answer(messages).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def fake_chat() -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=ANSWER)]))


def test_a_chat_model_generates_streamed_and_whole_alike() -> None:
    backend = LangChainBackend(chat_model=fake_chat())
    pieces = list(backend.generate(make_request()))
    assert len(pieces) > 3 and "".join(pieces) == backend.complete(make_request()) == ANSWER


def test_the_chat_model_gets_the_instructions_and_numbered_evidence() -> None:
    chat = EchoEvidenceChat(received=[], stops=[])
    backend = LangChainBackend(chat_model=chat, stop=["Use 100"])
    text = backend.complete(make_request())
    assert text.strip() == ("Sow wheat in the first two weeks of November, after the rice harvest, "
                            "when the soil is moist [1].")
    system, user = chat.received[-1]
    assert system.type == "system" and system.content.startswith("You are a crop advisor")
    assert user.type == "human" and "[2] Wheat in Nepal: Seed" in user.content
    assert chat.stops[-1] == ["Use 100"]
    folded = LangChainBackend(chat_model=chat, system_role=False).messages(make_request())
    assert [m.type for m in folded] == ["human"]


def test_token_counting_never_fetches_a_tokenizer() -> None:
    """LangChain's default counter downloads GPT-2's tokenizer; the backend estimates instead."""
    assert isinstance(LangChainBackend(chat_model=fake_chat()).counter(), ApproximateCounter)

    class Counting(EchoEvidenceChat):
        def get_num_tokens(self, text: str) -> int:
            return len(text.split())

    backend = LangChainBackend(chat_model=Counting(received=[], stops=[]), context_length=120, max_new_tokens=20)
    packed = backend.build_prompt(make_request(evidence=3))
    assert packed.tokens <= 100 and packed.kept != (1, 2, 3)


def test_chat_model_from_an_import_path(monkeypatch) -> None:
    import types

    module = types.ModuleType("my_chat_models")
    module.make = fake_chat
    monkeypatch.setitem(__import__("sys").modules, "my_chat_models", module)
    assert isinstance(load_chat_model("my_chat_models:make"), GenericFakeChatModel)
    with pytest.raises(ConfigError, match="'package.module:attribute'"):
        load_chat_model("my_chat_models")
    with pytest.raises(BackendUnavailableError, match="cannot import the chat model"):
        load_chat_model("my_chat_models:missing")
    with pytest.raises(ConfigError, match="must be a LangChain BaseChatModel, got int"):
        load_chat_model(3)


def test_missing_chat_model_and_provider_errors_are_clear() -> None:
    with pytest.raises(BackendUnavailableError, match="no chat model given"):
        LangChainBackend().complete(make_request())

    class Broken(EchoEvidenceChat):
        def _stream(self, *args, **kwargs):
            raise RuntimeError("quota exceeded")
            yield  # pragma: no cover

    with pytest.raises(BackendError, match="the chat model failed: RuntimeError: quota exceeded"):
        LangChainBackend(chat_model=Broken(received=[], stops=[])).complete(make_request())


@pytest.mark.slow
def test_the_advisor_retriever_returns_documents_with_citation_metadata(backends_advisor) -> None:
    from agriadvisor.integrations.langchain import AdvisorRetriever

    docs = AdvisorRetriever(advisor=backends_advisor, country="Nepal", top_k=3).invoke("When should I sow wheat?")
    assert 1 <= len(docs) <= 3
    assert docs[0].metadata["country"] in ("Nepal", "all") and docs[0].metadata["crop"] == "wheat"
    assert docs[0].metadata["n"] == 1 and len(docs[0].page_content) >= len(docs[0].metadata["snippet"]) - 4


@pytest.mark.slow
def test_the_advisor_is_a_runnable_that_composes(backends_advisor) -> None:
    from langchain_core.runnables import RunnableLambda

    from agriadvisor.integrations.langchain import AdvisorRunnable
    from agriadvisor.models import Answer

    runnable = AdvisorRunnable(backends_advisor)
    answer = runnable.invoke({"question": "When should I sow wheat?", "country": "Nepal"})
    assert isinstance(answer, Answer) and answer.outcome == "answered" and answer.citations
    chain = runnable | RunnableLambda(lambda a: a.citations[0].country)
    assert chain.invoke({"question": "When should I sow wheat?", "country": "Nepal"}) in ("Nepal", "all")
    assert [a.outcome for a in runnable.batch(["When should I sow wheat in Nepal?", "rice transplanting India"])]
    with pytest.raises(InputError, match="mapping with 'question'"):
        runnable.invoke({"country": "Nepal"})
