"""Find the passages that answer a question.

Filters: country and crop are *hard* filters (a wheat question must never be answered from a
cotton guide, nor a Nepal question from Pakistan's sowing dates); cross-cutting documents
(``all``) always pass. When a hard filter leaves nothing, it is relaxed and a note says so.
Stage and topics are *soft* boosts, because they are inferred from a few words and a wrong
guess must not hide the right passage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from agriadvisor.knowledge.schema import Chunk
from agriadvisor.models import QueryInfo
from agriadvisor.text import name_pattern, tokenize
from agriadvisor.understanding.keywords import TOPIC_CUES

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.index.store import KnowledgeIndex
    from agriadvisor.retrieval.native import NativeKeywords
    from agriadvisor.retrieval.reranker import CrossEncoderReranker

# the kind of a pest or disease ("rust" of yellow rust, "borer" of stem borer), which a heading
# may name ("Diseases: rusts"); not the last word of a practice ("drying" of wetting and drying)
_PEST_AND_DISEASE_WORDS = frozenset(TOPIC_CUES["pests"]) | frozenset(TOPIC_CUES["diseases"])

RRF_K = 60
STAGE_BOOST = 0.25
TOPIC_BOOST = 0.1
COUNTRY_BOOST = 0.3
FOCUS_BOOST = 2.0
SPECIFIC_BOOST = 0.1


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved passage with its index position, cosine similarity and fused score."""

    idx: int
    chunk: Chunk
    similarity: float
    score: float


class HybridRetriever:
    """Dense + BM25 retrieval with metadata filters.

    Example:
        >>> retriever = HybridRetriever(index, candidates=30)  # doctest: +SKIP
        >>> hits = retriever.search([info], qvecs, top_k=4)[0]
    """

    def __init__(self, index: "KnowledgeIndex", *, candidates: int = 30, hybrid: bool = True,
                 reranker: "CrossEncoderReranker | None" = None, rerank_depth: int = 12) -> None:
        if candidates <= 0:
            raise ValueError(f"candidates must be greater than 0, got {candidates}")
        self.index = index
        self.candidates = candidates
        self.hybrid = hybrid
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self._vectors = None
        self._lower: list[str] | None = None
        # keyword search over the translated guides (retrieval/native.py), or a callable giving it
        self.native: "NativeKeywords | Callable[[], NativeKeywords | None] | None" = None

    @property
    def vectors(self) -> "np.ndarray":
        """Chunk vectors, reconstructed from FAISS once, for scoring keyword-only hits."""
        if self._vectors is None or len(self._vectors) != len(self.index):
            self._vectors = self.index.faiss.reconstruct_n(0, len(self.index))
        return self._vectors

    def _mentions(self, i: int, names: list[str]) -> float:
        """How much chunk ``i`` is about a pest/disease/practice asked about: 1 when its heading
        names it, 0.75 when its heading names its kind ("Diseases: rusts" for yellow rust), 0.5 when
        its text mentions it, else 0."""
        if self._lower is None or len(self._lower) != len(self.index):
            self._lower = [(c.section.lower(), c.text.lower()) for c in self.index.chunks]
        head, body = self._lower[i]
        if any(name_pattern(n).search(head) for n in names):
            return 1.0
        kinds = [n.split()[-1] for n in names if " " in n and n.split()[-1] in _PEST_AND_DISEASE_WORDS]
        if any(name_pattern(k).search(head) for k in kinds):
            return 0.75
        return 0.5 if any(name_pattern(n).search(body) for n in names) else 0.0

    def _mask(self, info: QueryInfo):  # noqa: ANN202
        mask = self.index.mask(info.country, info.crop)
        if mask is not None and not mask.any():
            info.notes.append(f"no documents for {info.crop or 'any crop'} in {info.country or 'any country'}; "
                              "searching without the country filter")
            mask = self.index.mask(None, info.crop)
            if mask is not None and not mask.any():
                mask = None
        return mask

    def search(self, infos: list[QueryInfo], qvecs: "np.ndarray", *, top_k: int) -> list[list[ScoredChunk]]:
        """The ``top_k`` passages for each (understood question, query vector) pair."""
        return [self._one(info, qvecs[i:i + 1], top_k) for i, info in enumerate(infos)]

    def _one(self, info: QueryInfo, qvec: "np.ndarray", top_k: int) -> list[ScoredChunk]:
        mask = self._mask(info)
        ids, sims = self.index.dense_search(qvec, self.candidates, mask)
        dense = [(int(i), float(s)) for i, s in zip(ids[0], sims[0]) if i >= 0]
        fused: dict[int, float] = {}
        for rank, (i, _) in enumerate(dense):
            fused[i] = 1.0 / (RRF_K + rank + 1)
        if self.hybrid:
            for rank, (i, _) in enumerate(self.index.keyword_search(tokenize(info.normalized or info.text),
                                                                    self.candidates, mask)):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        native = self.native() if callable(self.native) else self.native
        if native is not None and info.script != "Latin":  # a question in Hindi script meets Hindi words
            for rank, (i, _) in enumerate(native.search(tokenize(info.text), self.candidates, mask)):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        sim = dict(dense)
        top = 1.0 / (RRF_K + 1)
        for i in fused:
            c = self.index.chunks[i]
            if info.stage and c.stage == info.stage:
                fused[i] += STAGE_BOOST * top
            if info.topics and set(info.topics) & set(c.topics):
                fused[i] += TOPIC_BOOST * top
            if info.country and info.crop is None and c.country == info.country:
                fused[i] += COUNTRY_BOOST * top
            # a guide written for this crop, or for this country, beats a cross-cutting one
            if info.crop and c.crop == info.crop:
                fused[i] += SPECIFIC_BOOST * top
            if info.country and c.country == info.country:
                fused[i] += SPECIFIC_BOOST * top
            if info.focus:
                fused[i] += FOCUS_BOOST * top * self._mentions(i, info.focus)
        depth = max(top_k, self.rerank_depth) if self.reranker else top_k
        best = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)[:depth]
        out = []
        for i, score in best:
            s = sim.get(i)
            if s is None:
                s = float(self.vectors[i] @ qvec[0])
            out.append(ScoredChunk(i, self.index.chunks[i], s, score))
        if self.reranker is not None:
            out = self.reranker.rerank(info.normalized or info.text, out)[:top_k]
        return out
