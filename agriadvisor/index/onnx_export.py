"""ONNX Runtime copies of a sentence-transformers model, exported once into a local cache.

sentence-transformers runs a model on ONNX Runtime (``backend="onnx"``), 3-5x faster than
PyTorch for one short question on a small CPU. The bundled MiniLM ships PyTorch weights only,
so on first use the model is exported (optimum, offline, about 10 s) into
``<model cache>/onnx/<model>-<digest>-<variant>/``. ``auto`` uses that fp32 export. Asked for
``onnx-int8``, and where the CPU has int8 dot-product instructions (AVX-512 VNNI, AVX-512, AVX2,
ARM64), a dynamically quantised copy is made too (``export_dynamic_quantized_onnx_model``) and
kept only if it retrieves the same passages as the fp32 export on a probe set. A folder that
cannot be exported, or a machine without ONNX Runtime, falls back to PyTorch.

Example:
    >>> variant = choose_variant(model_path, "model-id", request="onnx-int8", cache_dir=cache)  # doctest: +SKIP
    >>> variant.name
    'onnx-qint8_avx512_vnni'
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import platform
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from agriadvisor.errors import ConfigError, EmbeddingModelError, MissingExtraError

log = logging.getLogger(__name__)

ENCODERS = ("auto", "onnx-int8", "onnx", "torch")
RECORD = "agriadvisor-export.json"
_FP32_FILE = "onnx/model.onnx"

# A quantised copy must score these (question, passage) pairs like fp32 does, rank first the
# passage fp32 clearly ranks first, and keep every vector close; a CPU whose int8 kernels
# misbehave then falls back to fp32.
PROBE_QUESTIONS = (
    "When should I sow wheat in the Terai?",
    "Young paddy tillers are drying from the centre, what do I do?",
    "pink bollworm in my cotton, rosette flowers",
    "how much water does sugarcane need in summer",
    "maize leaves have holes and sawdust, fall armyworm?",
    "how to store sorghum grain safely after harvest",
    "which soybean variety for rainfed fields",
    "can barley grow on salty land",
)
PROBE_PASSAGES = (
    "Sow wheat in the plains from early to mid November; late sowing lowers yield.",
    "Stem borer larvae bore into rice tillers and the central shoot dries, called dead heart.",
    "Pink bollworm larvae feed inside cotton flowers, which stay closed like a rosette.",
    "Sugarcane needs irrigation every 7 to 10 days in the hot dry months.",
    "Fall armyworm larvae eat maize whorl leaves and leave moist sawdust-like frass.",
    "Dry sorghum grain below 12 percent moisture before storing it in clean, airtight bins.",
    "Choose a soybean variety suited to your rainfall and sowing window.",
    "Barley tolerates saline soils better than wheat.",
)
MIN_COSINE = 0.95
MIN_MEAN_COSINE = 0.98
MAX_SCORE_SHIFT = 0.05
CLEAR_MARGIN = 0.05


@dataclass(frozen=True)
class EncoderVariant:
    """How the embedding model runs: ``runtime`` (onnx or torch), ``precision`` and where from."""

    runtime: str
    precision: str
    folder: Path
    file_name: str | None = None

    @property
    def name(self) -> str:
        """Recorded in the index manifest, e.g. ``onnx-qint8_avx512_vnni`` or ``torch-fp32``."""
        return f"{self.runtime}-{self.precision}"


def int8_config(flags: set[str] | None = None, machine: str | None = None) -> str | None:
    """The dynamic-quantisation config for this CPU (an ``AutoQuantizationConfig`` name), or None."""
    machine = (machine or platform.machine()).lower()
    if machine in ("arm64", "aarch64"):
        return "arm64"
    if machine not in ("x86_64", "amd64"):
        return None
    flags = _cpu_flags() if flags is None else flags
    for flag, config in (("avx512_vnni", "avx512_vnni"), ("avx512f", "avx512"), ("avx2", "avx2")):
        if flag in flags:
            return config
    return None


def _cpu_flags() -> set[str]:
    """Instruction-set flags of this CPU (Linux); empty where they cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags") and ":" in line:
            return set(line.split(":", 1)[1].split())
    return set()


