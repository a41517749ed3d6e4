"""Honest "not covered": tell when the best evidence cannot answer the question asked.

Retrieval always returns the nearest passages, even for "What is the glimmerwort practice for
sorghum?", where no guide names a glimmerwort practice: the nearest sorghum passage is not an
answer. The question is judged not covered when

- it asks about a named practice, method, pest, disease, product or variety ("the X practice",
  "what is X") whose name is in no guide, no glossary and no common English word list, or
- it names pests, diseases or practices the glossary knows, and none of them is in any of the
  evidence passages (the guides for this crop and country do not deal with it).

Example:
    >>> words = KnownWords.from_texts(["Sow sorghum in June."])
    >>> unsupported_reason("What is the glimmerwort practice for sorghum?", [], [], words)
    "the guides do not mention 'glimmerwort'"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from agriadvisor.text import name_pattern

if TYPE_CHECKING:
    from agriadvisor.backends.base import Evidence

_KINDS = (r"practices?|methods?|techniques?|systems?|treatments?|products?|pesticides?|sprays?|varieties|variety|"
          r"pests?|diseases?|insects?|fungus|weeds?|approach|programmes?|programs?|schemes?|technology|formula")
# "the glimmerwort practice", "glimmerwort method", "what is glimmerwort"
_NAMED = re.compile(rf"\b([a-z][a-z'-]{{3,}})\s+(?:{_KINDS})\b", re.IGNORECASE)
_WHAT_IS = re.compile(r"\b(?:what\s+is|what's|what\s+are|explain|tell\s+me\s+about)\s+(?:the\s+|a\s+|an\s+)?"
                      r"([a-z][a-z'-]{3,})\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class KnownWords:
    """Words the knowledge base, the glossary or ordinary English holds (lower case)."""

    words: frozenset[str]

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, word_lists: Iterable[Path] = ()) -> "KnownWords":
        """Every Latin word of ``texts``, plus the plain words of each word-list file (one a line;
        a WordPiece ``vocab.txt`` works: its sub-word pieces and special tokens are skipped)."""
        words: set[str] = set()
        for text in texts:
            words.update(_WORD.findall(text.lower()))
        for path in word_lists:
            if path.is_file():
                words.update(w for w in path.read_text(encoding="utf-8").split()
                             if w.isalpha() and w.isascii() and w.islower())
        return cls(frozenset(words))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        w = word.lower().strip("'-")
        return w in self.words or w.rstrip("s") in self.words or any(p in self.words for p in w.split("-") if p)


def unknown_names(question: str, known: KnownWords) -> list[str]:
    """Words the question names as a practice, pest, product ... that no guide or word list holds."""
    names = [m.group(1) for m in _NAMED.finditer(question)] + [m.group(1) for m in _WHAT_IS.finditer(question)]
    return list(dict.fromkeys(n.lower() for n in names if n not in known))


def unsupported_reason(question: str, focus: list[str], evidence: list["Evidence"], known: KnownWords, *,
                       language: str = "en") -> str | None:
    """Why the evidence cannot answer ``question``, or None when it may.

    Unknown names are looked for in English questions only: a romanized Hindi word ("konsi") is
    not a practice name. A pest or disease counts as found when the evidence names it or its
    kind ("blast" for rice blast, "bug" for rice bug: the guides say "neck blast", "paddy bug").
    """
    unknown = unknown_names(question, known) if language == "en" else []
    if unknown:
        return "the guides do not mention " + ", ".join(repr(u) for u in unknown)
    names = {w for f in focus for w in (f, f.split()[-1])}
    if focus and evidence and not any(name_pattern(n).search(ev.chunk.text) for n in names for ev in evidence):
        return f"no passage found for {', '.join(focus)} here"
    return None


__all__ = ["KnownWords", "unknown_names", "unsupported_reason"]
