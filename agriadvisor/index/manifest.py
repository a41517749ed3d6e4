"""The manifest saved beside an index: what built it, so a mismatch is caught before use."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agriadvisor.errors import CorruptIndexError

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


@dataclass
class IndexManifest:
    """Identity of an index: corpus, embedding model, dimension, library and format versions."""

    corpus_hash: str
    embedding_model: str
    dimension: int
    library_version: str
    encoder: str = ""
    index_type: str = "flat"
    chunks: int = 0
    sentences: int = 0
    user_documents: list[str] = field(default_factory=list)
    # what added documents cover beyond the knowledge base: {"crops": ["jute"], ...} (index add)
    user_coverage: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def mismatch(self, *, corpus_hash: str, embedding_model: str, library_version: str,
                 encoder: str | None = None) -> str | None:
        """Why this index cannot serve the given corpus and model, or ``None`` if it can.

        Question vectors must come from the encoder that made the document vectors: an int8
        and an fp32 copy of one model give vectors a little apart, so a change of ``encoder``
        (runtime and precision) makes the index stale too."""
        if self.format_version != FORMAT_VERSION:
            return f"index format {self.format_version} != {FORMAT_VERSION}"
        if self.embedding_model != embedding_model:
            return f"built with embedding model {self.embedding_model}, now {embedding_model}"
        if encoder is not None and self.encoder != encoder:
            return (f"its vectors were made by encoder {self.encoder or 'unrecorded'}, "
                    f"questions would be encoded by {encoder}")
        if self.corpus_hash != corpus_hash:
            return "the knowledge documents changed since it was built"
        if self.library_version != library_version:
            return f"built by agriadvisor {self.library_version}, now {library_version}"
        return None

    @classmethod
    def read(cls, folder: Path) -> "IndexManifest":
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise CorruptIndexError(f"unreadable index manifest {path}: {exc}") from exc

    def write(self, folder: Path) -> None:
        atomic_write_bytes(folder / MANIFEST, json.dumps(asdict(self), indent=2).encode("utf-8"))


def file_digest(path: Path) -> str:
    """blake2b of a file, to notice truncated or altered index files."""
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
