"""Any LangChain chat model as the generator.

Example:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> from langchain_core.messages import AIMessage
    >>> chat = GenericFakeChatModel(messages=iter([AIMessage(content="Sow in November [1].")]))
    >>> backend = LangChainBackend(chat_model=chat)
    >>> backend.complete(request)                          # doctest: +SKIP
    'Sow in November [1].'
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any, ClassVar, Iterator

from pydantic import BaseModel, ConfigDict, Field

from agriadvisor.backends.base import Backend, BackendNeeds, GenerationRequest, parse_options
from agriadvisor.backends.formats import chat_messages
from agriadvisor.backends.prompting import ApproximateCounter, PackedPrompt, TokenCounter, pack_prompt
from agriadvisor.backends.stopping import stop_at_strings
from agriadvisor.errors import BackendError, BackendUnavailableError, ConfigError, MissingExtraError

CHAT_MODEL_SETTING = "AGRIADVISOR_LANGCHAIN_CHAT_MODEL"


class LangChainOptions(BaseModel):
    """Options of the LangChain backend; a misspelt option is an error."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    chat_model: Any = Field(default=None, description="A BaseChatModel, or 'package.module:attribute' naming one.")
    context_length: int = Field(default=4096, gt=0)
    max_new_tokens: int = Field(default=256, gt=0)
    system_role: bool = True
    stop: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["*"])


class _ModelCounter:
    """Counts with the chat model's own tokenizer; truncates proportionally."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def count(self, text: str) -> int:
        return int(self.model.get_num_tokens(text))

    def truncate(self, text: str, max_tokens: int) -> str:
        total = max(self.count(text), 1)
        return text[:max(int(len(text) * max_tokens / total), 0)]


def _require_langchain() -> None:
    if importlib.util.find_spec("langchain_core") is None:
        raise MissingExtraError("the langchain backend needs langchain-core: pip install 'agriadvisor[langchain]'")


def load_chat_model(spec: Any) -> Any:
    """A chat model instance from an instance, or from ``'package.module:attribute'`` (called if callable)."""
    _require_langchain()
    from langchain_core.language_models import BaseChatModel

    if isinstance(spec, str):
        module_name, _, attribute = spec.partition(":")
        if not attribute:
            raise ConfigError(f"{CHAT_MODEL_SETTING} must look like 'package.module:attribute', got {spec!r}")
        try:
            spec = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise BackendUnavailableError(f"langchain: cannot import the chat model {spec!r}: {exc}") from exc
        spec = spec() if callable(spec) and not isinstance(spec, BaseChatModel) else spec
    if not isinstance(spec, BaseChatModel):
        raise ConfigError(f"langchain: chat_model must be a LangChain BaseChatModel, got {type(spec).__name__}")
    return spec


class LangChainBackend(Backend):
    """Generates with a LangChain chat model: system + user messages in, streamed chunks out."""

    name: ClassVar[str] = "langchain"
    needs: ClassVar[BackendNeeds] = BackendNeeds(
        extra="langchain", description=f"Any LangChain chat model (pass chat_model= or set {CHAT_MODEL_SETTING}).")

    def __init__(self, **options: Any) -> None:
        self.options = parse_options(LangChainOptions, "langchain", options)
        self._model: Any = None

    @classmethod
    def from_settings(cls, settings: Any, **options: Any) -> "LangChainBackend":
        values: dict[str, Any] = {}
        if settings is not None:
            values = {"chat_model": settings.langchain_chat_model or None,
                      "context_length": settings.backend_context_length,
                      "max_new_tokens": settings.backend_max_new_tokens}
            values = {k: v for k, v in values.items() if v is not None}
        return cls(**(values | options))

    def __repr__(self) -> str:
        return f"LangChainBackend(chat_model={type(self.options.chat_model).__name__})"

    @property
    def chat_model(self) -> Any:
        """The chat model instance, imported on first use when given as a path."""
        if self._model is None:
            if self.options.chat_model is None:
                raise BackendUnavailableError(
                    f"langchain: no chat model given; pass chat_model= or set {CHAT_MODEL_SETTING}")
            self._model = load_chat_model(self.options.chat_model)
        return self._model

    def warm_up(self) -> None:
        """Resolve the chat model now."""
        _ = self.chat_model

    def counter(self) -> TokenCounter:
        """The model's own token count when it defines one; otherwise a conservative estimate.

        LangChain's fallback counter fetches the GPT-2 tokenizer from the Hugging Face hub,
        which this library never does, so it is used only when the model class overrides it.
        """
        from langchain_core.language_models import BaseLanguageModel

        model = self.chat_model
        own = type(model).get_num_tokens is not BaseLanguageModel.get_num_tokens
        own = own or type(model).get_token_ids is not BaseLanguageModel.get_token_ids
        own = own or getattr(model, "custom_get_token_ids", None) is not None
        return _ModelCounter(model) if own else ApproximateCounter()

    def build_prompt(self, request: GenerationRequest) -> PackedPrompt:
        """Instructions, packed evidence and question, sized by the model's count or an estimate."""
        render = lambda parts: "\n\n".join(m["content"] for m in chat_messages(parts))  # noqa: E731
        budget = self.options.context_length - min(self.options.max_new_tokens, request.max_new_tokens)
        return pack_prompt(request, render, self.counter(), budget, languages=self.options.languages)

    def messages(self, request: GenerationRequest) -> list[Any]:
        """LangChain messages for the packed prompt."""
        from langchain_core.messages import HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage}
        parts = self.build_prompt(request).parts
        messages = chat_messages(parts, system_role=self.options.system_role)
        return [kinds[m["role"]](content=m["content"]) for m in messages]

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        """Stream the chat model's answer; provider errors become :class:`BackendError`."""
        kwargs = {"stop": self.options.stop} if self.options.stop else {}
        try:
            chunks = self.chat_model.stream(self.messages(request), **kwargs)
            yield from stop_at_strings((_chunk_text(chunk.content) for chunk in chunks), self.options.stop)
        except (BackendError, ConfigError):
            raise
        except Exception as exc:  # noqa: BLE001 - providers raise their own error types
            raise BackendError(f"langchain: the chat model failed: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Usable when langchain-core is installed and a chat model is configured."""
        if importlib.util.find_spec("langchain_core") is None:
            return False, "needs langchain-core: pip install 'agriadvisor[langchain]'"
        from agriadvisor.config import Settings

        if not Settings().langchain_chat_model:
            return False, f"needs a chat model: pass chat_model= in code, or set {CHAT_MODEL_SETTING}=module:attribute"
        return True, "ready"


def _chunk_text(content: Any) -> str:
    """Text of a message chunk, whose content is a string or a list of typed blocks."""
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content or [])


__all__ = ["LangChainBackend", "LangChainOptions", "load_chat_model"]
