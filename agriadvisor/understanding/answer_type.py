"""What kind of answer a question wants: a time, an amount, a variety, a product, steps or a reason.

"When should I sow?" wants a date, a month or a season; "कितना यूरिया?" a number with a unit;
"কোন জাত?" a variety; "what should I spray?" a control measure or product; "kasari garne?"
steps; "why are the leaves yellow?" a cause or a definition. The answerer prefers evidence
sentences that carry the wanted kind, so the sentence that answers is not crowded out by the
passage's general opening line.

Cue phrases are listed per language, in script and romanized, and compared as token runs
(:func:`~agriadvisor.text.phrase`), so "kab", "कब", "কখন", "کب", "කවදා" and "எப்போது" all read
as *when*.

Example:
    >>> answer_types("आमन धान में कितना यूरिया डालें?")
    ('amount',)
    >>> answer_types("When should I sow wheat?")
    ('when',)
"""

from __future__ import annotations

from agriadvisor.text import phrase, phrase_index, tokenize
from agriadvisor.understanding.keywords import VARIETY_WORDS
from agriadvisor.understanding.stage import word_grams

#: The kinds of answer, in the order they are reported when a question asks for several.
ANSWER_TYPES: tuple[str, ...] = ("when", "amount", "variety", "product", "how", "what")

_CUES: dict[str, tuple[str, ...]] = {
    "when": (
        # English
        "when", "what time", "which month", "what month", "which date", "what date", "how soon", "right time",
        "best time", "sowing time", "which season", "what season", "how many days", "how long", "how late",
        "how early", "until when", "till when", "time to sow", "time to plant", "time to harvest",
        # Hindi / Urdu, script and romanized
        "कब", "किस महीने", "किस समय", "कौन से महीने", "कब तक", "सही समय", "समय", "कितने दिन",
        "کب", "کس مہینے", "کس وقت", "کب تک", "وقت", "کتنے دن",
        "kab", "kab tak", "kis mahine", "kis samay", "kitne din", "kis waqt", "sahi samay", "samay", "waqt",
        # Bengali
        "কখন", "কবে", "কোন মাসে", "কোন সময়", "কত দিন", "কত দিনে", "সময়", "kokhon", "kobe", "kon mase",
        # Nepali
        "कहिले", "कुन महिना", "कुन महिनामा", "कुन बेला", "कति दिन", "बेला", "kahile", "kun mahina", "kun bela",
        # Sinhala
        "කවදා", "කවදාද", "කවද්ද", "කොයි කාලෙද", "කොයි කාලයේද", "කාලය", "කාලෙ", "kawada", "kavadda", "kawadda",
        # Tamil
        "எப்போது", "எப்ப", "எப்போ", "எந்த மாதம்", "எந்த மாதத்தில்", "எந்த பருவத்தில்", "பருவம்", "நேரம்",
        "eppothu", "eppo", "eppadi kalam",
    ),
    "amount": (
        "how much", "how many", "dose", "dosage", "rate", "quantity", "amount", "spacing", "distance", "how deep",
        "how far", "depth", "how many kg", "per acre", "per hectare", "per bigha", "seed rate",
        "कितना", "कितनी", "कितने", "मात्रा", "दूरी", "मात्रा में", "प्रति एकड़", "प्रति बीघा",
        "کتنا", "کتنی", "کتنے", "مقدار", "فاصلہ", "فی ایکڑ",
        "kitna", "kitni", "kitne", "matra", "miqdar", "fasla", "faasla", "duri", "prati acre", "fi acre",
        "কত", "কতটুকু", "কত কেজি", "কতটা", "মাত্রা", "দূরত্ব", "পরিমাণ", "koto", "kotota", "koto kg",
        "कति", "कति केजी", "मात्रा", "kati", "kati kg",
        "කීයද", "කොපමණ", "කොච්චර", "කීය", "ප්‍රමාණය", "පරතරය", "kochchara", "kiyada",
        "எவ்வளவு", "எத்தனை", "அளவு", "இடைவெளி", "evvalavu", "ethanai", "evlo",
    ),
    "variety": VARIETY_WORDS + (
        "hybrid", "which seed", "what seed", "seed variety", "good seed", "best seed",
        "कौन सा बीज", "कौनसा बीज", "बीज कौन", "کونسا بیج", "konsa beej", "kaunsa beej", "kon sa beej",
        "কোন বীজ", "কোন জাতের", "kon jat", "kun biu", "कुन बीउ", "kun jaat", "මොන බීජ", "எந்த விதை",
    ),
    "product": (
        "spray", "what to spray", "which spray", "pesticide", "insecticide", "fungicide", "herbicide", "weedicide",
        "medicine", "chemical", "which chemical", "what should i apply", "what should i use", "what to apply",
        "what to use", "control", "manage", "management", "treatment", "treat", "cure", "remedy", "get rid",
        "kill", "stop",
        "दवा", "दवाई", "दवाएं", "छिड़काव", "छिड़कें", "स्प्रे", "कीटनाशक", "फफूंदनाशक", "इलाज", "उपचार",
        "उपाय", "नियंत्रण", "रोकथाम", "नियन्त्रण", "बचाव",
        "dawa", "dawai", "dava", "davai", "chidkav", "chhidkav", "keetnashak", "ilaj", "ilaaj", "upchar", "upay",
        "niyantran", "roktham", "bachav", "bachao",
        "دوا", "دوائی", "سپرے", "زہر", "علاج", "تدارک", "روک تھام", "کنٹرول", "spray karein", "zehar", "zeher",
        "ওষুধ", "কীটনাশক", "ছত্রাকনাশক", "স্প্রে", "দমন", "প্রতিকার", "চিকিৎসা", "দমনের", "oshudh", "oshud",
        "daman", "protikar",
        # Nepali छर्ने is both "to spray" and "to broadcast seed": only with "medicine" is it a product
        "औषधि", "विषादी", "छर्ने औषधि", "रोकथाम", "ausadhi", "aushadhi", "bishadi", "chharne ausadhi",
        "බෙහෙත්", "බෙහෙත", "කෘමිනාශක", "පළිබෝධනාශක", "ඉසින්න", "පාලනය", "මර්දනය", "beheth",
        "மருந்து", "பூச்சிக்கொல்லி", "தெளிக்க", "தெளிப்பு", "கட்டுப்பாடு", "கட்டுப்படுத்த", "marunthu", "marundhu",
    ),
    "how": (
        "how to", "how do i", "how should i", "how can i", "how do we", "steps", "method", "procedure", "way to",
        "process", "technique", "what should i do", "what to do", "what do i do", "what can i do",
        # "what should I do" in each language asks for steps, not a definition
        "क्या करें", "क्या करूं", "क्या करूँ", "kya karein", "kya karen", "kya karu", "kya kare", "کیا کریں",
        "কী করব", "কি করব", "কী করতে হবে", "ki korbo", "के गर्ने", "ke garne", "කරන්න ඕනේ", "කළ යුත්තේ",
        "என்ன செய்ய", "என்ன செய்வது", "enna seyya",
        "कैसे", "तरीका", "विधि", "कैसे करें", "kaise", "kese", "kaisay", "kesay", "tarika", "tareeqa", "vidhi",
        "کیسے", "طریقہ", "tariqa",
        "কিভাবে", "কীভাবে", "পদ্ধতি", "নিয়ম", "kivabe", "kibhabe", "poddhoti",
        "कसरी", "तरिका", "विधि", "kasari", "tarika",
        "කොහොමද", "කෙසේද", "කොහොම", "ක්‍රමය", "kohomada",
        "எப்படி", "முறை", "eppadi",
    ),
    "what": (
        "why", "what is", "what are", "what causes", "cause", "causes", "reason", "meaning", "what does",
        "क्यों", "क्या है", "कारण", "kyon", "kyun", "kyu", "kya hai", "karan", "wajah",
        "کیوں", "کیا ہے", "وجہ",
        "কেন", "কারণ", "keno", "karon",
        "किन", "के हो", "kina", "ke ho",
        "ඇයි", "මොකක්ද", "හේතුව", "ayi",
        "ஏன்", "என்றால் என்ன", "காரணம்", "yen",
    ),
}
_INDEX = phrase_index(_CUES)
# a control question ("what should I spray") or a how-to often uses "what"; "what" then is not a definition
_SPECIFIC = frozenset(ANSWER_TYPES) - {"what"}


