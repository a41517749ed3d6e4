"""Fold a question into one canonical form before any rule looks at it.

The tricks used to slip a word past a filter all come out as the plain word here: look-alike
letters from other scripts (Cyrillic "о" in "pоison"), invisible characters, accents and
combining marks on Latin letters, l33tspeak ("p0is0n", "d!e"), and s p a c e d or
d.o.t.t.e.d letters. Indic spelling variants that do not change the word (nukta,
chandrabindu) and Arabic-script letter variants are folded too.

Example:
    >>> normalise("How to p\u043eis0n my neighb0ur's c.o.w?", vocab={"poison", "neighbours"}).text
    'how to poison my neighbours cow'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import AbstractSet

import regex

from agriadvisor.text import ENGLISH_STOPWORDS, ROMAN_STOPWORDS

# Cyrillic and Greek letters that look like Latin ones (lower case; text is case-folded first).
_HOMOGLYPHS = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ү": "y", "ɡ": "g", "ı": "i", "ȷ": "j", "ℓ": "l",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ѵ": "v",
})
# Spelling variants that do not change an Indic or Urdu word.
_SCRIPT_FOLD = str.maketrans({
    "\u093c": None, "\u09bc": None, "\u0a3c": None, "\u0abc": None,  # nukta
    "\u0901": "\u0902",  # Devanagari chandrabindu -> anusvara
    "\u0981": None,  # Bengali chandrabindu
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0647": "\u06c1",  # Arabic -> Urdu letters
    "\u0640": None,  # tatweel
})
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\u064b-\u065f\u0670]"
)
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "+": "t", "€": "e"}
_LEET_AMBIGUOUS = {"1": "il", "!": "il", "|": "li"}
_HAS_LEET = re.compile("[" + re.escape("".join(_LEET) + "".join(_LEET_AMBIGUOUS)) + "]")
_WORD_CHARS = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_SENTENCE_PUNCT = frozenset(".?!;।॥۔")
_CLAUSE_PUNCT = frozenset(",:،")
_CLOSERS = "\"'“”‘’)]}>"
_ROMAN_FOLD = (("aa", "a"), ("ee", "i"), ("ii", "i"), ("oo", "u"), ("uu", "u"), ("ph", "f"), ("w", "v"),
               ("z", "j"), ("q", "k"))
MIN_SPACED_RUN = 3
_EXTRA_WORDS = frozenset("a i my me to how want end life die kill myself self the".split())


@dataclass(frozen=True)
class NormalText:
    """A question after normalisation.

    ``tokens`` are the words; ``roman_tokens`` the same words with romanized spelling variants
    folded (:func:`roman_fold`, ASCII words only); ``sentence`` gives each token's sentence
    number; ``text`` is the tokens joined by spaces and ``raw`` the cleaned characters before
    tokenising (for markup patterns such as ``<|im_start|>``).
    """

    tokens: tuple[str, ...]
    roman_tokens: tuple[str, ...]
    sentence: tuple[int, ...]
    text: str
    raw: str
    clause: tuple[int, ...] = ()


@lru_cache(maxsize=65536)
def roman_fold(word: str) -> str:
    """Fold common romanization variants: "zeher"/"jehar", "peekar"/"pikar", "khwab"/"khvab"."""
    for a, b in _ROMAN_FOLD:
        word = word.replace(a, b)
    return word


# Consonant spellings that are one sound in romanized Hindi, Urdu, Bengali and Nepali.
_KEY_CONSONANTS = (("cchh", "C"), ("chh", "C"), ("cch", "C"), ("ch", "C"), ("ck", "k"), ("sh", "s"), ("kh", "k"),
                   ("gh", "g"), ("bh", "b"), ("dh", "d"), ("th", "t"), ("jh", "j"), ("x", "ks"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_Y_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])y(?=[aeiou])")
_Y_AS_VOWEL = re.compile(r"(?<=.)y(?![aeiou])")
_NASAL = re.compile(r"(?<=[aeiou])n(?=[^aeiouyhn])")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_DOUBLES = re.compile(r"(.)\1+")
MIN_KEY = 3
MIN_KEYED_WORD = 4


@lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """A spelling-tolerant key for a romanized (or English) word; equal keys sound alike.

    Aspirates and digraphs fold (kh/k, sh/s, ph/f, z/j, q/k, w/v), "e" and "a" (the schwa,
    often dropped: "zehr") drop after the first letter, "o" joins "u" and "ee" joins "i",
    doubled letters and a nasal "n" before a consonant go. A word under four letters, or
    whose key is under three, keeps its own spelling (doubles folded) behind "=": short words
    ("mar", "mera", "pe", "pi") differ by their vowels alone. A final vowel stays ("pike" is
    not "pick"); :func:`key_stem` drops it for ``word*`` phrases.

    Example:
        >>> {phonetic_key(w) for w in ("zeher", "zehar", "zahar", "jeher", "zehr")}
        {'jhr'}
        >>> phonetic_key("marr"), phonetic_key("mera")
        ('=mar', '=mera')
    """
    fold = roman_fold(word)
    if not fold.isascii() or not fold.isalpha():
        return "=" + fold
    key = _loose_key(fold)
    single = _DOUBLES.sub(r"\1", fold)
    if len(key.rstrip("a")) < MIN_KEY or len(single) < MIN_KEYED_WORD:
        return "=" + single
    return key


def key_stem(key: str) -> str:
    """The key of a ``word*`` phrase: without its final vowel, so "pesticide*" keeps "pesticides"."""
    return key if key.startswith("=") else key.rstrip("a")


def _loose_key(fold: str) -> str:
    w = fold
    for a, b in _KEY_CONSONANTS[:4]:
        w = w.replace(a, b)
    w = _SOFT_C.sub("s", w.replace("ck", "k")).replace("c", "k")
    for a, b in _KEY_CONSONANTS[5:]:
        w = w.replace(a, b)
    w = w.replace("C", "c").replace("o", "u")
    w = _Y_AS_VOWEL.sub("i", _Y_BETWEEN_VOWELS.sub("", w))
    w = _FINAL_H.sub("", _NASAL.sub("", w))
    w = _DOUBLES.sub(r"\1", w)
    w = w[:-1] + "a" if w[-1] == "e" and len(w) > 1 else w
    head, body, last = w[0], w[1:-1].replace("e", "").replace("a", ""), w[-1:] if len(w) > 1 else ""
    return _DOUBLES.sub(r"\1", head + body + last)


def clean_chars(text: str) -> str:
    """NFKC, invisible characters out, case-folded, marks off Latin letters, look-alikes folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    text = _strip_latin_marks(text)
    return text.translate(_HOMOGLYPHS).translate(_SCRIPT_FOLD)


