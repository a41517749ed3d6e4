"""What kind of answer a question wants, and whether a sentence looks like that kind of answer.

"When should I sow?" wants a date or a crop stage, "how much urea?" a number with a unit,
"which variety?" a variety or trait, "what should I spray?" a control measure. The embedder
ranks sentences by topic, which favours a passage's general opening line; these cues lift
the sentences that carry the actual advice. Non-English questions reach here through their
English gloss ("when time", "how much dose rate"), so the cues are English only.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_SEASONS = ("kharif|rabi|zaid|maha|yala|boro|aman|aus|baisakh|jestha|asar|asadh|shrawan|bhadra|kartik|"
            "mangsir|poush|magh|falgun|chaitra|agrahayan")

ASKS: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\b(when|what time|which month|how long|how many days|how soon|date|time)\b"),
    "amount": re.compile(r"\b(how much|how many|dose|doses|dosage|rate|quantity|spacing|distance|depth|how deep|"
                         r"how far|kg|kilo|litre|liter|gram|amount)\b"),
    "variety": re.compile(r"\b(variety|varieties|cultivar|hybrid|which seed|seed variety)\b"),
    "control": re.compile(r"\b(spray|control|manage|management|treat|treatment|cure|medicine|kill|protect|prevent|"
                          r"get rid|stop|what should i (do|use|apply))\b"),
}

ANSWERS: dict[str, re.Pattern[str]] = {
    "when": re.compile(rf"\b({_MONTHS}|{_SEASONS})\b|\b(days?|weeks?|months?) (after|before|old)\b|\bdas\b|\bdat\b|"
                       r"\bat (the )?(tillering|flowering|heading|booting|sowing|planting|transplanting|"
                       r"crown root|panicle)", re.IGNORECASE),
    "amount": re.compile(r"\d[\d.,\u2013-]*\s*(%|percent|kg|g|gm|ml|l|litres?|liters?|cm|mm|m|t|tonnes?|quintals?|"
                         r"q|ppm|bags?|hills?|plants?|adults?|per)\b", re.IGNORECASE),
    "variety": re.compile(r"\b(variet(y|ies)|hybrids?|resistant|tolerant|cultivars?)\b", re.IGNORECASE),
    "control": re.compile(r"\b(spray|sprays|fungicide|insecticide|herbicide|traps?|remove|destroy|uproot|"
                          r"registered|neem|release|bait|seed treatment|treat|drain)\b", re.IGNORECASE),
    # a cause or a definition: "is caused by", "because", "is a fungal disease", "means"
    "what": re.compile(r"\b(caused by|due to|because|comes from|spread by|spreads|is called|is known as|means|"
                       r"refers to|happens when|occurs when|result of|is an? (\w+ )?(fungal|bacterial|viral|disease|pest|"
                       r"insect|practice|method|technique|system|way))\b", re.IGNORECASE),
}

#: the kind of sentence that answers each answer type of :mod:`agriadvisor.understanding.answer_type`
TYPE_KIND: dict[str, str] = {"when": "when", "amount": "amount", "variety": "variety", "product": "control",
                             "how": "advice", "what": "what"}

# A sentence that tells the farmer to do something: "Sow ...", "**Timing:** apply ...", "Do not ...".
_ADVICE = re.compile(r"^(\*\*[^*]{1,60}\*\*:?\s*)?(sow|apply|use|spray|keep|irrigate|grow|remove|store|dry|avoid|"
                     r"do not|don't|never|give|plant|transplant|drain|check|mix|add|treat|cut|harvest|plough|"
                     r"level|fill|place|test|top-dress|split|thin|weed|rotate|clean|cover|select|choose|buy|"
                     r"ask|report|follow|watch|destroy|uproot|install|set up|leave)\b", re.IGNORECASE)


def question_asks(query: str) -> frozenset[str]:
    """The kinds of answer ``query`` asks for (``when``, ``amount``, ``variety``, ``control``)."""
    low = query.lower()
    return frozenset(kind for kind, pattern in ASKS.items() if pattern.search(low))


@lru_cache(maxsize=65536)
def sentence_answers(sentence: str) -> frozenset[str]:
    """The kinds of answer ``sentence`` gives, plus ``advice`` when it tells the farmer what to do."""
    kinds = {kind for kind, pattern in ANSWERS.items() if pattern.search(sentence)}
    if _ADVICE.search(sentence):
        kinds.add("advice")
    return frozenset(kinds)


def cue_bonus(sentence: str, asks: frozenset[str], weight: float) -> float:
    """``weight`` per asked kind the sentence answers, and half a weight for plain advice."""
    gives = sentence_answers(sentence)
    return weight * len(asks & gives) + (weight / 2 if "advice" in gives else 0.0)
