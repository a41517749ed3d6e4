"""Settings in one place, read from arguments, then ``AGRIADVISOR_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """Data folder shipped in the wheel, or the checkout's top-level folder when editable."""
    inside = _PACKAGE_DIR / "_bundled" / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def _default_cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "agriadvisor"


class Settings(BaseSettings):
    """Every knob of the library. Environment variables use the prefix ``AGRIADVISOR_``.

    Example:
        >>> s = Settings(top_k=3)
        >>> s.top_k
        3
    """

    model_config = SettingsConfigDict(env_prefix="AGRIADVISOR_", extra="forbid")

    knowledge_path: Path = Field(default_factory=lambda: _bundled("knowledge"))
    guardrails_path: Path = Field(default_factory=lambda: _bundled("guardrails"))
    index_path: Path = Field(default_factory=lambda: _default_cache() / "index")
    embedding_model: str = Field(default="", description="Path of a sentence-transformers model; empty = bundled MiniLM.")
    encoder: str = Field(default="auto", description="How the embedding model runs: auto (fp32 on ONNX Runtime, else "
                         "PyTorch), onnx, onnx-int8 (quantised for this CPU) or torch.")
    backend: str = "extractive"
    top_k: int = 4
    candidates: int = 30
    min_relevance: float = Field(default=0.30, description="Below this dense cosine the question is out of scope.")
    max_question_chars: int = 2000
    answer_sentences: int = 7
    default_country: str = Field(default="", description="This deployment's country, used when neither the question, "
                                 "the conversation nor the sender's phone code says one; empty = none.")
    hybrid: bool = True
    reranker_model: str = ""
    guardrails: bool = True
    device: str = "cpu"
    log_level: str = "WARNING"
    # ---- answer generators (docs/backends.md) ----
    backend_model_path: str = Field(default="", description="Model folder, .gguf file or Hugging Face repo id (read "
                                    "from the local cache only) for the model backend; empty = its profile's model.")
    backend_adapter_path: str = Field(default="", description="Folder of a peft LoRA adapter put on top of the model.")
    backend_load_in: str = Field(default="auto", description="auto (the profile's), nf4, 8bit, bf16, fp16 or fp32.")
    backend_device: str = Field(default="auto", description="auto (the profile's: cuda for 7B models), cpu, cuda, cuda:1.")
    backend_max_new_tokens: int | None = Field(default=None, description="Cap on generated tokens; empty = the profile's.")
    backend_context_length: int | None = Field(default=None, description="Prompt + answer token budget; empty = the profile's.")
    model_cache_path: Path = Field(default_factory=lambda: _default_cache() / "models",
                                   description="Where models converted from GGUF are kept between runs.")
    openai_base_url: str = Field(default="http://127.0.0.1:8000/v1", description="OpenAI-compatible server (vLLM, TGI, ...).")
    openai_api_key: SecretStr | None = Field(default=None, description="API key; falls back to OPENAI_API_KEY.")
    openai_model: str = Field(default="", description="Model name on the server; empty = the first it lists.")
    openai_timeout: float = Field(default=60.0, description="Seconds to wait for the server to answer.")
    openai_max_retries: int = Field(default=2, description="Retries after connection errors, timeouts, 429 and 5xx.")
    openai_system_role: bool = Field(default=True, description="False folds the instructions into the user turn.")
    langchain_chat_model: str = Field(default="", description="'package.module:attribute' giving a LangChain chat model.")

    # ---- channels: the WhatsApp/SMS bot server (agriadvisor serve) ----------------------
    twilio_auth_token: SecretStr | None = Field(default=None, description="Verifies X-Twilio-Signature; unset = Twilio webhook refuses every request.")
    meta_app_secret: SecretStr | None = Field(default=None, description="Verifies X-Hub-Signature-256 on WhatsApp Cloud API webhooks.")
    meta_verify_token: SecretStr | None = Field(default=None, description="The token Meta echoes in the GET verification handshake.")
    meta_access_token: SecretStr | None = Field(default=None, description="Graph API token for sending WhatsApp replies; unset = replies kept in memory.")
    meta_phone_number_id: str = Field(default="", description="The WhatsApp business phone number id replies are sent from.")
    public_url: str = Field(default="", description="Base URL as the provider sees it (e.g. https://bot.example.org), for Twilio signatures behind a proxy.")
    phone_hash_key: SecretStr | None = Field(default=None, description="Key for the HMAC that replaces phone numbers in the state database.")
    state_db_path: Path = Field(default_factory=lambda: _default_cache() / "state.sqlite3")
    sms_max_segments: int = Field(default=3, description="SMS replies fit in this many segments (the crisis reply is never cut).")
    rate_limit_per_minute: float = Field(default=10.0, description="Messages a sender may send per minute, on average.")
    rate_limit_burst: int = Field(default=10, description="Messages a sender may send at once before the rate applies.")
    max_request_bytes: int = Field(default=65536, description="Larger webhook bodies get 413.")

    @field_validator("default_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        from agriadvisor.vocab import COUNTRIES, canonical_country

        if value and not canonical_country(value):
            raise ValueError(f"default_country must be one of {', '.join(COUNTRIES)}, got {value!r}")
        return canonical_country(value) or "" if value else ""

    @field_validator("top_k", "candidates", "answer_sentences", "max_question_chars", "sms_max_segments",
                     "rate_limit_per_minute", "rate_limit_burst", "max_request_bytes")
    @classmethod
    def _positive(cls, value: float, info) -> float:  # noqa: ANN001
        if value <= 0:
            raise ValueError(f"{info.field_name} must be greater than 0, got {value}")
        return value
