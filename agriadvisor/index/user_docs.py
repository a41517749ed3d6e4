"""A user's own documents (Markdown, text, PDF, CSV of Q&A) added to the index without a rebuild.

Each added file is kept as chunk JSON under ``<index>/user_documents/`` so that a later full
rebuild (new library version, edited knowledge) includes it again. ``catalog.jsonl`` beside
them lists one document a line: the file it came from, a digest of its bytes (the same file
under another name is not added twice) and the crops it covers (a crop the shipped knowledge
base does not, like jute, becomes answerable for this index).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from agriadvisor.errors import InputError, KnowledgeError
from agriadvisor.index.manifest import atomic_write_bytes
from agriadvisor.knowledge.loader import parse_document
from agriadvisor.knowledge.schema import Chunk
from agriadvisor.vocab import ALL, CROPS, STAGES, canonical_country, canonical_crop

SUPPORTED = (".md", ".markdown", ".txt", ".pdf", ".csv")
MAX_BYTES = 50_000_000
WORDS_PER_CHUNK = 180
CATALOG = "catalog.jsonl"
_CROP_NAME = re.compile(r"^[^\W\d_][^\W_]*(?: [^\W\d_][^\W_]*){0,3}$")


@dataclass(frozen=True)
class CatalogEntry:
    """One added document: its index id, the file it came from, a digest of its bytes, what it covers."""

    doc_id: str
    file: str
    sha256: str
    chunks: int
    crops: tuple[str, ...] = ()
    country: str = ALL
    added_at: float = 0.0


class UserDocuments:
    """The folder of added documents inside an index folder."""

    def __init__(self, index_path: Path | str) -> None:
        self.folder = Path(index_path) / "user_documents"

    def files(self) -> list[Path]:
        """The chunk files, one per added document."""
        return sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []

    def names(self) -> list[str]:
        """The ids of the added documents."""
        return [p.stem for p in self.files()]

    def catalog(self) -> list[CatalogEntry]:
        """Every added document, oldest first (documents added before the catalog existed are listed too)."""
        path = self.folder / CATALOG
        rows: dict[str, CatalogEntry] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    data = json.loads(line)
                    rows[data["doc_id"]] = CatalogEntry(**{**data, "crops": tuple(data.get("crops", ()))})
        for name in self.names():
            if name not in rows:
                rows[name] = CatalogEntry(name, "", "", len(json.loads((self.folder / f"{name}.json").read_text("utf-8"))))
        return [r for r in rows.values() if (self.folder / f"{r.doc_id}.json").is_file()]

    def coverage(self) -> dict[str, list[str]]:
        """What the added documents cover beyond the shipped knowledge base: ``{"crops": [...], ...}``."""
        crops = sorted({c for e in self.catalog() for c in e.crops})
        countries = sorted({e.country for e in self.catalog() if e.country != ALL})
        return {"crops": crops, "countries": countries, "documents": [e.doc_id for e in self.catalog()]}

    def find(self, name_or_file: str) -> CatalogEntry | None:
        """The document with this id, file name or path."""
        for e in self.catalog():
            if name_or_file in (e.doc_id, e.file, Path(e.file).name):
                return e
        return None

    def remove(self, doc_id: str) -> None:
        """Forget one added document (its chunks and its catalog line)."""
        (self.folder / f"{doc_id}.json").unlink(missing_ok=True)
        self._write_catalog([e for e in self.catalog() if e.doc_id != doc_id])

    def record(self, entry: CatalogEntry) -> None:
        """Add or replace a document's catalog line."""
        self._write_catalog([e for e in self.catalog() if e.doc_id != entry.doc_id] + [entry])

    def _write_catalog(self, entries: list[CatalogEntry]) -> None:
        lines = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in entries)
        atomic_write_bytes(self.folder / CATALOG, lines.encode("utf-8"))

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for p in self.files():
            h.update(p.name.encode())
            h.update(p.read_bytes())
        return h.hexdigest()[:16]

    def chunks(self) -> list[Chunk]:
        out: list[Chunk] = []
        for p in self.files():
            rows = json.loads(p.read_text(encoding="utf-8"))
            out.extend(Chunk(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()}) for r in rows)
        return out

    def save(self, name: str, chunks: list[Chunk]) -> Path:
        path = self.folder / f"{name}.json"
        atomic_write_bytes(path, json.dumps([asdict(c) for c in chunks], ensure_ascii=False).encode("utf-8"))
        return path


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes: the same document under another name has the same digest."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def user_crop(crop: str) -> str:
    """A crop name for a user document: one of the nine, or a new name such as 'jute'."""
    known = canonical_crop(crop)
    if known:
        return known
    name = " ".join(crop.strip().lower().replace("_", " ").split())
    if not _CROP_NAME.match(name) or len(name) > 40:
        raise InputError(f"crop {crop!r} is not a crop name; use one of {', '.join(CROPS)} or a plain name "
                         "such as 'jute' (letters, up to four words)")
    return name


