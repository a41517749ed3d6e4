"""Write a translation file's frame: the English guide, section by section, one sentence a paragraph.

``agriadvisor knowledge skeleton knowledge/india/rice.md --to hi`` prints it; a translator
replaces each English line with its translation and keeps the headings' comments. The same
writer serves ``agriadvisor knowledge translate``, which fills the lines through a backend.

Example:
    >>> from agriadvisor.knowledge.skeleton import render_translation
    >>> print(render_translation("x", "hi", "Title", [("Soil", "soil", "abcd1234", ["One.", "Two."])]))
    ... # doctest: +NORMALIZE_WHITESPACE
    ---
    translation_of: x
    language: hi
    title: "Title"
    ---
    <BLANKLINE>
    ## Soil
    <!--
    en: "soil"
    sha: "abcd1234"
    -->
    One.
    <BLANKLINE>
    Two.
    <BLANKLINE>
"""

from __future__ import annotations

import json
from pathlib import Path

from agriadvisor.errors import KnowledgeError
from agriadvisor.knowledge.schema import Chunk, DocumentMeta
from agriadvisor.knowledge.translations import LANGUAGE_SCRIPTS, english_sentences, section_digest

Section = tuple[str, str, str, list[str]]  # (heading to show, English heading, sha, sentences)


def read_guide(path: Path | str) -> tuple[DocumentMeta, list[Chunk]]:
    """Parse one English guide; any problem in it is a :class:`KnowledgeError` naming the file."""
    from agriadvisor.knowledge.loader import _read_text, parse_document
    from agriadvisor.knowledge.translations import is_translation_file

    path = Path(path)
    if not path.is_file():
        raise KnowledgeError(f"no such guide: {path}")
    if is_translation_file(path):
        raise KnowledgeError(f"{path} is itself a translation; give the English guide")
    meta, chunks, issues = parse_document(_read_text(path), str(path))
    if meta is None or issues:
        raise KnowledgeError(f"{path}: fix it first ({'; '.join(str(i) for i in issues[:3])})")
    return meta, chunks


def english_sections(chunks: list[Chunk]) -> list[Section]:
    """Each chunk as a section of the frame, in order, with its English sentences."""
    return [(c.section, c.section, section_digest(c.text), english_sentences(c)) for c in chunks]


def render_translation(doc_id: str, language: str, title: str, sections: list[Section], *, notes: str = "") -> str:
    """The text of a translation file: front matter, then each section, one sentence a paragraph."""
    if language not in LANGUAGE_SCRIPTS:
        raise KnowledgeError(f"unknown language {language!r}; use one of {', '.join(LANGUAGE_SCRIPTS)}")
    lines = ["---", f"translation_of: {doc_id}", f"language: {language}", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if notes:
        lines.append(f"notes: {json.dumps(notes, ensure_ascii=False)}")
    lines += ["---", ""]
    for heading, en_heading, sha, sentences in sections:
        lines += [f"## {heading}", "<!--", f"en: {json.dumps(en_heading, ensure_ascii=False)}", f'sha: "{sha}"', "-->"]
        for s in sentences:
            lines += [" ".join(s.split()), ""]
    return "\n".join(lines)


def skeleton(path: Path | str, language: str) -> str:
    """The frame of ``path``'s translation into ``language``, with the English still in place."""
    meta, chunks = read_guide(path)
    return render_translation(meta.id, language, meta.title, english_sections(chunks))
