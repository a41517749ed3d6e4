"""Optional cross-encoder reranking of retrieved passages (off unless a local model is set)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from agriadvisor.errors import ConfigError

if TYPE_CHECKING:
    from agriadvisor.retrieval.retriever import ScoredChunk


class CrossEncoderReranker:
    """Re-orders candidates by a cross-encoder's relevance score for (question, passage) pairs.

    The model must be a sentence-transformers ``CrossEncoder`` folder on this machine
    (e.g. a multilingual MiniLM reranker the user saved); nothing is downloaded.

    Example:
        >>> rr = CrossEncoderReranker("/models/ms-marco-MiniLM-L-6-v2")  # doctest: +SKIP
        >>> rr.rerank("when to sow wheat", hits)[0].chunk.stage
        'sowing'
    """

    def __init__(self, model_path: str | os.PathLike[str]) -> None:
        self.path = Path(model_path)
        if not (self.path / "config.json").exists():
            raise ConfigError(f"reranker model folder not found or incomplete (no config.json): {self.path}")
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    from sentence_transformers import CrossEncoder

                    self._model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def rerank(self, question: str, hits: list["ScoredChunk"]) -> list["ScoredChunk"]:
        """Hits sorted by cross-encoder score, best first (their ``score`` becomes that score)."""
        from dataclasses import replace

        if not hits:
            return hits
        scores = self.model.predict([(question, h.chunk.search_text()) for h in hits], show_progress_bar=False)
        ranked = sorted(zip(hits, scores), key=lambda hs: float(hs[1]), reverse=True)
        return [replace(h, score=float(s)) for h, s in ranked]
