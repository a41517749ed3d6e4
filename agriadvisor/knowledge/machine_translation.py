"""``agriadvisor knowledge translate PATH --to hi,bn``: draft aligned translations through a backend.

Each English sentence is sent on its own, as evidence [1] with the request to translate it, so
any answer backend (a local Indic model, an OpenAI-compatible server such as vLLM) can draft it
through its usual prompt, and the file lines up with the English by construction. Every
finished sentence is appended to a ``.<file>.partial.jsonl`` beside the output, so an
interrupted run resumes where it stopped; the file itself is written once, at the end. A draft
still goes through ``agriadvisor knowledge check`` and a translator's review (knowledge/TRANSLATING.md).

Example:
    >>> from agriadvisor.knowledge.machine_translation import translate_guide  # doctest: +SKIP
    >>> translate_guide("knowledge/india/maize.md", ["hi"], create_backend("openai", settings))  # doctest: +SKIP
    [PosixPath('knowledge/india/maize.hi.md')]
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from agriadvisor.errors import KnowledgeError
from agriadvisor.knowledge.skeleton import read_guide, render_translation
from agriadvisor.knowledge.translations import LANGUAGE_NAMES, LANGUAGE_SCRIPTS, section_digest, translation_path
from agriadvisor.text import split_sentences

if TYPE_CHECKING:
    from agriadvisor.backends.base import Backend
    from agriadvisor.knowledge.schema import Chunk

_MARKERS = re.compile(r"\s*\[\d+\]")
_BREAK = re.compile(r"(?<=[.!?।॥۔])\s+")


def request_for(text: str, language: str, chunk: "Chunk"):  # noqa: ANN201
    """A generation request whose answer is ``text`` in ``language``."""
    from agriadvisor.backends.base import Evidence, GenerationRequest
    from agriadvisor.models import QueryInfo

    name = LANGUAGE_NAMES[language]
    question = (f"Translate evidence [1] into {name} for a farmer, sentence for sentence. Use everyday village "
                f"words. Keep product names, variety codes, numbers and units exactly as written. Add nothing, "
                f"drop nothing, keep every warning as strong. Write only the {name} translation.")
    query = QueryInfo(text=question, normalized=question.lower(), language=language, crop=chunk.crop,
                      country=chunk.country)
    evidence = [Evidence(n=1, chunk=replace(chunk, text=text), similarity=1.0, sentences=[text])]
    return GenerationRequest(question=question, query=query, evidence=evidence, max_sentences=1,
                             max_new_tokens=min(512, 40 + 4 * len(text)))


def one_sentence(text: str) -> str:
    """The model's output as one sentence: markers gone, inner sentence breaks made commas, so that
    the sentence splitter counts exactly one and the file stays aligned."""
    text = " ".join(_MARKERS.sub("", text).split())
    if len(split_sentences(text)) > 1:
        head, last = text[:-1], text[-1:]
        text = _BREAK.sub(", ", head) + last
        text = re.sub(r"[।॥۔.!?],", ",", text)
    return text


class _Progress:
    """Finished pieces of one output file, kept in a JSONL file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.done[row["key"]] = row["text"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by a crash: that piece is translated again
        self._fh = None

    def add(self, key: str, text: str) -> None:
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps({"key": key, "text": text}, ensure_ascii=False) + "\n")
        self._fh.flush()
        self.done[key] = text

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def translate_guide(path: Path | str, languages: Sequence[str], backend: "Backend", *, force: bool = False,
                    progress: bool = False, on_piece: Callable[[], None] | None = None) -> list[Path]:
    """Write ``<guide>.<lang>.md`` for each language; returns the files written.

    Raises:
        KnowledgeError: the guide is invalid, a language code is unknown, or the output exists
            (``force`` overwrites it).
    """
    bad = [lang for lang in languages if lang not in LANGUAGE_SCRIPTS]
    if bad:
        raise KnowledgeError(f"unknown language {', '.join(bad)}; use {', '.join(LANGUAGE_SCRIPTS)}")
    meta, chunks = read_guide(path)
    written = []
    for lang in languages:
        out = translation_path(path, lang)
        if out.exists() and not force:
            raise KnowledgeError(f"{out} exists; pass --force to translate it again")
        state = _Progress(out.with_name(f".{out.name}.partial.jsonl"))
        pieces = [("title", meta.title, chunks[0])]
        for c in chunks:
            sha = section_digest(c.text)
            pieces.append((f"{c.chunk_id}:{sha}:heading", c.section, c))
            pieces += [(f"{c.chunk_id}:{sha}:{i}", s, c) for i, s in enumerate(split_sentences(c.text) or [c.text])]
        todo = [p for p in pieces if p[0] not in state.done]
        bar = _bar(len(pieces), len(pieces) - len(todo), f"{Path(path).name} -> {lang}", progress)
        try:
            for key, text, chunk in todo:
                state.add(key, one_sentence(backend.complete(request_for(text, lang, chunk))) or text)
                bar.update(1)
                if on_piece is not None:
                    on_piece()
        finally:
            bar.close()
            state.close()
        sections = []
        for c in chunks:
            sha = section_digest(c.text)
            n = len(split_sentences(c.text) or [c.text])
            sections.append((state.done[f"{c.chunk_id}:{sha}:heading"], c.section, sha,
                             [state.done[f"{c.chunk_id}:{sha}:{i}"] for i in range(n)]))
        text = render_translation(meta.id, lang, state.done["title"], sections,
                                  notes=f"machine draft by the {backend.name} backend; review before use")
        out.write_text(text, encoding="utf-8")
        state.path.unlink(missing_ok=True)
        written.append(out)
    return written


def _bar(total: int, done: int, label: str, show: bool):  # noqa: ANN202
    from tqdm import tqdm

    return tqdm(total=total, initial=done, desc=label, unit="sentence", disable=not show)
