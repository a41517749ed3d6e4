"""The farmer's own season and farming belt, named in the question and in the guides' sentences.

Guides give sibling advice side by side: the Aman dose beside the Boro dose, the Terai sowing
window beside the hills', Maha beside Yala. When a question names one of them, the sentence for
that one must win over its siblings. :func:`named_seasons` reads the question (any script);
:func:`sentence_mentions` reads an English evidence sentence.

Example:
    >>> named_seasons("আমন ধানে কত ইউরিয়া দিতে হবে?")
    ('aman',)
    >>> sorted(sentence_mentions("Boro, shorter varieties: 60 kg N."))
    ['boro']
"""

from __future__ import annotations

import re
from functools import lru_cache

from agriadvisor.text import phrase, tokenize
from agriadvisor.understanding.stage import word_grams

# canonical season -> how farmers write it (script and romanized); the English name is included
_SEASON_WORDS: dict[str, tuple[str, ...]] = {
    "aman": ("aman", "t aman", "t. aman", "আমন", "আমনে", "আমনের", "আমন ধান", "अमन", "आमन", "امن"),
    "boro": ("boro", "বোরো", "বোরোতে", "বোরোর", "बोरो", "بورو"),
    "aus": ("aus", "aush", "আউশ", "আউস", "আউশের", "औस"),
    "kharif": ("kharif", "kharif season", "खरीफ", "ख़रीफ़", "खरिफ", "خریف", "খরিফ", "kharip"),
    "rabi": ("rabi", "rabi season", "रबी", "रबि", "ربیع", "রবি", "ராபி"),
    "zaid": ("zaid", "zayad", "जायद", "ज़ायद", "زید"),
    "maha": ("maha", "maha season", "මහ කන්නය", "මහ කන්නයේ", "මහ කන්නෙ", "maha kannaya", "பெரும்போகம்",
             "பெரும்போகத்தில்", "perumpogam", "மஹா"),
    "yala": ("yala", "yala season", "යල කන්නය", "යල කන්නයේ", "යල කන්නෙ", "yala kannaya", "சிறுபோகம்",
             "சிறுபோகத்தில்", "sirupogam", "யாலா"),
    "samba": ("samba", "சம்பா"),
    "kuruvai": ("kuruvai", "குறுவை"),
    "thaladi": ("thaladi", "தாளடி"),
}
_SEASON_INDEX = {phrase(w): season for season, words in _SEASON_WORDS.items() for w in words}

# siblings: a sentence naming another member of the group, and not the asked one, is the wrong one
GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"aman", "boro", "aus"}),
    frozenset({"kharif", "rabi", "zaid"}),
    frozenset({"maha", "yala"}),
    frozenset({"samba", "kuruvai", "thaladi"}),
    frozenset({"terai", "mid-hills", "high hills"}),
    frozenset({"dry zone", "wet zone", "intermediate zone", "up-country"}),
)

# how the English guides write each season and belt
_IN_SENTENCE: dict[str, str] = {
    "aman": r"(?:t\.\s*)?aman", "boro": r"boro", "aus": r"aus|aush", "kharif": r"kharif", "rabi": r"rabi",
    "zaid": r"zaid|zayad", "maha": r"maha", "yala": r"yala", "samba": r"samba", "kuruvai": r"kuruvai",
    "thaladi": r"thaladi", "terai": r"(?:inner\s+)?terai|tarai", "mid-hills": r"mid[-\s]?hills?",
    "high hills": r"high\s+hills?|high\s+mountains?", "dry zone": r"dry\s+zone", "wet zone": r"wet\s+zone",
    "intermediate zone": r"intermediate\s+zone", "up-country": r"up[-\s]?country",
}
_SENTENCE_PATTERNS = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _IN_SENTENCE.items()}


def named_seasons(question: str, tokens: list[str] | None = None) -> tuple[str, ...]:
    """The seasons (Aman, Boro, Maha, kharif ...) the question names, in any script."""
    grams = word_grams(tokens if tokens is not None else tokenize(question, drop_stopwords=False))
    return tuple(dict.fromkeys(_SEASON_INDEX[g] for g in grams if g in _SEASON_INDEX))


def region_key(region: str | None) -> str | None:
    """A query's region ("Terai", "dry zone") as a key of :data:`GROUPS`, or None."""
    if not region:
        return None
    key = region.lower()
    return key if key in _SENTENCE_PATTERNS else None


@lru_cache(maxsize=65536)
def sentence_mentions(sentence: str) -> frozenset[str]:
    """The seasons and belts an English evidence sentence names."""
    return frozenset(k for k, pat in _SENTENCE_PATTERNS.items() if pat.search(sentence))


def preference(sentence: str, wanted: frozenset[str]) -> int:
    """+1 when the sentence names a wanted season or belt, -1 when it names only a sibling, else 0."""
    if not wanted:
        return 0
    says = sentence_mentions(sentence)
    if says & wanted:
        return 1
    siblings = frozenset().union(*(g for g in GROUPS if g & wanted)) - wanted
    return -1 if says & siblings else 0


__all__ = ["GROUPS", "named_seasons", "preference", "region_key", "sentence_mentions"]
