"""The Advisor inside LangChain: guardrails before retrieval, checked filters, traced runs, a real input schema."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("langchain_core")

from langchain_core.callbacks import BaseCallbackHandler  # noqa: E402

from agriadvisor.errors import InputError  # noqa: E402
from agriadvisor.integrations.langchain import AdvisorRetriever, AdvisorRunnable, GuardrailStop  # noqa: E402


@pytest.fixture(scope="module")
def guarded(small_settings):
    """The small corpus's Advisor with the real guardrails on."""
    from agriadvisor.advisor import Advisor

    return Advisor(small_settings.model_copy(update={"guardrails": True}))


def test_the_retriever_applies_the_input_rails(small_advisor, guarded) -> None:
    retriever = AdvisorRetriever(advisor=guarded)
    with pytest.raises(GuardrailStop) as stop:
        retriever.invoke("I want to drink pesticide and die")
    assert stop.value.outcome == "crisis"
    assert stop.value.text == guarded.ask("I want to drink pesticide and die").text  # the helpline reply
    assert AdvisorRetriever(advisor=guarded, on_guardrail="empty").invoke("I want to drink pesticide and die") == []
    docs = retriever.invoke("When should I sow wheat in Nepal?")
    assert docs and docs[0].metadata["crop"] == "wheat"


def test_the_retriever_checks_its_filters_at_once(small_advisor) -> None:
    with pytest.raises(InputError, match="unknown country 'Nepall'"):
        AdvisorRetriever(advisor=small_advisor, country="Nepall")
    with pytest.raises(InputError, match="unknown stage"):
        AdvisorRetriever(advisor=small_advisor, stage="flowering")
    assert AdvisorRetriever(advisor=small_advisor, country="nepal", crop="Gehun").country == "Nepal"


class _Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.events.append(("start", inputs))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append(("end", outputs))

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", error))


def test_the_runnable_reports_to_callbacks(small_advisor) -> None:
    recorder = _Recorder()
    runnable = AdvisorRunnable(small_advisor)
    answer = runnable.invoke({"question": "When should I sow wheat?", "country": "Nepal"},
                             config={"callbacks": [recorder]})
    assert [e[0] for e in recorder.events] == ["start", "end"]
    assert recorder.events[0][1]["question"] == "When should I sow wheat?"
    assert recorder.events[1][1] is answer
    with pytest.raises(InputError):
        runnable.invoke({"question": "When should I sow wheat?", "contry": "Nepal"}, config={"callbacks": [recorder]})
    assert recorder.events[-1][0] == "error"


def test_the_runnable_has_an_input_schema(small_advisor) -> None:
    schema = AdvisorRunnable(small_advisor).input_schema.model_json_schema()
    question = schema["$defs"]["AdvisorQuestion"]
    assert question["required"] == ["question"]
    assert {"country", "crop", "stage", "context", "sms"} <= set(question["properties"])
    assert {"type": "string"} in schema["anyOf"]