def _strip_latin_marks(text: str) -> str:
    """Drop accents and stacked combining marks on Latin, Greek and Cyrillic letters only;
    Indic vowel signs are marks too and must stay."""
    if text.isascii():
        return text
    out: list[str] = []
    base = 0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and base < 0x0590:
            continue
        if not unicodedata.combining(ch):
            base = ord(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _in_vocab(word: str, vocab: AbstractSet[str], prefixes: AbstractSet[str]) -> bool:
    if word in vocab:
        return True
    return any(word[:n] in prefixes for n in range(3, len(word)))


def _decode_leet(chunk: str, vocab: AbstractSet[str], prefixes: AbstractSet[str]) -> str:
    """Replace digits and symbols used as letters, when the result is a word the rules know."""
    if not _HAS_LEET.search(chunk) or not any(c.isalpha() for c in chunk):
        return chunk
    core = chunk.strip("\"'“”‘’()[]{}<>,;:.?")
    options = [""]
    for ch in core:
        choices = _LEET_AMBIGUOUS.get(ch) or _LEET.get(ch, ch)
        options = [o + c for o in options for c in choices][:16]
    for cand in options:
        if cand.isalpha() and _in_vocab(cand, vocab, prefixes):
            return chunk.replace(core, cand)
    return chunk


def _tokenise(text: str, vocab: AbstractSet[str], prefixes: AbstractSet[str]) -> tuple[list[str], list[int], list[int]]:
    tokens: list[str] = []
    sentence: list[int] = []
    clause: list[int] = []
    sid = cid = 0
    for line in text.splitlines():
        for chunk in line.split():
            chunk = _decode_leet(chunk.replace("'", "").replace("’", ""), vocab, prefixes)
            for tok in _WORD_CHARS.findall(chunk):
                tokens.append(tok)
                sentence.append(sid)
                clause.append(cid)
            tail = chunk.rstrip(_CLOSERS)
            if tail and tail[-1] in _SENTENCE_PUNCT:
                sid += 1
            if tail and (tail[-1] in _SENTENCE_PUNCT or tail[-1] in _CLAUSE_PUNCT):
                cid += 1
        sid += 1
        cid += 1
    return tokens, sentence, clause


def _is_single_letter(tok: str) -> bool:
    letters = [c for c in tok if not unicodedata.combining(c)]
    return len(letters) == 1 and letters[0].isalpha()


def _segment(word: str, vocab: AbstractSet[str]) -> list[str] | None:
    """Split a run of joined letters into known words ("killmyself" -> kill, myself)."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 20), end):
            prev = best[start]
            if prev is not None and word[start:end] in vocab:
                cand = prev + [word[start:end]]
                if best[end] is None or len(cand) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = cand
    return best[n]


def _join_spaced(tokens: list[str], sentence: list[int], clause: list[int],
                 vocab: AbstractSet[str]) -> tuple[list[str], list[int], list[int]]:
    """Rejoin s p a c e d or d.o.t.t.e.d letters, then split the run into known words."""
    out: list[str] = []
    out_sid: list[int] = []
    out_cid: list[int] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _is_single_letter(tokens[j]) and sentence[j] == sentence[i]:
            j += 1
        if j - i >= MIN_SPACED_RUN:
            joined = "".join(tokens[i:j])
            words = [joined] if joined in vocab else (_segment(joined, vocab) or [joined])
        else:
            words, j = [tokens[i]], i + 1
        out.extend(words)
        out_sid.extend([sentence[i]] * len(words))
        out_cid.extend([clause[i]] * len(words))
        i = j
    return out, out_sid, out_cid


def normalise(text: str, vocab: AbstractSet[str] = frozenset(), prefixes: AbstractSet[str] = frozenset()) -> NormalText:
    """Normalise ``text`` for matching; ``vocab``/``prefixes`` are the words the rules use,
    which guide leetspeak decoding and the splitting of spaced-out letters."""
    vocab = vocab or (ENGLISH_STOPWORDS | ROMAN_STOPWORDS | _EXTRA_WORDS)
    chars = clean_chars(text)
    tokens, sentence, clause = _tokenise(chars, vocab, prefixes)
    tokens, sentence, clause = _join_spaced(tokens, sentence, clause, vocab)
    roman_tokens = tuple(roman_fold(t) if t.isascii() else t for t in tokens)
    return NormalText(tokens=tuple(tokens), roman_tokens=roman_tokens, sentence=tuple(sentence),
                      text=" ".join(tokens), raw=chars, clause=tuple(clause))


def normalise_words(phrase: str) -> list[str]:
    """The tokens of a policy phrase word, normalised exactly as question text is."""
    chars = clean_chars(phrase).replace("'", "").replace("’", "")
    return _WORD_CHARS.findall(chars)


__all__ = ["NormalText", "clean_chars", "normalise", "normalise_words", "key_stem", "phonetic_key", "roman_fold"]
