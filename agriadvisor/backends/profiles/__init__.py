"""Backend profiles as data: one YAML file per model says where its weights are, how to
prompt it, when to stop, how long a prompt it reads and how to load it.

Example:
    >>> from agriadvisor.backends.profiles import load_profile
    >>> p = load_profile("aira")
    >>> p.prompt_format, p.tokens.sep, p.generation.top_k
    ('aira', '<|endofinstruction|>', 30)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agriadvisor.errors import ConfigError

PROFILE_DIR = Path(__file__).resolve().parent

PromptFormatName = Literal["mistral-inst", "krutrim", "aira", "alpaca", "chat-template"]
LoadIn = Literal["nf4", "8bit", "bf16", "fp16", "fp32"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpecialTokens(_Strict):
    """The special-token strings a prompt format writes; ``None`` where a format does not use one."""

    bos: str | None = None
    eos: str | None = None
    sep: str | None = None
    system: str | None = None
    user: str | None = None
    response: str | None = None


class LoadingDefaults(_Strict):
    """How the weights are loaded unless a setting says otherwise."""

    device: str = "cpu"
    load_in: LoadIn = "fp32"
    trust_remote_code: bool = False
    drop_inputs: list[str] = Field(default_factory=list, description="Tokenizer outputs removed before generate().")


class GenerationDefaults(_Strict):
    """Decoding settings; ``None`` leaves the library default."""

    max_new_tokens: int = Field(default=256, gt=0)
    do_sample: bool = False
    temperature: float | None = Field(default=None, gt=0)
    top_k: int | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    repetition_penalty: float | None = Field(default=None, gt=0)


class GgufSource(_Strict):
    """A GGUF file shipped inside an installed Python package (located, never imported)."""

    package: str
    file: str


class Profile(_Strict):
    """One model as data: weights, prompt format, special tokens, stops, context and loading."""

    name: str
    description: str = ""
    model: str | None = Field(default=None, description="Hugging Face repo id (read from the local cache) or a folder.")
    gguf: GgufSource | None = None
    architecture: str = Field(description="Model family, e.g. mistral, llama, bloom, mpt.")
    prompt_format: PromptFormatName
    tokens: SpecialTokens = Field(default_factory=SpecialTokens)
    stop: list[str] = Field(default_factory=list, description="Strings or special tokens that end the answer.")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="Answer languages; '*' = any.")
    context_length: int = Field(gt=0)
    adapter_required: bool = False
    loading: LoadingDefaults = Field(default_factory=LoadingDefaults)
    generation: GenerationDefaults = Field(default_factory=GenerationDefaults)

    @model_validator(mode="after")
    def _one_source(self) -> "Profile":
        if (self.model is None) == (self.gguf is None):
            raise ValueError("give exactly one of 'model' or 'gguf'")
        if self.prompt_format == "aira" and not (self.tokens.bos and self.tokens.sep):
            raise ValueError("the aira prompt format needs tokens.bos and tokens.sep")
        if self.prompt_format == "krutrim" and not (self.tokens.system and self.tokens.user and self.tokens.response):
            raise ValueError("the krutrim prompt format needs tokens.system, tokens.user and tokens.response")
        return self

    @property
    def source(self) -> str:
        """Where the weights come from, as shown in messages."""
        return self.model or f"{self.gguf.file} from the {self.gguf.package} package"  # type: ignore[union-attr]


def profile_names() -> list[str]:
    """Names of the profiles shipped with the library."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile_file(path: str | Path) -> Profile:
    """Read and validate one profile file; errors name the file and the field."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Profile.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"cannot read backend profile {path}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid backend profile {path}: {exc}".replace("\n", " ")) from exc


@cache
def load_profile(name: str) -> Profile:
    """The built-in profile called ``name``; the error lists the profiles that exist."""
    path = PROFILE_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"unknown backend profile {name!r}; available: {', '.join(profile_names())}")
    return load_profile_file(path)


__all__ = ["GenerationDefaults", "GgufSource", "LoadingDefaults", "Profile", "SpecialTokens",
           "load_profile", "load_profile_file", "profile_names"]
