"""Sentence-aligned translations of the knowledge guides (``rice.hi.md`` beside ``rice.md``).

A translation file has the English guide's sections in the same order; each section carries
``en:`` (the English heading) in its comment, and, counted by the same sentence splitter
as the English, the same number of sentences and list items. Sentence i of a translated
section is the translation of sentence i of the English section. A section that does not line
up (count, heading, an English text changed since it was translated) or fails a script or number
check is reported and never paired: answers from it stay in English.

Example:
    >>> from agriadvisor.knowledge.translations import translation_path
    >>> translation_path("knowledge/india/rice.md", "hi").name
    'rice.hi.md'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agriadvisor.knowledge.schema import KnowledgeIssue
from agriadvisor.text import split_sentences

if TYPE_CHECKING:
    from agriadvisor.knowledge.schema import Chunk

# language code -> the script its sentences are written in
LANGUAGE_SCRIPTS: dict[str, str] = {"hi": "Devanagari", "bn": "Bengali", "ur": "Arabic", "ne": "Devanagari",
                                    "si": "Sinhala", "ta": "Tamil"}
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "hi": "Hindi", "bn": "Bengali", "ur": "Urdu", "ne": "Nepali",
                                  "si": "Sinhala", "ta": "Tamil"}
_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")

Language = Literal["hi", "bn", "ur", "ne", "si", "ta"]


def translation_language(path: Path | str) -> str | None:
    """The language code of a translation file name (``rice.bn.md`` -> ``bn``), else None."""
    m = _SUFFIX.match(Path(path).name)
    return m.group("lang") if m and m.group("lang") in LANGUAGE_SCRIPTS else None


def translation_path(english: Path | str, language: str) -> Path:
    """Where the ``language`` translation of an English guide lives."""
    p = Path(english)
    return p.with_name(f"{p.stem}.{language}.md")


def english_path(translation: Path | str) -> Path:
    """The English guide a translation file belongs to."""
    p = Path(translation)
    m = _SUFFIX.match(p.name)
    if not m:
        raise ValueError(f"{p.name} is not named like a translation (<guide>.<lang>.md)")
    return p.with_name(f"{m.group('stem')}.md")


def section_digest(english_text: str) -> str:
    """Eight hex digits of an English section's text: a translation records it to notice edits."""
    return hashlib.sha256(english_text.encode("utf-8")).hexdigest()[:8]


def english_sentences(chunk: "Chunk") -> list[str]:
    """The sentences of an English chunk exactly as the index and the answerer see them."""
    return split_sentences(chunk.text) or [chunk.text]


class TranslationMeta(BaseModel):
    """Front matter of a translation file."""

    model_config = ConfigDict(extra="forbid")

    translation_of: str = Field(description="id of the English guide")
    language: Language
    title: str = Field(min_length=2)
    notes: str = ""


class TranslatedSectionMeta(BaseModel):
    """The comment under a translated ``##`` heading."""

    model_config = ConfigDict(extra="forbid")

    en: str = Field(min_length=1, description="the English section heading, as written in the guide")
    sha: str | None = Field(default=None, description="section_digest() of the English text translated")


@dataclass(frozen=True)
class TranslatedSection:
    """One aligned section: ``sentences[i]`` translates English sentence i of ``chunk_id``."""

    chunk_id: str
    language: str
    heading: str
    sentences: tuple[str, ...]


