"""Settings in one place, read from arguments, then ``AGRIADVISOR_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
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
    backend: str = "extractive"
    top_k: int = 4
    candidates: int = 30
    min_relevance: float = Field(default=0.30, description="Below this dense cosine the question is out of scope.")
    max_question_chars: int = 2000
    answer_sentences: int = 4
    hybrid: bool = True
    reranker_model: str = ""
    guardrails: bool = True
    device: str = "cpu"
    log_level: str = "WARNING"

    @field_validator("top_k", "candidates", "answer_sentences", "max_question_chars")
    @classmethod
    def _positive(cls, value: int, info) -> int:  # noqa: ANN001
        if value <= 0:
            raise ValueError(f"{info.field_name} must be greater than 0, got {value}")
        return value
