"""Checks that run before any weights load, so a run that cannot work fails in seconds with a
sentence, not a traceback: the device, bitsandbytes, and where the base model is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from agriadvisor.errors import BackendUnavailableError, FinetuneError, MissingExtraError

LARGE_BASE_PARAMS = 3e9  # above this a CPU run would take days: ask for a GPU
_BYTES_PER_PARAM = {"F32": 4, "F16": 2, "BF16": 2, "I8": 1, "U8": 1}


def require_libraries() -> None:
    """transformers, peft and accelerate are the ``finetune`` extra."""
    missing = [m for m in ("transformers", "peft", "accelerate") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(f"fine-tuning needs {', '.join(missing)}: pip install 'agriadvisor[finetune]'")


def resolve_device(requested: str) -> str:
    """``auto`` is ``cuda`` when a GPU is visible, else ``cpu``; an absent GPU asked for is an error."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise FinetuneError(f"--device {requested}: no CUDA GPU is visible on this machine "
                            "(check nvidia-smi and that torch was installed with CUDA support)")
    return requested


def base_folder(base: str) -> Path:
    """The base model's local folder (a path, or a repo id in the Hugging Face cache); never downloads."""
    from agriadvisor.backends.hf_loader import MODEL_PATH_SETTING, resolve_model_folder

    try:
        return resolve_model_folder("finetune", base)
    except BackendUnavailableError as exc:
        message = str(exc).replace("finetune: ", "base model: ", 1)
        raise FinetuneError(message.replace(f"set {MODEL_PATH_SETTING}=", "pass --base ")) from None


def parameter_count(folder: Path) -> int:
    """Parameters in the base's safetensors files, read from their headers (no weights loaded)."""
    import json
    import struct

    total = 0
    for path in folder.glob("*.safetensors"):
        with path.open("rb") as fh:
            size = struct.unpack("<Q", fh.read(8))[0]
            header = json.loads(fh.read(size))
        for name, meta in header.items():
            if name != "__metadata__":
                n = 1
                for dim in meta["shape"]:
                    n *= dim
                total += n
    return total


def check_device_fits(folder: Path, device: str, requested: str) -> None:
    """A 7B base on a CPU picked automatically means no GPU was found: stop and say so."""
    params = parameter_count(folder)
    if device == "cpu" and requested == "auto" and params > LARGE_BASE_PARAMS:
        raise FinetuneError(
            f"no GPU: the base model has {params / 1e9:.1f}B parameters and no CUDA GPU is visible. QLoRA on a 7B "
            "model needs a CUDA GPU with about 16 GB or more (see the README); on a CPU it would take days. "
            "Run on a GPU machine, or pass --device cpu to try anyway.")


def check_bitsandbytes(load_in: str, device: str) -> None:
    """Quantise a small tensor on ``device`` the way the base will be; any failure is a clear error."""
    if load_in not in ("nf4", "8bit"):
        return
    if importlib.util.find_spec("bitsandbytes") is None:
        raise MissingExtraError(f"--load-in {load_in} needs bitsandbytes: pip install 'agriadvisor[finetune]'")
    try:
        import torch
        import bitsandbytes.functional as bnbf

        sample = torch.randn(128, 64, dtype=torch.bfloat16, device=device)
        if load_in == "nf4":
            packed, state = bnbf.quantize_4bit(sample, quant_type="nf4", compress_statistics=True)
            bnbf.dequantize_4bit(packed, state)
        else:
            bnbf.int8_vectorwise_quant(sample.to(torch.float16))
    except Exception as exc:  # noqa: BLE001 - bitsandbytes fails in many ways (missing CUDA libs, old GPU)
        raise FinetuneError(f"bitsandbytes cannot {load_in}-quantise on {device} on this machine "
                            f"({type(exc).__name__}: {exc}). Reinstall bitsandbytes for your CUDA version, or pass "
                            "--load-in bf16 to train a plain LoRA (needs about 4x the GPU memory)") from None


__all__ = ["base_folder", "check_bitsandbytes", "check_device_fits", "parameter_count", "require_libraries",
           "resolve_device"]
