"""Say whose guide an answer follows when the farmer's country was assumed.

Sowing dates, doses and varieties differ between India, Bangladesh, Sri Lanka, Pakistan and
Nepal. When nobody said the country (not the question, the conversation, the sender's phone
code or the deployment) it is taken from the question's language or the best passage; then the
answer's first words name the country whose guide was used, so a farmer elsewhere knows to ask
again with their country.

Example:
    >>> with_country_lead("Sow from mid-November. [1]", "Nepal", "en")
    "From Nepal's guide: Sow from mid-November. [1]"
    >>> with_country_lead("In Nepal, sow from mid-November. [1]", "Nepal", "en")
    'In Nepal, sow from mid-November. [1]'
"""

from __future__ import annotations

#: country sources that are guesses, not something the farmer or the deployment said
ASSUMED_FROM = frozenset({"language", "retrieval"})
FIRST_WORDS = 6  # the country counts as named when it is among this many first words

_LOCAL_NAMES: dict[str, dict[str, str]] = {
    "India": {"hi": "भारत", "ne": "भारत", "bn": "ভারত", "ur": "بھارت", "si": "ඉන්දියාව", "ta": "இந்தியா"},
    "Bangladesh": {"hi": "बांग्लादेश", "ne": "बंगलादेश", "bn": "বাংলাদেশ", "ur": "بنگلہ دیش", "si": "බංගලාදේශය",
                   "ta": "வங்கதேசம்"},
    "Pakistan": {"hi": "पाकिस्तान", "ne": "पाकिस्तान", "bn": "পাকিস্তান", "ur": "پاکستان", "si": "පාකිස්තානය",
                 "ta": "பாகிஸ்தான்"},
    "Sri Lanka": {"hi": "श्रीलंका", "ne": "श्रीलंका", "bn": "শ্রীলঙ্কা", "ur": "سری لنکا", "si": "ශ්‍රී ලංකාව",
                  "ta": "இலங்கை"},
    "Nepal": {"hi": "नेपाल", "ne": "नेपाल", "bn": "নেপাল", "ur": "نیپال", "si": "නේපාලය", "ta": "நேபாளம்"},
}


def is_assumed(country_from: str | None) -> bool:
    """Whether a country decided by ``country_from`` was guessed rather than told."""
    return country_from in ASSUMED_FROM


def country_lead(country: str, language: str = "en") -> str:
    """The opening words naming the guide used: "From Nepal's guide:" or "नेपाल (Nepal):"."""
    local = _LOCAL_NAMES.get(country, {}).get(language.split("_")[0])
    return f"{local} ({country}):" if local else f"From {country}'s guide:"


def names_country_first(text: str, country: str, language: str = "en") -> bool:
    """Whether ``country`` (in English or the answer's script) is among the first words of ``text``."""
    head = " ".join(text.split()[:FIRST_WORDS + len(country.split()) - 1])
    local = _LOCAL_NAMES.get(country, {}).get(language.split("_")[0])
    return country.lower() in head.lower() or bool(local and local in head)


def with_country_lead(text: str, country: str, language: str = "en") -> str:
    """``text`` opening with the country whose guide it follows (unchanged if it already does)."""
    if not text or names_country_first(text, country, language):
        return text
    return f"{country_lead(country, language)} {text}"


__all__ = ["ASSUMED_FROM", "country_lead", "is_assumed", "names_country_first", "with_country_lead"]
