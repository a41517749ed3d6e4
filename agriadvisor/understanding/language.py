"""Guess the language of a question from its script and a few frequent function words."""

from __future__ import annotations

from agriadvisor.text import dominant_script

_SCRIPT_LANG = {"Bengali": "bn", "Arabic": "ur", "Sinhala": "si", "Tamil": "ta", "Telugu": "te",
                "Gurmukhi": "pa", "Gujarati": "gu"}
# Words that are common in one language of a shared script and rare in the other.
_NEPALI = {"छ", "छन्", "गर्ने", "कसरी", "कहिले", "हुन्छ", "गर्नुपर्छ", "मा", "लगाउने", "के", "गर्दा", "भएको", "लाई", "कति", "हो",
           "भयो", "गर्नु", "हुने", "पर्छ", "सक्छ", "चाहिन्छ", "राम्रो", "कुन", "यो", "त्यो", "गर्छ", "लाग्यो", "छैन",
           "गर्नुहोस्", "अनि", "पनि", "र", "भने", "गरी", "हुँदा", "थियो", "छु", "किन", "दिने", "राख्ने", "बेला", "सेतो"}
# Nepali joins its case endings to the noun (खेतमा, धानको) where Hindi writes them apart (खेत में);
# Nepali verbs end in -छ, -छन्, -यो. Hindi pronouns that also end in -को are not counted.
_NEPALI_ENDINGS = ("मा", "को", "्छ", "्छन्", "्यो", "हरू", "लाई")
_HINDI_KO = {"आपको", "उसको", "इसको", "किसको", "सबको", "हमको", "तुमको", "मुझको", "जिसको", "उनको", "इनको", "किनको",
             "जिनको", "तुझको", "खुदको", "सीमा", "महिमा", "आत्मा", "प्रतिमा", "उपमा", "गरिमा"}
_HINDI = {"है", "हैं", "में", "क्या", "कैसे", "कब", "लिए", "करें", "करे", "का", "की", "के", "से", "पर", "कौन", "किस"}
# Function words and verb forms of each romanized language (Bengali and Nepali ones are not
# shared with romanized Hindi or with English words).
_ROMAN_NEPALI = {"cha", "chha", "garne", "kasari", "kahile", "huncha", "hunchha", "garnu", "lagaune", "bhayo",
                 "kati", "lai", "parcha", "garda", "garnuhos", "garnuparcha", "chahincha", "chaincha", "bhaeko",
                 "bhako", "mero", "hamro", "kina", "hola", "halne", "rakhne", "lagcha", "lagyo", "malai",
                 "tapai", "tapaiko", "sakincha", "xa", "gareko", "garera", "chhan"}
_ROMAN_HINDI = {"hai", "hain", "mein", "kya", "kaise", "kab", "liye", "kare", "karen", "karein", "ka", "ki",
                "ke", "ko", "se", "aur", "nahi", "kyu", "kaun", "konsa", "lag", "raha", "rahi", "gaya", "me",
                "mai", "kitna", "dale", "dalna", "kitni", "kitne", "konsi", "kaunsi", "dalein", "daalein",
                "daale", "karna", "hoga", "hogi", "mera", "meri", "mere", "hamare", "bataye", "bataiye",
                "batao", "ilaj"}
_ROMAN_BENGALI = {"ki", "korbo", "kibhabe", "kivabe", "koto", "kokhon", "dite", "hobe", "ache", "amar", "er",
                  "kheter", "jonno", "korte", "korle", "koro", "koren", "korun", "korchi", "korechi", "kemne",
                  "kemon", "kobe", "dibo", "debo", "hoy", "hocche", "hoche", "hoyeche", "achhe", "nei", "amra",
                  "amader", "khete", "lagbe", "lagche", "bunbo", "bonbo", "felbo", "gach", "gache", "gacher",
                  "patay", "poka", "pokar", "konta", "ekhon", "theke", "bolun", "bolben", "dhaner", "dhane",
                  "dorkar"}
_ROMAN_URDU = {"kiya", "kesay", "kaisay", "hy", "hai", "mein", "ka", "ki", "ke", "liye", "karein", "chahiye", "fasal"}


def detect_language(text: str, tokens: list[str]) -> tuple[str, str]:
    """Return ``(language, script)``; romanized South Asian text gets ``xx_latn`` codes."""
    script = dominant_script(text)
    if script in _SCRIPT_LANG:
        return _SCRIPT_LANG[script], script
    words = set(tokens)
    if script == "Devanagari":
        joined = sum(1 for t in tokens if len(t) >= 4 and t not in _HINDI_KO and t.endswith(_NEPALI_ENDINGS))
        return ("ne" if len(words & _NEPALI) + joined > len(words & _HINDI) else "hi"), script
    scores = {
        "ne_latn": len(words & _ROMAN_NEPALI),
        "bn_latn": len(words & _ROMAN_BENGALI) - 1,
        "hi_latn": len(words & _ROMAN_HINDI),
    }
    best, score = max(scores.items(), key=lambda kv: kv[1])
    return (best if score >= 1 else "en"), script


LANGUAGE_COUNTRY_HINT = {"si": "Sri Lanka", "si_latn": "Sri Lanka", "ne": "Nepal", "ne_latn": "Nepal",
                         "ur": "Pakistan", "bn": "Bangladesh", "hi": "India", "te": "India",
                         "pa": "India", "gu": "India"}
