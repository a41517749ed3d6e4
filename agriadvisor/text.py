"""Unicode clean-up, script detection, tokenising and sentence splitting for six languages.

Indic scripts write vowels as combining marks (category M); a tokenizer built on ``\\w``
breaks "धान" into pieces at them. Tokens here are runs of letters, marks and digits.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?")
_ZERO_WIDTH = re.compile(r"[\u200b\u200e\u200f\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
# the danda ends a Hindi, Bengali or Nepali sentence whatever follows (a Latin product name too)
_SENTENCE_END = re.compile(r"(?<=[.!?।॥۔])\s+(?=[\"'(\[]?[A-Z0-9\u0900-\u0DFF\u0600-\u06FF])|(?<=[।॥])\s+")
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|viz|approx|no|vs|Dr|St|cv|var|spp|ca)\.$", re.I)

SCRIPTS: dict[str, tuple[int, int]] = {
    "Devanagari": (0x0900, 0x097F),
    "Bengali": (0x0980, 0x09FF),
    "Gurmukhi": (0x0A00, 0x0A7F),
    "Gujarati": (0x0A80, 0x0AFF),
    "Tamil": (0x0B80, 0x0BFF),
    "Telugu": (0x0C00, 0x0C7F),
    "Sinhala": (0x0D80, 0x0DFF),
    "Arabic": (0x0600, 0x06FF),
}

ENGLISH_STOPWORDS = frozenset(
    "a an the and or of to in on at for with by from is are was were be been it its this that these those "
    "what which who whom how when where why do does did can could should would will shall may might my our "
    "your their i we you he she they me us them there here as if so than then into about over any some "
    "please tell give advice suggest".split()
)
ROMAN_STOPWORDS = frozenset(
    "me mein main ka ki ke ko se hai hain tha thi kya kaise kab kyu kyon kyun aur ya bhi par pe liye lie "
    "karna kare karen karein kar raha rahi rahe hota hoti hote ho gaya gayi ji sir madam mera meri mere "
    "hamara hamare apna koi kuch nahi nahin na bataye bataiye batao btao batayen".split()
)


def clean(text: str) -> str:
    """NFKC-normalise, drop zero-width and control characters, fold white space.

    ZWJ/ZWNJ are kept: Sinhala and some Indic conjuncts need them.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return _SPACES.sub(" ", text).strip()


def script_counts(text: str) -> dict[str, int]:
    """Letters per script (``Latin`` for ASCII letters)."""
    counts: dict[str, int] = {}
    for ch in text:
        cp = ord(ch)
        if ch.isascii():
            if ch.isalpha():
                counts["Latin"] = counts.get("Latin", 0) + 1
            continue
        for name, (lo, hi) in SCRIPTS.items():
            if lo <= cp <= hi:
                counts[name] = counts.get(name, 0) + 1
                break
    return counts


def dominant_script(text: str) -> str:
    """The script with most letters; ``Latin`` when there are none."""
    counts = script_counts(text)
    if not counts:
        return "Latin"
    return max(counts.items(), key=lambda kv: kv[1])[0]


_JOINERS = str.maketrans("", "", "\u200c\u200d")


def tokenize(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Lower-cased word tokens that keep Indic vowel signs attached.

    ZWJ/ZWNJ only change how a conjunct is drawn, and phone keyboards differ on them (Sinhala
    ප්‍රභේද is typed with and without one), so tokens are compared without them.
    """
    toks = [t.lower() for t in _TOKEN.findall(text.translate(_JOINERS))]
    if drop_stopwords:
        toks = [t for t in toks if t not in ENGLISH_STOPWORDS and t not in ROMAN_STOPWORDS]
    return toks


def phrase(text: str) -> str:
    """``text`` as a run of tokens joined by single spaces, stop words kept: the form in which cue
    phrases, glossary names and a question's word runs are compared."""
    return " ".join(tokenize(text, drop_stopwords=False))


def phrase_index(cues: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each cue phrase (as :func:`phrase`) mapped to its label."""
    return {phrase(p): label for label, phrases in cues.items() for p in phrases}


def split_sentences(text: str) -> list[str]:
    """Split a passage into sentences, keeping abbreviations such as "e.g." intact."""
    out: list[str] = []
    for para in text.split("\n"):
        pieces = _SENTENCE_END.split(para.strip())
        buf = ""
        for piece in pieces:
            buf = f"{buf} {piece}".strip() if buf else piece
            if _ABBREV.search(buf):
                continue
            if buf:
                out.append(buf)
            buf = ""
        if buf:
            out.append(buf)
    return [s.strip() for s in out if len(s.strip()) > 1]


@lru_cache(maxsize=4096)
def name_pattern(name: str) -> "re.Pattern[str]":
    """A pest, disease or practice name as the guides write it: "yellow rust" also matches
    "yellow (stripe) rust" and "yellow rusts"; "rust" does not match "trust". Case-insensitive."""
    words = [re.escape(w) for w in name.lower().split()]
    return re.compile(r"\b" + r"\s+(?:\([^)]*\)\s+)?".join(words) + r"s?\b", re.IGNORECASE)
