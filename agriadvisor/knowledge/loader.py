"""Read Markdown knowledge documents with YAML front matter and cut them into chunks."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from agriadvisor.errors import KnowledgeError
from agriadvisor.knowledge.schema import Chunk, Corpus, DocumentMeta, KnowledgeIssue, SectionMeta
from agriadvisor.knowledge.translations import is_translation_file

log = logging.getLogger(__name__)

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.M)
_COMMENT = re.compile(r"\A\s*<!--(.*?)-->", re.S)
_BULLET = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")
MAX_FILE_BYTES = 2_000_000


def _issues_from(err: ValidationError, path: str, prefix: str = "") -> list[KnowledgeIssue]:
    out = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(document)"
        out.append(KnowledgeIssue(path, f"{prefix}{where}", e["msg"]))
    return out


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise KnowledgeError(f"{path}: file is {len(raw)} bytes, over the {MAX_FILE_BYTES}-byte limit")
    if b"\x00" in raw:
        raise KnowledgeError(f"{path}: binary file (NUL byte), expected UTF-8 Markdown")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _parse_yaml(text: str, path: str, field: str) -> tuple[dict | None, list[KnowledgeIssue]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [KnowledgeIssue(path, field, f"invalid YAML: {exc}".replace("\n", " "))]
    if not isinstance(data, dict):
        return None, [KnowledgeIssue(path, field, "expected a YAML mapping")]
    return data, []


def parse_document(text: str, path: str = "<string>") -> tuple[DocumentMeta | None, list[Chunk], list[KnowledgeIssue]]:
    """Parse one document's text; return its metadata, chunks and any problems found."""
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        return None, [], [KnowledgeIssue(path, "front matter", "missing '---' YAML front matter at the top")]
    data, issues = _parse_yaml(match.group(1), path, "front matter")
    if data is None:
        return None, [], issues
    try:
        meta = DocumentMeta.model_validate(data)
    except ValidationError as err:
        return None, [], _issues_from(err, path)
    body = text.lstrip("\ufeff")[match.end():]
    chunks, issues = _split_sections(meta, body, path)
    if not chunks and not issues:
        issues.append(KnowledgeIssue(path, "sections", "no '## ' sections found"))
    return meta, chunks, issues


def _split_sections(meta: DocumentMeta, body: str, path: str) -> tuple[list[Chunk], list[KnowledgeIssue]]:
    chunks: list[Chunk] = []
    issues: list[KnowledgeIssue] = []
    heads = list(_HEADING.finditer(body))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        heading = head.group(1).strip()
        content = body[head.end():end]
        where = f"section '{heading}'"
        comment = _COMMENT.match(content)
        if not comment:
            issues.append(KnowledgeIssue(path, where, "missing the <!-- stage/topics --> metadata comment under the heading"))
            continue
        data, problems = _parse_yaml(comment.group(1), path, where)
        if data is None:
            issues.extend(problems)
            continue
        try:
            sec = SectionMeta.model_validate(data)
        except ValidationError as err:
            issues.extend(_issues_from(err, path, prefix=f"{where}."))
            continue
        text = _clean_body(content[comment.end():])
        if len(text) < 40:
            issues.append(KnowledgeIssue(path, where, "section text is empty or under 40 characters"))
            continue
        chunks.append(Chunk(
            chunk_id=f"{meta.id}#{i + 1}", doc_id=meta.id, title=meta.title, section=heading,
            country=meta.country, crop=meta.crop, stage=sec.stage, topics=tuple(sec.topics),
            practice=tuple(dict.fromkeys([*sec.practice, *meta.practice])) if sec.practice else tuple(meta.practice),
            sources=tuple(sec.sources or meta.sources), text=text,
            local_names=tuple(dict.fromkeys([*meta.local_names, *sec.local_names])), path=path,
        ))
    return chunks, issues


def _split_raw_sections(body: str) -> list[tuple[str, str | None, str]]:
    """``(heading, comment text or None, text after the comment)`` per ``##`` section."""
    heads = list(_HEADING.finditer(body))
    out = []
    for i, head in enumerate(heads):
        content = body[head.end():heads[i + 1].start() if i + 1 < len(heads) else len(body)]
        comment = _COMMENT.match(content)
        out.append((head.group(1).strip(), comment.group(1) if comment else None,
                    content[comment.end():] if comment else content))
    return out


def _clean_body(text: str) -> str:
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    lines = [ln.strip() for ln in text.strip().splitlines()]
    paragraphs, current = [], []
    for ln in lines:
        bullet = _BULLET.match(ln)
        if bullet or ln.startswith("#") or not ln:
            if current:  # a list item or sub-heading stands as its own sentence
                paragraphs.append(" ".join(current))
                current = []
        if bullet:
            item = ln[bullet.end():].strip()
            current.append(item if item[-1:] in ".!?:;" else item + ".")
        elif ln.startswith("#"):
            head = ln.lstrip("#").strip()
            paragraphs.append(head if head[-1:] in ".!?:" else head + ":")
        elif ln:
            current.append(ln)
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(paragraphs)


def _not_a_guide(path: Path) -> bool:
    """README.md, TRANSLATING.md (notes for people) and translations (rice.hi.md, aligned at load
    time by knowledge/translations.py, never embedded) are not guides."""
    return path.name.lower() == "readme.md" or path.stem.isupper() or is_translation_file(path)


def load_corpus(root: Path | str) -> Corpus:
    """Load every ``*.md`` under ``root`` (recursively); invalid files are reported, not raised.

    Example:
        >>> corpus = load_corpus("knowledge")  # doctest: +SKIP
        >>> corpus.chunks[0].country in corpus.countries
        True
    """
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError(f"knowledge folder not found: {root}")
    corpus = Corpus(chunks=[])
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*.md")):
        if _not_a_guide(path):
            continue
        rel = str(path.relative_to(root))
        try:
            text = _read_text(path)
        except KnowledgeError as exc:
            corpus.errors.append(KnowledgeIssue(rel, "file", str(exc).split(": ", 1)[-1]))
            continue
        meta, chunks, issues = parse_document(text, rel)
        corpus.errors.extend(issues)
        if meta is None:
            continue
        if meta.id in seen:
            corpus.errors.append(KnowledgeIssue(rel, "id", f"duplicate id {meta.id!r}, also used in {seen[meta.id]}"))
            continue
        seen[meta.id] = rel
        corpus.documents.append(meta)
        corpus.chunks.extend(chunks)
    for issue in corpus.errors:
        log.warning("knowledge: %s", issue)
    return corpus


def knowledge_fingerprint(root: Path | str) -> str:
    """A digest of every Markdown file under ``root`` (names and bytes), to detect a stale index.

    Cheaper than parsing: an index is checked against it on every start.
    """
    root = Path(root)
    h = hashlib.sha256()
    # translations are aligned at load time and never embedded: editing one keeps the index
    for path in sorted(p for p in root.rglob("*.md") if not _not_a_guide(p)):
        h.update(str(path.relative_to(root)).encode("utf-8"))
        h.update(b"\x1f")
        h.update(path.read_bytes())
        h.update(b"\x1e")
    return h.hexdigest()
