"""Add a user's documents to an existing index (embedding only the new chunks), list and remove them.

Example:
    >>> for doc in add_documents(settings, "my_notes.md", country="Bangladesh"):  # doctest: +SKIP
    ...     print(doc.status, doc.chunks, doc.crops)
    added 1 ('jute',)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from agriadvisor.config import Settings
from agriadvisor.errors import AgriAdvisorError, InputError
from agriadvisor.index.builder import corpus_identity, open_or_build
from agriadvisor.index.embedder import Embedder
from agriadvisor.index.user_docs import (SUPPORTED, CatalogEntry, UserDocuments, file_digest, read_document,
                                         user_crop)
from agriadvisor.knowledge.schema import Chunk
from agriadvisor.vocab import ALL, CROPS, TOPICS

if TYPE_CHECKING:
    from agriadvisor.index.store import KnowledgeIndex

__all__ = ["AddedDocument", "add_documents", "list_documents", "remove_documents"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddedDocument:
    """What ``index add`` did with one file.

    ``status`` is ``added``, ``replaced`` (the same path with new content) or ``already indexed``
    (the same bytes are in the index already, under ``same_as``)."""

    file: str
    doc_id: str
    chunks: int
    status: Literal["added", "replaced", "already indexed"]
    crops: tuple[str, ...] = ()
    same_as: str = ""


def _files(path: Path) -> list[Path]:
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED) if path.is_dir() else [path]
    if not files:
        raise InputError(f"no {', '.join(SUPPORTED)} files in {path}")
    return files


def add_documents(settings: Settings, path: Path | str, *, country: str | None = None, crop: str | None = None,
                  stage: str | None = None, source: str | None = None) -> list[AddedDocument]:
    """Add one file, or every supported file in a folder; every file is read and checked before any is added."""
    if crop is not None:
        user_crop(crop)  # a bad --crop fails even when every file is already indexed
    store = UserDocuments(settings.index_path)
    known = {e.sha256: e for e in store.catalog() if e.sha256}
    done: list[AddedDocument] = []
    plan: list[tuple[Path, str, list[Chunk]]] = []
    for f in _files(Path(path)):
        digest = file_digest(f) if f.is_file() else ""
        if digest in known:
            same = known[digest]
            done.append(AddedDocument(f.name, same.doc_id, 0, "already indexed", same.crops,
                                      same_as=Path(same.file).name or same.doc_id))
            continue
        chunks = read_document(f, country=country, crop=crop, stage=stage, source=source)
        known[digest] = CatalogEntry(chunks[0].doc_id, str(f), digest, len(chunks))
        plan.append((f, digest, chunks))
    if not plan:
        return done
    embedder = Embedder.from_settings(settings)
    index = open_or_build(settings, embedder)
    describe = _describer(settings, stage_given=stage is not None, crop_given=crop is not None)
    find_crops = _crop_finder(settings)
    for f, digest, chunks in plan:
        doc_id = chunks[0].doc_id
        replaced = store.find(doc_id) is not None
        if replaced:  # the same path, new content: the old chunks go
            index = _without(index, {doc_id})
            store.remove(doc_id)
        chunks = [describe(c) for c in chunks]
        crops = _covered_crops(chunks, find_crops)
        store.save(doc_id, chunks)
        n = index.add(chunks, embedder, document=doc_id)
        store.record(CatalogEntry(doc_id, str(f.resolve()), digest, n, crops, chunks[0].country, time.time()))
        done.append(AddedDocument(f.name, doc_id, n, "replaced" if replaced else "added", crops))
    _save(settings, index, store)
    return done


def list_documents(settings: Settings) -> list[CatalogEntry]:
    """The documents added to this index, oldest first."""
    return UserDocuments(settings.index_path).catalog()


def remove_documents(settings: Settings, names: list[str]) -> list[CatalogEntry]:
    """Remove added documents (by id, file name or path) from the index without re-embedding the rest."""
    store = UserDocuments(settings.index_path)
    entries = []
    for name in names:
        entry = store.find(name)
        if entry is None:
            listed = ", ".join(Path(e.file).name or e.doc_id for e in store.catalog()) or "none"
            raise InputError(f"no added document {name!r} in {settings.index_path}; added documents: {listed}")
        entries.append(entry)
    index = open_or_build(settings, Embedder.from_settings(settings))
    index = _without(index, {e.doc_id for e in entries})
    for e in entries:
        store.remove(e.doc_id)
    _save(settings, index, store)
    return entries


def _save(settings: Settings, index: "KnowledgeIndex", store: UserDocuments) -> None:
    """Record what the index now covers and save it; the manifest goes last, so a running Advisor sees it."""
    index.manifest.corpus_hash = corpus_identity(settings)
    index.manifest.user_coverage = store.coverage()
    index.manifest.user_documents = [n for n in index.manifest.user_documents if n in store.names()]
    index._bm25 = None  # keyword index is rebuilt over the chunks now in the index
    index.save(settings.index_path)


def _without(index: "KnowledgeIndex", doc_ids: set[str]) -> "KnowledgeIndex":
    """The index less the chunks of ``doc_ids``: kept vectors are copied, nothing is re-embedded."""
    import numpy as np

    from agriadvisor.index.store import KnowledgeIndex, _make_faiss

    keep = np.array([i for i, c in enumerate(index.chunks) if c.doc_id not in doc_ids], dtype=np.int64)
    if len(keep) == len(index.chunks):
        return index
    new_pos = np.full(len(index.chunks), -1, dtype=np.int64)
    new_pos[keep] = np.arange(len(keep))
    owned = new_pos[index.sentence_chunk] >= 0
    vectors = index.faiss.reconstruct_n(0, len(index.chunks))[keep]
    manifest = replace(index.manifest, chunks=len(keep), sentences=int(owned.sum()),
                       user_documents=[d for d in index.manifest.user_documents if d not in doc_ids])
    return KnowledgeIndex([index.chunks[i] for i in keep], _make_faiss(vectors), [index.sentences[i] for i in keep],
                          index.sentence_vectors[owned], new_pos[index.sentence_chunk[owned]].astype(np.int32), manifest)


def _describer(settings: Settings, *, stage_given: bool, crop_given: bool) -> Callable[[Chunk], Chunk]:
    """Give a plain user chunk the topics, stage and crop its own words state, read the way questions
    are read, so it gets the same retrieval boosts as a guide on the same subject."""
    from agriadvisor.understanding.query import QueryUnderstanding

    understanding = QueryUnderstanding.from_folder(settings.knowledge_path)

    def describe(chunk: Chunk) -> Chunk:
        if chunk.topics:  # a Markdown document with front matter says it all itself
            return chunk
        info = understanding.run(f"{chunk.section}. {chunk.text[:600]}")
        changes: dict = {"topics": tuple(t for t in info.topics if t in TOPICS)}
        if not stage_given and info.stage and info.stage_from == "question":
            changes["stage"] = info.stage
        named = [c for c in dict.fromkeys(info.crops_mentioned) if c in CROPS]
        if not crop_given and chunk.crop == ALL and len(named) == 1:
            changes["crop"] = named[0]
        return replace(chunk, **changes)

    return describe


def _crop_finder(settings: Settings) -> Callable[[str], list[str]] | None:
    """Names of crops the shipped knowledge base does not cover (jute, mustard ...) found in a text,
    in any of the languages of the guardrails' scope list; None when the policies cannot be read."""
    try:
        from agriadvisor.safety.engine import GuardrailEngine

        engine = GuardrailEngine.from_folder(settings.guardrails_path)
    except (AgriAdvisorError, OSError) as exc:
        log.warning("cannot read the scope list (%s); only --crop marks a new crop as covered", exc)
        return None
    entries = engine.policies.scope.uncovered

    def find(text: str) -> list[str]:
        found = engine.book.find(text)
        names = [found.words(s).lower() for i, e in enumerate(entries) if e.kind != "animal"
                 for s in found.get(f"scope:uncovered:{i}")]
        return list(dict.fromkeys(names))

    return find


def _covered_crops(chunks: list[Chunk], find: Callable[[str], list[str]] | None) -> tuple[str, ...]:
    """The crops a document is about beyond the nine: its ``--crop``, crops named in its title or
    headings, and crops its text names at least twice (a passing 'after mustard' does not count)."""
    crops = {c.crop for c in chunks if c.crop not in CROPS and c.crop != ALL}
    if find is not None:
        crops.update(find(" . ".join(dict.fromkeys([chunks[0].title, *(c.section for c in chunks)]))))
        counts: dict[str, int] = {}
        for c in chunks:
            for name in find(c.text):
                counts[name] = counts.get(name, 0) + max(1, c.text.lower().count(name))
        crops.update(n for n, k in counts.items() if k >= 2)
    return tuple(sorted(crops))
