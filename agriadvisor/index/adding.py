"""Add a user's documents to an existing index, embedding only the new chunks."""

from __future__ import annotations

from pathlib import Path

from agriadvisor.config import Settings
from agriadvisor.errors import InputError
from agriadvisor.index.builder import corpus_identity, open_or_build
from agriadvisor.index.embedder import Embedder
from agriadvisor.index.user_docs import SUPPORTED, UserDocuments, read_document


def add_documents(settings: Settings, path: Path | str, *, country: str | None = None, crop: str | None = None,
                  stage: str | None = None, source: str | None = None) -> dict[str, int]:
    """Add one file, or every supported file in a folder; returns chunks added per file."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED) if path.is_dir() else [path]
    if not files:
        raise InputError(f"no {', '.join(SUPPORTED)} files in {path}")
    docs = {f: read_document(f, country=country, crop=crop, stage=stage, source=source) for f in files}
    embedder = Embedder(settings.embedding_model or None, device=settings.device)
    index = open_or_build(settings, embedder)
    store = UserDocuments(settings.index_path)
    added: dict[str, int] = {}
    for f, chunks in docs.items():
        store.save(chunks[0].doc_id, chunks)
        added[f.name] = index.add(chunks, embedder, document=chunks[0].doc_id)
    index.manifest.corpus_hash = corpus_identity(settings)
    index._bm25 = None  # keyword index is rebuilt over old + new chunks
    index.save(settings.index_path)
    return added
