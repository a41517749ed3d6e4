"""The search index: chunk vectors in FAISS, sentence vectors for extraction, BM25 beside them.

Files in the index folder (each written atomically, the manifest last, with a digest of each
file so a truncated or edited file is caught):

- ``manifest.json``   what built it (see :class:`IndexManifest`)
- ``chunks.json``     chunk metadata, text and sentences
- ``vectors.faiss``   chunk embeddings (inner product on unit vectors = cosine)
- ``sentences.npy``   sentence embeddings, ``sentence_chunk.npy`` the chunk of each
- ``bm25/``           keyword index
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from agriadvisor import __version__
from agriadvisor.errors import CorruptIndexError, IndexStoreError, StaleIndexError
from agriadvisor.index.manifest import IndexManifest, atomic_write_bytes, file_digest
from agriadvisor.knowledge.schema import Chunk, Corpus
from agriadvisor.text import split_sentences, tokenize

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.index.embedder import Embedder

log = logging.getLogger(__name__)

HNSW_THRESHOLD = 200_000
_DATA_FILES = ("chunks.json", "vectors.faiss", "sentences.npy", "sentence_chunk.npy")


def _quiet_bm25():  # noqa: ANN202
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _make_faiss(vectors: "np.ndarray", *, hnsw_threshold: int = HNSW_THRESHOLD):
    import faiss

    dim = vectors.shape[1]
    if len(vectors) >= hnsw_threshold:
        # Graph search: ~10x faster than exhaustive at this size, recall@10 ~0.98 with efSearch=128.
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(vectors)
    return index


class KnowledgeIndex:
    """Dense + keyword index over chunks, with sentence vectors for the extractive answerer."""

    def __init__(self, chunks: list[Chunk], faiss_index, sentences: list[list[str]],
                 sentence_vectors: "np.ndarray", sentence_chunk: "np.ndarray", manifest: IndexManifest) -> None:
        import numpy as np

        self.chunks = chunks
        self.faiss = faiss_index
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self.sentence_chunk = sentence_chunk
        self.manifest = manifest
        starts = np.zeros(len(chunks) + 1, dtype=np.int64)
        np.add.at(starts, sentence_chunk + 1, 1)
        self.sentence_start = np.cumsum(starts)
        self._bm25 = None
        self._masks: dict[tuple[str | None, str | None], "np.ndarray"] = {}
        self._country = np.array([c.country for c in chunks], dtype=object)
        self._crop = np.array([c.crop for c in chunks], dtype=object)
        covered = Corpus(chunks=chunks)
        self.countries: list[str] = covered.countries  # what the index covers, in vocabulary order
        self._shipped_crops: list[str] = covered.crops
        self._other_crops = {str(c) for c in set(self._crop)} - set(covered.crops) - {"all"}

    @property
    def crops(self) -> list[str]:
        """The crops the index covers: the knowledge base's, in vocabulary order, then those only
        the user's added documents cover (recorded in the manifest by ``index add``)."""
        extra = self._other_crops | set(self.manifest.user_coverage.get("crops", ()))
        return self._shipped_crops + sorted(extra - set(self._shipped_crops))

    def __len__(self) -> int:
        return len(self.chunks)

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: Sequence[Chunk], embedder: "Embedder", *, corpus_hash: str,
              progress: bool = False, user_documents: Sequence[str] = (),
              hnsw_threshold: int = HNSW_THRESHOLD) -> "KnowledgeIndex":
        """Embed every chunk and sentence; returns an index ready to search (not yet saved)."""
        import numpy as np

        chunks = list(chunks)
        if not chunks:
            raise IndexStoreError("cannot build an index from an empty corpus: no valid knowledge chunks were found")
        log.info("embedding %d chunks with %s (%s)", len(chunks), embedder.model_id, embedder.encoder)
        vectors = embedder.encode([c.search_text() for c in chunks], progress=progress)
        sentences = [split_sentences(c.text) or [c.text] for c in chunks]
        flat = [s for group in sentences for s in group]
        owner = np.repeat(np.arange(len(chunks), dtype=np.int32), [len(g) for g in sentences])
        log.info("embedding %d sentences", len(flat))
        svecs = embedder.encode(flat, progress=progress)
        manifest = IndexManifest(
            corpus_hash=corpus_hash, embedding_model=embedder.model_id, dimension=int(vectors.shape[1]),
            library_version=__version__, encoder=embedder.encoder,
            index_type="hnsw" if len(chunks) >= hnsw_threshold else "flat",
            chunks=len(chunks), sentences=len(flat), user_documents=list(user_documents),
        )
        index = cls(chunks, _make_faiss(vectors, hnsw_threshold=hnsw_threshold), sentences, svecs, owner, manifest)
        index._chunk_vectors = vectors
        return index

    def add(self, chunks: Sequence[Chunk], embedder: "Embedder", *, document: str = "", progress: bool = False) -> int:
        """Append chunks (a user's own documents) without re-embedding the rest; returns how many."""
        import numpy as np

        new = [c for c in chunks if c.chunk_id not in {k.chunk_id for k in self.chunks}]
        if not new:
            return 0
        vectors = embedder.encode([c.search_text() for c in new], progress=progress)
        sentences = [split_sentences(c.text) or [c.text] for c in new]
        flat = [s for group in sentences for s in group]
        owner = np.repeat(np.arange(len(self.chunks), len(self.chunks) + len(new), dtype=np.int32),
                          [len(g) for g in sentences])
        svecs = embedder.encode(flat, progress=progress)
        self.faiss.add(vectors)
        updated = KnowledgeIndex(
            self.chunks + new, self.faiss, self.sentences + sentences,
            np.vstack([self.sentence_vectors, svecs]), np.concatenate([self.sentence_chunk, owner]), self.manifest,
        )
        self.__dict__.update(updated.__dict__)
        self.manifest.chunks = len(self.chunks)
        self.manifest.sentences = len(self.sentence_chunk)
        if document and document not in self.manifest.user_documents:
            self.manifest.user_documents.append(document)
        return len(new)

    # ---- persistence ----------------------------------------------------------------------
    def save(self, folder: Path | str) -> None:
        """Write all files atomically; the manifest (with file digests) goes last."""
        import faiss
        import numpy as np

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [asdict(c) | {"sentences": s} for c, s in zip(self.chunks, self.sentences)]
        atomic_write_bytes(folder / "chunks.json", json.dumps(rows, ensure_ascii=False).encode("utf-8"))
        atomic_write_bytes(folder / "vectors.faiss", faiss.serialize_index(self.faiss).tobytes())
        for name, arr in (("sentences.npy", self.sentence_vectors), ("sentence_chunk.npy", self.sentence_chunk)):
            with tempfile.TemporaryFile() as fh:
                np.save(fh, arr)
                fh.seek(0)
                atomic_write_bytes(folder / name, fh.read())
        self._save_bm25(folder)
        self.manifest.files = {name: file_digest(folder / name) for name in _DATA_FILES}
        self.manifest.write(folder)

    def _save_bm25(self, folder: Path) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".bm25.", dir=folder))
        try:
            self.bm25.save(str(tmp))
            target = folder / "bm25"
            old = folder / ".bm25.old"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path | str, *, corpus_hash: str | None = None, embedding_model: str | None = None,
             encoder: str | None = None) -> "KnowledgeIndex":
        """Open a saved index; raise :class:`StaleIndexError` or :class:`CorruptIndexError` if unusable.

        With ``corpus_hash`` and ``embedding_model`` given the index must match them, and
        ``encoder`` (e.g. ``onnx-qint8_avx512_vnni``) too when given."""
        import faiss
        import numpy as np

        folder = Path(folder)
        if not (folder / "manifest.json").exists():
            raise StaleIndexError(f"no index at {folder}")
        manifest = IndexManifest.read(folder)
        if corpus_hash is not None and embedding_model is not None:
            why = manifest.mismatch(corpus_hash=corpus_hash, embedding_model=embedding_model,
                                    library_version=__version__, encoder=encoder)
            if why:
                raise StaleIndexError(f"index at {folder} is stale: {why}")
        for name, digest in manifest.files.items():
            path = folder / name
            if not path.exists() or file_digest(path) != digest:
                raise CorruptIndexError(f"index file {path} is missing or damaged")
        try:
            rows = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
            sentences = [r.pop("sentences") for r in rows]
            chunks = [Chunk(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()}) for r in rows]
            fidx = faiss.deserialize_index(np.fromfile(folder / "vectors.faiss", dtype=np.uint8))
            svecs = np.load(folder / "sentences.npy")
            owner = np.load(folder / "sentence_chunk.npy")
        except Exception as exc:  # json, numpy and faiss each raise their own types
            raise CorruptIndexError(f"index at {folder} could not be read: {exc}") from exc
        if fidx.ntotal != len(chunks) or len(owner) != len(svecs) or fidx.d != manifest.dimension:
            raise CorruptIndexError(f"index at {folder} is inconsistent: {fidx.ntotal} vectors for {len(chunks)} chunks")
        index = cls(chunks, fidx, sentences, svecs, owner, manifest)
        bm25_dir = folder / "bm25"
        if bm25_dir.is_dir():
            try:
                index._bm25 = _quiet_bm25().BM25.load(str(bm25_dir))
            except Exception as exc:  # rebuilt from the chunks below
                log.warning("keyword index at %s unreadable (%s); rebuilding it in memory", bm25_dir, exc)
        return index

    # ---- search ---------------------------------------------------------------------------
    @property
    def bm25(self):  # noqa: ANN201
        if self._bm25 is None:
            bm = _quiet_bm25().BM25()
            bm.index([tokenize(c.search_text()) or ["_"] for c in self.chunks], show_progress=False)
            self._bm25 = bm
        return self._bm25

    def mask(self, country: str | None, crop: str | None) -> "np.ndarray | None":
        """Boolean mask of chunks allowed by hard filters (``all`` documents always pass)."""
        if country is None and crop is None:
            return None
        key = (country, crop)
        if key not in self._masks:
            import numpy as np

            m = np.ones(len(self.chunks), dtype=bool)
            if country:
                m &= (self._country == country) | (self._country == "all")
            if crop:
                m &= (self._crop == crop) | (self._crop == "all")
            self._masks[key] = m
        return self._masks[key]

    def dense_search(self, qvecs: "np.ndarray", k: int, mask: "np.ndarray | None" = None) -> tuple["np.ndarray", "np.ndarray"]:
        """Top-``k`` chunk ids and cosine scores for each query vector, within ``mask``."""
        import faiss
        import numpy as np

        k = min(k, len(self.chunks))
        if mask is None:
            return self.faiss.search(qvecs, k)[::-1]
        ids = np.flatnonzero(mask).astype(np.int64)
        if len(ids) == 0:
            return (np.full((len(qvecs), k), -1, dtype=np.int64), np.zeros((len(qvecs), k), dtype=np.float32))
        params_cls = faiss.SearchParametersHNSW if isinstance(self.faiss, faiss.IndexHNSWFlat) else faiss.SearchParameters
        params = params_cls(sel=faiss.IDSelectorBatch(ids))
        scores, found = self.faiss.search(qvecs, min(k, len(ids)), params=params)
        return found, scores

    def keyword_search(self, tokens: list[str], k: int, mask: "np.ndarray | None" = None) -> list[tuple[int, float]]:
        """Top-``k`` (chunk id, BM25 score) for one tokenised query; empty if no token matches."""
        import numpy as np

        if not tokens:
            return []
        vocab = getattr(self.bm25, "vocab_dict", None)
        if vocab is not None:
            tokens = [t for t in tokens if t in vocab]
            if not tokens:
                return []
        k = min(k, len(self.chunks))
        weight = None if mask is None else mask.astype(np.float32)
        docs, scores = self.bm25.retrieve([tokens], k=k, show_progress=False, weight_mask=weight, n_threads=0)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def chunk_sentences(self, i: int) -> tuple[list[str], "np.ndarray"]:
        """Sentences of chunk ``i`` and their vectors."""
        a, b = self.sentence_start[i], self.sentence_start[i + 1]
        return self.sentences[i], self.sentence_vectors[a:b]
