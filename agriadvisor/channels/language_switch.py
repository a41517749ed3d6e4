"""A farmer switches the answer language by sending the language's name, in their own words.

By default a reply comes back in the language of the farmer's message (a romanized Hindi
message gets Devanagari Hindi). Sending just "हिंदी", "hindi", "বাংলা", "bangla" or "english"
(and the same in the other languages) fixes the answer language until the farmer sends another
one, or "auto" / "अपनी भाषा" / "নিজের ভাষা" to go back to the language of each message.

Example:
    >>> language_choice("  Hindi! "), language_choice("বাংলায়"), language_choice("hindi me gehun kab boyen")
    ('hi', 'bn', None)
"""

from __future__ import annotations

from agriadvisor.text import clean

AUTO = "auto"
_CHOICES: dict[str, tuple[str, ...]] = {
    "en": ("english", "angrezi", "angreji", "अंग्रेज़ी", "अंग्रेजी", "इंग्लिश", "ইংরেজি", "ইংরেজিতে", "انگریزی",
           "අංග්‍රීසි", "ஆங்கிலம்"),
    "hi": ("hindi", "hindi me", "hindi mein", "हिंदी", "हिन्दी", "हिंदी में", "हिन्दी में"),
    "bn": ("bangla", "bengali", "bangla te", "বাংলা", "বাংলায়", "বাংলাতে"),
    "ur": ("urdu", "اردو", "اردو میں"),
    "ne": ("nepali", "नेपाली", "नेपालीमा"),
    "si": ("sinhala", "සිංහල", "සිංහලෙන්"),
    "ta": ("tamil", "தமிழ்", "தமிழில்"),
    AUTO: ("auto", "अपनी भाषा", "apni bhasha", "নিজের ভাষা", "nijer bhasha"),
}
_LOOKUP = {word: code for code, words in _CHOICES.items() for word in words}
_PUNCT = " \t\n.!?,;:।॥۔؟"

CONFIRM = {
    "en": "OK: answers will come in English. Send HINDI, BANGLA (বাংলা) or AUTO to change.",
    "hi": "ठीक है: अब जवाब हिंदी में आएँगे। बदलने के लिए ENGLISH, BANGLA या AUTO भेजें।",
    "bn": "ঠিক আছে: এখন থেকে উত্তর বাংলায় আসবে। বদলাতে ENGLISH, HINDI বা AUTO পাঠান।",
    AUTO: "OK: each answer will come in the language of your message.",
}


def language_choice(text: str) -> str | None:
    """The language code (or ``auto``) when the whole message names a language, else None."""
    word = " ".join(clean(text).strip(_PUNCT).lower().split())
    return _LOOKUP.get(word)


def confirmation(choice: str) -> str:
    """What the bot says back, in the chosen language where it can."""
    return CONFIRM.get(choice, CONFIRM["en"])
