"""Checks on one translated sentence against its English original.

Errors: a word in another script that the English sentence does not contain (untranslated
English, or the wrong script), numbers that differ from the English, native digits.
Warnings: a crop, pest or disease the English names whose glossary name in that language is
missing from the translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import regex

from agriadvisor.text import SCRIPTS

_WORD = regex.compile(r"[\p{L}\p{M}]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NATIVE_DIGIT = regex.compile(r"[\u0966-\u096f\u09e6-\u09ef\u06f0-\u06f9\u0660-\u0669\u0be6-\u0bef\u0de6-\u0def]")
_WARN_KINDS = ("crop", "pest", "disease")


def _has_prose(english: str) -> bool:
    """Whether an English sentence has ordinary words (not only codes, names, numbers and units)."""
    return any(w.islower() and len(w) >= 4 for w in _WORD.findall(english))


def _in_script(word: str, script: str) -> bool:
    lo, hi = SCRIPTS[script]
    # ZWJ/ZWNJ and the danda are shared by every Indic script
    return all(lo <= ord(ch) <= hi or ch in "\u200c\u200d" for ch in word)


@dataclass
class TextChecker:
    """Sentence checks; ``names`` maps an English glossary name to that entry's names per language."""

    names: dict[str, dict[str, list[str]]]
    pattern: "re.Pattern[str] | None"

    @classmethod
    def from_folder(cls, root: Path | str, *, glossary: bool = True) -> "TextChecker":
        """Read the glossary for the name warnings; ``glossary=False`` skips them (at answer time)."""
        from agriadvisor.knowledge.glossary import load_glossary

        if not glossary:
            return cls({}, None)

        try:
            entries, _, _ = load_glossary(root)
        except Exception:  # noqa: BLE001 - glossary problems are reported by the glossary check
            entries = []
        names: dict[str, dict[str, list[str]]] = {}
        for e in entries:
            if e.kind not in _WARN_KINDS:
                continue
            for en in e.names.get("en", []):
                if len(en) > 3:  # 'BPH'-style codes are kept in Latin script anyway
                    names.setdefault(en.lower(), e.names)
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"\b(?:{alternation})s?\b", re.I) if names else None
        return cls(names, pattern)

    def errors(self, translated: str, english: str, language: str) -> list[str]:
        from agriadvisor.knowledge.translations import LANGUAGE_SCRIPTS

        script = LANGUAGE_SCRIPTS[language]
        problems = []
        en_words = {w.lower() for w in _WORD.findall(english)}
        words = _WORD.findall(translated)
        # "**TSP** 240–260 kg." has nothing to translate; "Avoid drying on roads." has
        if words and not any(_in_script(w, script) for w in words) and _has_prose(english):
            problems.append(f"no word in {script} script: not translated")
        # "KVK" for the English "KVKs": a Latin word may drop the English plural
        foreign = [w for w in words if not _in_script(w, script)
                   and w.lower() not in en_words and f"{w.lower()}s" not in en_words]
        if foreign:
            problems.append(f"not {script} script and not in the English sentence: {', '.join(dict.fromkeys(foreign))}")
        if _NATIVE_DIGIT.search(translated):
            problems.append("write numbers with the digits the English uses (0-9)")
        ours, theirs = set(_NUMBER.findall(translated)), set(_NUMBER.findall(english))
        if ours != theirs:
            missing, extra = sorted(theirs - ours), sorted(ours - theirs)
            what = "; ".join(x for x in (f"missing {', '.join(missing)}" if missing else "",
                                         f"not in the English {', '.join(extra)}" if extra else "") if x)
            problems.append(f"numbers differ from the English: {what}")
        return problems

    def warnings(self, translated: str, english: str, language: str, *, crop: str = "") -> list[str]:
        if self.pattern is None:
            return []
        out = []
        for m in dict.fromkeys(x.group(0).lower() for x in self.pattern.finditer(english)):
            entry = self.names.get(m) or self.names.get(m[:-1], {})
            local = entry.get(language, [])
            if local and not any(n in translated for n in local):
                out.append(f"the English names '{m}'; none of the glossary's {language} names "
                           f"({', '.join(local[:3])}) appears")
        return out