@dataclass
class Translations:
    """Every aligned section found, by (chunk id, language), and the problems found."""

    sections: dict[tuple[str, str], TranslatedSection] = field(default_factory=dict)
    titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (doc id, language) -> title
    errors: list[KnowledgeIssue] = field(default_factory=list)
    warnings: list[KnowledgeIssue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def get(self, chunk_id: str, language: str) -> TranslatedSection | None:
        return self.sections.get((chunk_id, language))

    def sentence(self, chunk_id: str, language: str, position: int) -> str | None:
        """Translation of English sentence ``position`` of a chunk, or None."""
        sec = self.sections.get((chunk_id, language))
        if sec is None or not 0 <= position < len(sec.sentences):
            return None
        return sec.sentences[position]

    @property
    def languages(self) -> list[str]:
        return [lang for lang in LANGUAGE_SCRIPTS if any(k[1] == lang for k in self.sections)]

    def __len__(self) -> int:
        return len(self.sections)


def is_translation_file(path: Path | str) -> bool:
    return translation_language(path) is not None


def iter_translation_files(root: Path | str) -> Iterable[Path]:
    return (p for p in sorted(Path(root).rglob("*.md")) if is_translation_file(p))


def load_translations(root: Path | str, chunks: Iterable["Chunk"], *, check_text: bool = True,
                      warnings: bool = True) -> Translations:
    """Read every ``*.<lang>.md`` under ``root`` and align it with the English ``chunks``.

    ``check_text`` also runs the script and number checks (errors) and the glossary name check
    (warnings). Only a section without any error is paired; the others are listed in ``errors``.
    """
    from agriadvisor.knowledge.translation_checks import TextChecker

    root = Path(root)
    by_doc: dict[str, list["Chunk"]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    out = Translations()
    checker = TextChecker.from_folder(root, glossary=warnings) if check_text else None
    for path in iter_translation_files(root):
        rel = str(path.relative_to(root))
        out.files.append(rel)
        _load_file(path, rel, by_doc, out, checker)
    return out


def _load_file(path: Path, rel: str, by_doc: dict[str, list["Chunk"]], out: Translations, checker) -> None:  # noqa: ANN001
    from agriadvisor.knowledge.loader import _FRONT, _parse_yaml, _read_text, _split_raw_sections
    from agriadvisor.errors import KnowledgeError

    try:
        text = _read_text(path)
    except KnowledgeError as exc:
        out.errors.append(KnowledgeIssue(rel, "file", str(exc).split(": ", 1)[-1]))
        return
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        out.errors.append(KnowledgeIssue(rel, "front matter", "missing '---' YAML front matter at the top"))
        return
    data, issues = _parse_yaml(match.group(1), rel, "front matter")
    if data is None:
        out.errors.extend(issues)
        return
    try:
        meta = TranslationMeta.model_validate(data)
    except ValidationError as err:
        out.errors.extend(_validation_issues(err, rel, "front matter"))
        return
    lang = translation_language(path)
    if meta.language != lang:
        out.errors.append(KnowledgeIssue(rel, "language", f"front matter says {meta.language!r} but the file name says {lang!r}"))
        return
    english = by_doc.get(meta.translation_of)
    if not english:
        out.errors.append(KnowledgeIssue(rel, "translation_of", f"no English guide with id {meta.translation_of!r}"))
        return
    if Path(english[0].path).name != english_path(path).name:
        out.errors.append(KnowledgeIssue(rel, "translation_of", f"{meta.translation_of!r} is {english[0].path}; "
                                         f"name the file {Path(english[0].path).stem}.{lang}.md beside it"))
        return
    out.titles[(meta.translation_of, lang)] = meta.title
    body = text.lstrip("\ufeff")[match.end():]
    raw = _split_raw_sections(body)
    en_by_number = {int(c.chunk_id.rsplit("#", 1)[1]): c for c in english}
    if len(raw) != max(en_by_number):
        out.errors.append(KnowledgeIssue(rel, "sections", f"{len(raw)} '## ' sections, the English guide has "
                                         f"{max(en_by_number)}; keep every section, in the same order"))
    for number, (heading, comment, content) in enumerate(raw, 1):
        en = en_by_number.get(number)
        if en is None:
            continue
        where = f"section {number} '{heading}'"
        if comment is None:
            out.errors.append(KnowledgeIssue(rel, where, f"missing the <!-- en: {en.section} --> comment under the heading"))
            continue
        cdata, problems = _parse_yaml(comment, rel, where)
        if cdata is None:
            out.errors.extend(problems)
            continue
        try:
            smeta = TranslatedSectionMeta.model_validate(cdata)
        except ValidationError as err:
            out.errors.extend(_validation_issues(err, rel, where))
            continue
        if smeta.en.strip() != en.section:
            out.errors.append(KnowledgeIssue(rel, where, f"translates '{smeta.en.strip()}' but English section "
                                             f"{number} is '{en.section}'; keep the sections in the English order"))
            continue
        if smeta.sha and smeta.sha != section_digest(en.text):
            out.errors.append(KnowledgeIssue(rel, where, f"the English section changed since it was translated "
                                             f"(sha {smeta.sha}, now {section_digest(en.text)}); update the "
                                             "translation, then the sha"))
            continue
        _align(rel, where, heading, content, en, lang, out, checker)


def _align(rel: str, where: str, heading: str, content: str, en: "Chunk", lang: str, out: Translations,
           checker) -> None:  # noqa: ANN001
    from agriadvisor.knowledge.loader import _clean_body

    body = _clean_body(content)
    ours = split_sentences(body) or ([body] if body.strip() else [])
    theirs = english_sentences(en)
    if len(ours) != len(theirs):
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if _ends_differ(a, b)), min(len(ours), len(theirs)))
        out.errors.append(KnowledgeIssue(rel, where, f"{len(ours)} sentences/list items, the English has "
                                         f"{len(theirs)} (compare from sentence {first + 1}: "
                                         f"'{theirs[first][:60] if first < len(theirs) else ''}'); not used"))
        return
    if checker is not None:
        failed = False
        for i, (t, e) in enumerate(zip(ours, theirs), 1):
            for problem in checker.errors(t, e, lang):
                out.errors.append(KnowledgeIssue(rel, f"{where} sentence {i}", problem))
                failed = True
            for problem in checker.warnings(t, e, lang, crop=en.crop):
                out.warnings.append(KnowledgeIssue(rel, f"{where} sentence {i}", problem))
        if failed:
            return
    out.sections[(en.chunk_id, lang)] = TranslatedSection(en.chunk_id, lang, heading, tuple(ours))


