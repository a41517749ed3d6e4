"""Tell the crop a question is about from a crop that only sets the scene.

"Can I grow soybean on my rice bunds?", "धानको आलीमा भटमास", "wheat after rice harvest",
"ধান কাটার পর ভুট্টা": rice is where or after what the farmer plants; the question is about
the other crop. A crop name is *setting* when a word for "after", "instead of" comes before it,
or a word for its field, bund, straw, stubble or harvest comes right after it (possibly after a
genitive ending: के, को, کے, -এর).
"""

from __future__ import annotations

import regex

# before the crop name: "after rice", "instead of wheat", "dhan ke baad" is handled after it
_BEFORE = regex.compile(r"(?:\b(?:after|following|instead of|in place of|rather than|previous|last season'?s)\s+"
                        r"(?:the\s+|my\s+|our\s+)?(?:(?:combine\s+)?(?:harvesting|cutting|reaping)\s+(?:the\s+|my\s+)?)?)$",
                        regex.IGNORECASE)

_GENITIVE = r"(?:का|की|के|को|ko|ke|ki|ka|کا|کی|کے|এর|ের|র|ৰ)?"
_PLACE_OR_TIME = (
    # English
    r"field|fields|bund|bunds|straw|stubble|stubbles|residue|residues|fallow|fallows|harvest|harvesting|harvested"
    r"|picking|picked|is over|finished|land|plot|crop is harvested"
    # romanized Hindi/Urdu/Nepali
    r"|khet|kheton|kheto|parali|pual|baad|jagah|jaga|katai|kataai|katne|pachhi|pachi|aali"
    # Hindi / Nepali
    r"|खेत|बाद|जगह|पराली|पुआल|कटाई|काटने|आली|पछि|सट्टा|काटेपछि|काटिसकेपछि|छ्वाली"
    # Urdu
    r"|کھیت|بعد|جگہ|پرالی|کٹائی|کاٹنے"
    # Bengali
    r"|জমি|জমিতে|জমির|পরে|পর|খড়|নাড়া|আইল|আইলে|কাটার|কাটা|বদলে"
    # Tamil
    r"|வயல்|வயலில்|வரப்பு|வரப்பில்|பிறகு|பின்|அறுவடை|அறுவடைக்குப்|அறுவடைக்கு|கழித்து|தாளடி|வைக்கோல்"
    # Sinhala
    r"|කුඹුර|කුඹුරේ|කුඹුරු|නියර|පසු|පස්සේ|කපා|කැපුවාට|පිදුරු"
)
# a case ending may follow the noun: आलीमा "on the bund", வயலில் "in the field", කුඹුරේ
_ENDING = r"(?:मा|ma|তে|ে|ில்|ේ|ට|में|mein|me|میں)?"
_AFTER = regex.compile(r"^\s*" + _GENITIVE + r"\s*(?:" + _PLACE_OR_TIME + r")" + _ENDING + r"(?![\p{L}\p{M}])",
                       regex.IGNORECASE)


def is_setting(text: str, term: str) -> bool:
    """True when every mention of ``term`` in ``text`` sets the scene rather than names the
    crop asked about."""
    lowered, needle = text.lower(), term.lower()
    start, seen = 0, False
    while (at := lowered.find(needle, start)) >= 0:
        if at > 0 and regex.match(r"[\p{L}\p{M}]", lowered[at - 1]):  # inside another word: "price"
            start = at + len(needle)
            continue
        seen = True
        before, after = lowered[:at], lowered[at + len(needle):]
        # the rest of an inflected word (धानको, ধানের) belongs to the name
        rest = regex.match(r"[\p{L}\p{M}]*", after)
        tail = after[rest.end():] if rest and rest.group(0) and not _AFTER.match(after) else after
        if not (_BEFORE.search(before) or _AFTER.match(after) or _AFTER.match(tail)):
            return False
        start = at + len(needle)
    return seen
