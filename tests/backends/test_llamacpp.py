"""The llamacpp extra: real generation when llama-cpp-python is installed, a clear error when not."""

from __future__ import annotations

import importlib.util

import pytest

from agriadvisor.backends.llamacpp import LlamaCppBackend
from agriadvisor.errors import MissingExtraError

from .conftest import make_request

HAVE_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None


@pytest.mark.skipif(HAVE_LLAMA_CPP, reason="llama-cpp-python is installed")
def test_without_the_extra_the_error_names_it() -> None:
    ok, why = LlamaCppBackend.availability()
    assert not ok and "pip install 'agriadvisor[llamacpp]'" in why
    with pytest.raises(MissingExtraError, match=r"agriadvisor\[llamacpp\]"):
        LlamaCppBackend().complete(make_request())


def test_defaults_to_the_smollm2_gguf_from_the_wheel() -> None:
    assert LlamaCppBackend().model_path().name == "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.mark.skipif(not HAVE_LLAMA_CPP, reason="llama-cpp-python is not installed (the llamacpp extra)")
def test_a_gguf_answers_streamed_and_whole_alike() -> None:
    backend = LlamaCppBackend(max_new_tokens=16)
    request = make_request()
    pieces = list(backend.generate(request))
    assert pieces and "".join(pieces) == backend.complete(request)
    assert backend.build_prompt(request).kept
