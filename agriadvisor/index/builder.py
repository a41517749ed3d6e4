"""Open the saved index, or (re)build it when it is missing, stale or damaged."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agriadvisor.errors import CorruptIndexError, IndexStoreError, KnowledgeError, StaleIndexError
from agriadvisor.knowledge.loader import knowledge_fingerprint, load_corpus
from agriadvisor.index.user_docs import UserDocuments

if TYPE_CHECKING:
    from agriadvisor.config import Settings
    from agriadvisor.index.embedder import Embedder
    from agriadvisor.index.store import KnowledgeIndex

log = logging.getLogger(__name__)


def corpus_identity(settings: "Settings") -> str:
    """Digest of the knowledge folder plus the user's added documents."""
    if not Path(settings.knowledge_path).is_dir():
        raise KnowledgeError(f"knowledge folder not found: {settings.knowledge_path} (set AGRIADVISOR_KNOWLEDGE_PATH)")
    return knowledge_fingerprint(settings.knowledge_path) + ":" + UserDocuments(settings.index_path).fingerprint()


def build_index(settings: "Settings", embedder: "Embedder", *, progress: bool = False) -> "KnowledgeIndex":
    """Parse the knowledge folder and the user's documents, embed them all and save the index."""
    from agriadvisor.index.store import KnowledgeIndex

    corpus = load_corpus(settings.knowledge_path)
    user = UserDocuments(settings.index_path)
    chunks = corpus.chunks + user.chunks()
    if corpus.errors:
        log.warning("%d knowledge problems (run 'agriadvisor knowledge check'); those sections are skipped",
                    len(corpus.errors))
    index = KnowledgeIndex.build(chunks, embedder, corpus_hash=corpus_identity(settings), progress=progress,
                                 user_documents=user.names())
    index.manifest.user_coverage = user.coverage()
    try:
        index.save(settings.index_path)
    except OSError as exc:
        log.warning("could not save the index to %s (%s); using it in memory only", settings.index_path, exc)
    return index


def open_or_build(settings: "Settings", embedder: "Embedder", *, progress: bool | None = None) -> "KnowledgeIndex":
    """Load the index if it matches the corpus, model and encoder; otherwise rebuild it, saying why."""
    from agriadvisor.index.store import KnowledgeIndex

    expected = corpus_identity(settings)
    try:
        return KnowledgeIndex.load(settings.index_path, corpus_hash=expected, embedding_model=embedder.model_id,
                                   encoder=embedder.encoder)
    except (StaleIndexError, CorruptIndexError) as exc:
        if (Path(settings.index_path) / "manifest.json").exists():
            log.warning("%s; rebuilding the index", exc)
        else:
            log.warning("no search index yet at %s; building it once (a few minutes on 2 cores)", settings.index_path)
    except IndexStoreError:
        raise
    if progress is None:
        progress = sys.stderr.isatty()
    return build_index(settings, embedder, progress=progress)