def answer_types(question: str, tokens: list[str] | None = None) -> tuple[str, ...]:
    """The kinds of answer ``question`` asks for, in :data:`ANSWER_TYPES` order; empty when none.

    ``tokens`` (the question tokenised with stop words kept) may be passed to save the work.
    """
    grams = word_grams(tokens if tokens is not None else tokenize(question, drop_stopwords=False))
    found = {_INDEX[g] for g in grams if g in _INDEX}
    if "when" in found and "amount" in found and not _counts_units(grams):
        found.discard("amount")  # "kitne din" / "how many days" asks a time, not a dose
    if found & _SPECIFIC:
        found.discard("what")
    return tuple(t for t in ANSWER_TYPES if t in found)


_DURATION = frozenset(map(phrase, ("how many days", "kitne din", "कितने दिन", "کتنے دن", "কত দিন", "कति दिन",
                                   "how long", "how many weeks")))
_UNITS = frozenset(("kg", "kilo", "gram", "litre", "liter", "ml", "dose", "quantity", "rate", "spacing", "urea",
                    "केजी", "किलो", "मात्रा", "کلو", "মাত্রা", "কেজি"))


def _counts_units(grams: list[str]) -> bool:
    """Whether the question also asks an amount of something beyond a number of days."""
    return any(g in _UNITS for g in grams) or not any(g in _DURATION for g in grams)


__all__ = ["ANSWER_TYPES", "answer_types"]