def _ends_differ(ours: str, theirs: str) -> bool:
    """A cheap hint of where counts part: one ends a list item (':' or a question) and the other not."""
    return ours.rstrip()[-1:] in ":?" != (theirs.rstrip()[-1:] in ":?")


def coverage_table(translations: Translations, chunks: Iterable["Chunk"],
                   languages: Iterable[str] = ("hi", "bn")) -> dict[str, dict[str, list[int]]]:
    """``{country: {lang: [aligned sections, English sections]}}`` for the shipped guides."""
    table: dict[str, dict[str, list[int]]] = {}
    langs = list(dict.fromkeys([*languages, *translations.languages]))
    for c in chunks:
        row = table.setdefault(c.country, {lang: [0, 0] for lang in langs})
        for lang in langs:
            row[lang][1] += 1
            row[lang][0] += (c.chunk_id, lang) in translations.sections
    from agriadvisor.vocab import COUNTRIES

    return {c: table[c] for c in [*COUNTRIES, "all"] if c in table}



def _validation_issues(err: ValidationError, rel: str, where: str) -> list[KnowledgeIssue]:
    """One issue per pydantic error, placed at ``where`` plus the field path."""
    issues = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"])
        place = where if not field else (field if where == "front matter" else f"{where}.{field}")
        issues.append(KnowledgeIssue(rel, place, e["msg"]))
    return issues

__all__ = ["LANGUAGE_NAMES", "LANGUAGE_SCRIPTS", "TranslatedSection", "TranslationMeta", "Translations",
           "coverage_table", "english_path", "english_sentences", "is_translation_file", "load_translations",
           "section_digest", "translation_language", "translation_path"]
