"""Every backend runs the same contract (tests/backends/contract.py)."""

from __future__ import annotations

import itertools

import pytest

from agriadvisor.backends.registry import create_backend

from .contract import BackendContract
from .openai_server import MODEL_NAME


class TestExtractive(BackendContract):
    @pytest.fixture
    def backend(self):
        return create_backend("extractive")


class TestTinyTransformers(BackendContract):
    """Each transformers profile on its tiny model, loaded the profile's way (NF4 for 7B ones) on CPU."""

    @pytest.fixture(scope="class", params=["aksara", "krutrim", "aira", "aira-pt", "mistral-uz"])
    def backend(self, request, tiny_model_dir, tiny_adapter_dir):
        name = request.param
        options = {"model_path": str(tiny_model_dir(name)), "device": "cpu", "max_new_tokens": 6, "seed": 0}
        if name == "mistral-uz":
            options["adapter_path"] = str(tiny_adapter_dir)
        return create_backend(name, None, **options)


class TestFinetunedAdapter(BackendContract):
    """``adapter:FOLDER``: a LoRA adapter folder that carries its own profile (``agriadvisor finetune`` output)."""

    @pytest.fixture(scope="class")
    def backend(self, tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
        import shutil

        folder = tmp_path_factory.mktemp("finetuned") / "my-agency"
        shutil.copytree(tiny_adapter_dir, folder)
        (folder / "agriadvisor_profile.yaml").write_text(
            f"name: my-agency\nmodel: {tiny_model_dir('mistral-uz')}\narchitecture: mistral\nprompt_format: alpaca\n"
            "tokens: {bos: '<s>', eos: '</s>'}\nstop: ['</s>', '### Instruction:']\ncontext_length: 1024\n"
            "adapter_required: true\nloading: {device: cpu, load_in: nf4}\ngeneration: {max_new_tokens: 6}\n")
        return create_backend(f"adapter:{folder}", None, seed=0)


class TestOpenAICompatible(BackendContract):
    @pytest.fixture
    def backend(self, server):
        return create_backend("openai", None, base_url=server.base_url, model=MODEL_NAME, max_new_tokens=8,
                              api_key="sk-contract-secret")


class TestLangChain(BackendContract):
    @pytest.fixture
    def backend(self):
        from langchain_core.language_models import GenericFakeChatModel
        from langchain_core.messages import AIMessage

        chat = GenericFakeChatModel(messages=itertools.cycle([AIMessage(content="Sow in early November [1].")]))
        return create_backend("langchain", None, chat_model=chat)


@pytest.mark.slow
class TestSmolLM2(BackendContract):
    @pytest.fixture
    def backend(self, smollm2):
        return smollm2

    @pytest.fixture
    def generation_request(self, embedded_request):
        import copy

        request = copy.deepcopy(embedded_request)
        request.max_new_tokens = 12
        return request


class TestLlamaCpp(BackendContract):
    @pytest.fixture
    def backend(self):
        pytest.importorskip("llama_cpp")
        return create_backend("llamacpp", None, max_new_tokens=8)