def _doc_id(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "doc"
    return f"user-{stem}-{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:6]}"


def _windows(text: str) -> list[str]:
    words = text.split()
    return [" ".join(words[i:i + WORDS_PER_CHUNK]) for i in range(0, len(words), WORDS_PER_CHUNK)]


def read_document(path: Path | str, *, country: str | None = None, crop: str | None = None,
                  stage: str | None = None, source: str | None = None) -> list[Chunk]:
    """Cut one user file into chunks; metadata comes from front matter or from the arguments."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path.name}: unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED)}")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path.name}: file is over {MAX_BYTES // 1_000_000} MB")
    if stage is not None and stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    c = canonical_country(country) if country else ALL
    if country and c is None:
        raise InputError(f"unknown country {country!r}")
    k = user_crop(crop) if crop else ALL
    doc_id, title = _doc_id(path), path.stem.replace("_", " ").replace("-", " ")
    base = dict(doc_id=doc_id, title=title, country=c, crop=k, stage=stage or "whole_season", topics=(),
                practice=(), sources=(source or f"User document: {path.name}",), path=str(path))
    if suffix == ".pdf":
        pieces = [(f"page {i}", w) for i, page in enumerate(_pdf_pages(path), 1) for w in _windows(page)]
    elif suffix == ".csv":
        pieces = _qa_rows(path)
    else:
        text = _text(path)
        if suffix in (".md", ".markdown") and text.lstrip().startswith("---"):
            meta, chunks, issues = parse_document(text, path.name)
            if issues:
                raise KnowledgeError(f"{path.name}: " + "; ".join(f"{i.field}: {i.message}" for i in issues[:5]))
            return [Chunk(**{**asdict(ch), "chunk_id": f"{doc_id}#{n}", "doc_id": doc_id, "path": str(path)})
                    for n, ch in enumerate(chunks, 1)]
        pieces = _sections(text)
    chunks = [Chunk(chunk_id=f"{doc_id}#{n}", section=sec, text=body, **base)
              for n, (sec, body) in enumerate(pieces, 1) if len(f"{sec} {body}".strip()) >= 20 and body.strip()]
    if not chunks:
        raise InputError(f"{path.name}: no text found to index")
    return chunks


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError(f"{path.name}: binary file, expected text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _sections(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"^#{1,3}\s+(.+)$", text, flags=re.M)
    out = [("", w) for w in _windows(parts[0])]
    for i in range(1, len(parts), 2):
        out.extend((parts[i].strip(), w) for w in _windows(parts[i + 1]))
    return out


def _pdf_pages(path: Path) -> list[str]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:
        raise InputError("reading PDF needs pypdf: pip install 'agriadvisor[pdf]'") from exc
    try:
        return [p.extract_text() or "" for p in PdfReader(str(path)).pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise InputError(f"{path.name}: not a readable PDF ({exc})") from exc


def _qa_rows(path: Path) -> list[tuple[str, str]]:
    reader = csv.DictReader(io.StringIO(_text(path)))
    cols = {c.lower().strip(): c for c in (reader.fieldnames or [])}
    q = next((cols[c] for c in ("question", "query", "querytext", "q") if c in cols), None)
    a = next((cols[c] for c in ("answer", "ans", "kccans", "a", "response") if c in cols), None)
    if q is None or a is None:
        raise InputError(f"{path.name}: a Q&A CSV needs 'question' and 'answer' columns, found {reader.fieldnames}")
    # The question is the section heading (searched, shown in the citation); the answer is the
    # text, so an answer quotes the answer and never the question back.
    return [(" ".join(row[q].split()), row[a].strip())
            for row in reader if (row.get(q) or "").strip() and (row.get(a) or "").strip()]
