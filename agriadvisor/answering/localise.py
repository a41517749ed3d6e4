"""Put an English answer into the farmer's language from the aligned translations.

The answer's sentences are evidence sentences followed by ``[n]`` markers; each is looked up in
its cited passage and replaced by the translated sentence at the same position, so the
translated answer carries the same markers and says exactly what the English says. When any
sentence has no aligned translation the whole answer stays English (never a mix of languages),
and the reason goes to ``Answer.query.notes``.

Example:
    >>> from agriadvisor.answering.localise import answer_language
    >>> answer_language(None, "hi_latn"), answer_language("en", "bn"), answer_language(None, "fr")
    ('hi', 'en', 'en')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from agriadvisor.errors import InputError
from agriadvisor.knowledge.translations import LANGUAGE_NAMES, LANGUAGE_SCRIPTS, Translations
from agriadvisor.text import SCRIPTS, dominant_script, script_counts

_MARKER = re.compile(r"\s*\[(\d+)\]")


def answer_language(requested: str | None, detected: str) -> str:
    """The language to answer in: the one asked for, else the question's (romanized Hindi -> hi)."""
    if requested is not None:
        code = str(requested).strip().lower().replace("-", "_")
        if code not in LANGUAGE_NAMES:
            raise InputError(f"unknown answer language {requested!r}; use one of {', '.join(LANGUAGE_NAMES)}")
        return code
    base = (detected or "en").split("_", 1)[0]
    return base if base in LANGUAGE_NAMES else "en"


def text_language(text: str, detected: str) -> str:
    """The language a fixed reply (a guardrail template) is written in, from its script."""
    script = dominant_script(text)
    if script == "Latin":
        return "en"
    base = (detected or "").split("_", 1)[0]
    if LANGUAGE_SCRIPTS.get(base) == script:
        return base
    return next((lang for lang, s in LANGUAGE_SCRIPTS.items() if s == script), "en")


@dataclass
class Localised:
    """The answer text in ``language`` (English when it could not be translated) and why."""

    text: str
    language: str
    untranslated: list[int] = field(default_factory=list)  # citation numbers lacking a translation


def localise(text: str, language: str, sentences_of: Callable[[int], tuple[str, list[str]] | None],
             translations: Translations, fixed: dict[str, str] | None = None) -> Localised:
    """Translate ``text`` sentence by sentence.

    ``sentences_of(n)`` gives citation ``n``'s chunk id and English sentences (None when unknown).
    ``fixed`` maps lines the guardrails add after the answer (a safety note, in whatever language
    they were written) to the same line in ``language``. Other text that is not an evidence
    sentence is kept when it is already in the target script; English text that is not evidence
    makes the answer stay English.
    """
    fixed = fixed or {}
    if language == "en":
        return Localised(_swap_lines(text, fixed), "en")
    script = LANGUAGE_SCRIPTS[language]
    out: list[str] = []
    missing: list[int] = []
    pos = 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        segment = text[pos:m.start()]
        pos = m.end()
        pieces = _translate_segment(segment, n, language, script, sentences_of, translations)
        if pieces is None:
            missing.append(n)
            continue
        out.append(f"{pieces} [{n}]" if pieces else f"[{n}]")
    tail = _swap_lines(text[pos:].strip(), fixed)
    if tail and _foreign(tail, script):
        missing.append(0)
    if missing:
        return Localised(text, "en", sorted(set(missing)))
    body = " ".join(out)
    sep = "\n" if "\n" in text[pos:pos + 2] else " "
    return Localised(f"{body}{sep}{tail}".strip() if tail else body, language)


def english_of(text: str, language: str, sentences_of: Callable[[int], tuple[str, list[str]] | None],
               translations: Translations, fixed: dict[str, str] | None = None) -> str | None:
    """The aligned English of an answer a model wrote in ``language`` by copying translated evidence
    sentences; None when some sentence is not a translated evidence sentence (then there is no
    aligned English to show)."""
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        rest, pos = text[pos:m.start()].strip(), m.end()
        found = sentences_of(n)
        section = translations.get(found[0], language) if found else None
        if section is None:
            return None
        parts = []
        while rest:
            i = _leading_sentence(rest, list(section.sentences))
            if i is None:
                return None
            parts.append(found[1][i])
            rest = rest[len(section.sentences[i]):].strip()
        out.append(f"{' '.join(parts)} [{n}]")
    tail = _swap_lines(text[pos:].strip(), fixed or {})
    return "\n".join(x for x in (" ".join(out), tail) if x)


def _swap_lines(text: str, fixed: dict[str, str]) -> str:
    return "\n".join(fixed.get(line.strip(), line) for line in text.split("\n")) if fixed else text


def _translate_segment(segment: str, n: int, language: str, script: str,
                       sentences_of: Callable[[int], tuple[str, list[str]] | None],
                       translations: Translations) -> str | None:
    """The segment cited ``[n]`` with each evidence sentence replaced; None if one cannot be."""
    found = sentences_of(n)
    rest = segment.strip()
    if found is None:
        return None if _foreign(rest, script) else rest
    chunk_id, english = found
    parts: list[str] = []
    while rest:
        i = _leading_sentence(rest, english)
        if i is None:
            # not an evidence sentence: keep it only if it is already in the answer's script
            return None if _foreign(rest, script) else " ".join([*parts, rest])
        translated = translations.sentence(chunk_id, language, i)
        if translated is None:
            return None
        parts.append(translated)
        rest = rest[len(english[i]):].strip()
    return " ".join(parts)


def _leading_sentence(text: str, english: list[str]) -> int | None:
    """Position of the longest evidence sentence that ``text`` starts with."""
    best = None
    for i, s in enumerate(english):
        if text.startswith(s) and (best is None or len(s) > len(english[best])):
            best = i
    return best


def _foreign(text: str, script: str) -> bool:
    """True when ``text`` has Latin words: it would put English inside a translated answer."""
    counts = script_counts(text)
    return counts.get("Latin", 0) > counts.get(script, 0)


def untranslated_note(language: str, titles: list[str]) -> str:
    name = LANGUAGE_NAMES.get(language, language)
    what = "; ".join(titles) if titles else "part of the answer"
    return f"answered in English: no {name} translation yet of {what}"


__all__ = ["Localised", "answer_language", "english_of", "localise", "text_language", "untranslated_note", "SCRIPTS"]