def onnx_runtime_available() -> bool:
    """Whether the ``onnx`` extra of sentence-transformers (optimum + onnxruntime) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "optimum", "onnx"))


def choose_variant(model_path: Path, model_id: str, *, request: str = "auto", cache_dir: Path,
                   device: str = "cpu") -> EncoderVariant:
    """Resolve ``request`` (one of :data:`ENCODERS`) to a variant, exporting it on first use."""
    if request not in ENCODERS:
        raise ConfigError(f"unknown encoder {request!r}; choose one of {', '.join(ENCODERS)}")
    torch = EncoderVariant("torch", "fp32", model_path)
    if request == "torch" or (request == "auto" and device != "cpu"):
        return torch
    if not onnx_runtime_available():
        if request != "auto":
            raise MissingExtraError("the ONNX encoder needs optimum and onnxruntime: "
                                    "pip install 'sentence-transformers[onnx]'")
        log.info("ONNX Runtime is not installed; encoding with PyTorch")
        return torch
    # auto stays on fp32: on the held-out sets int8 moved fact recall or MRR by 0.02 (one question
    # of 50 each way), more than the 0.005 allowed (benchmarks/bench_encoder.py); ask for it by name
    config = int8_config() if request == "onnx-int8" else None
    if request == "onnx-int8" and config is None:
        raise ConfigError(f"no int8 kernels for this CPU ({platform.machine()}); use encoder 'onnx' or 'auto'")
    stem = Path(cache_dir) / "onnx" / f"{model_path.name}-{_digest(model_path, model_id)}"
    folder = stem.with_name(f"{stem.name}-{config or 'fp32'}")
    if config is None:  # an int8 export holds the fp32 model too
        folder = next((f.parent for f in sorted(stem.parent.glob(f"{stem.name}-*/{RECORD}"))), folder)
    try:
        record = _ensure_export(model_path, folder, config)
    except Exception as exc:  # optimum's exporter raises many kinds of errors for unsupported models
        if request != "auto":
            raise EmbeddingModelError(f"could not export {model_path} to ONNX: {exc}") from exc
        log.warning("could not export %s to ONNX (%s); encoding with PyTorch", model_path, exc)
        return torch
    int8 = record.get("int8") or {}
    if config and int8.get("accepted"):
        return EncoderVariant("onnx", f"qint8_{config}", folder, f"onnx/model_qint8_{config}.onnx")
    if request == "onnx-int8":
        raise EmbeddingModelError(f"the int8 export of {model_path} does not retrieve like fp32 ({int8}); "
                                  "use encoder 'onnx' or 'auto'")
    return EncoderVariant("onnx", "fp32", folder, _FP32_FILE)


def _digest(model_path: Path, model_id: str) -> str:
    """Names the export after the model's configs and the size and time of its weights."""
    h = hashlib.sha256(model_id.encode())
    for name in ("model.safetensors", "pytorch_model.bin"):
        f = model_path / name
        if f.exists():
            st = f.stat()
            h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:10]


def _ensure_export(model_path: Path, folder: Path, config: str | None) -> dict:
    """Export into ``folder`` unless it is already there; returns the export record."""
    if (folder / RECORD).exists():
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    folder.parent.mkdir(parents=True, exist_ok=True)
    log.warning("exporting %s to ONNX once (%s) into %s", model_path.name, config or "fp32", folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        record = _export(model_path, tmp, config)
        (tmp / RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
        try:
            os.replace(tmp, folder)  # another process may have finished first: keep its copy
        except OSError:
            if not (folder / RECORD).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return json.loads((folder / RECORD).read_text(encoding="utf-8"))


def _export(model_path: Path, out: Path, config: str | None) -> dict:
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    with _quiet():
        model = SentenceTransformer(str(model_path), backend="onnx", device="cpu", local_files_only=True)
        model.save_pretrained(str(out))
        record: dict = {"source": str(model_path), "fp32": _FP32_FILE}
        if config:
            export_dynamic_quantized_onnx_model(model, config, str(out))
            int8 = SentenceTransformer(str(out), backend="onnx", device="cpu", local_files_only=True,
                                       model_kwargs={"file_name": f"onnx/model_qint8_{config}.onnx"})
            record["int8"] = {"config": config, **agreement(model, int8)}
            if not record["int8"]["accepted"]:
                log.warning("int8 export of %s disagrees with fp32 (%s); using fp32", model_path.name, record["int8"])
    return record


def agreement(reference, candidate) -> dict:  # noqa: ANN001 - two SentenceTransformer models
    """Compare two encoders on the probe set: vector cosines, question-passage scores, top passages."""
    import numpy as np

    texts = list(PROBE_QUESTIONS) + list(PROBE_PASSAGES)
    a = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    b = candidate.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    cos = (a * b).sum(axis=1)
    nq = len(PROBE_QUESTIONS)
    sa, sb = a[:nq] @ a[nq:].T, b[:nq] @ b[nq:].T
    top2 = np.sort(sa, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) >= CLEAR_MARGIN
    same_top = bool((sa.argmax(1) == sb.argmax(1))[clear].all())
    shift = float(np.abs(sa - sb).max())
    accepted = bool(cos.min() >= MIN_COSINE and cos.mean() >= MIN_MEAN_COSINE and shift <= MAX_SCORE_SHIFT
                    and same_top)
    return {"min_cosine": round(float(cos.min()), 4), "mean_cosine": round(float(cos.mean()), 4),
            "max_score_shift": round(shift, 4), "same_top_passage": same_top, "accepted": accepted}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's tracer warnings and 'saving is recommended' notes mean nothing to a user."""
    names = ("sentence_transformers", "optimum", "transformers", "onnxruntime")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
