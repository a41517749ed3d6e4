"""Local-language names (glossary.yaml) and place names (places.yaml) mapped to canonical ones."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agriadvisor.errors import KnowledgeError
from agriadvisor.text import clean, phrase
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES, TOPICS, country_list

LANGUAGES = ("en", "hi", "bn", "ur", "ne", "si", "ta")
NAME_KEYS = (*LANGUAGES, *(f"{lang}_latn" for lang in LANGUAGES[1:]), "te", "te_latn", "pa", "pa_latn")
KINDS = ("crop", "pest", "disease", "practice", "stage", "topic", "term")


class GlossaryEntry(BaseModel):
    """One concept and the words farmers use for it."""

    model_config = ConfigDict(extra="forbid")

    canonical: str
    kind: str
    crops: list[str] = Field(default_factory=list)
    topic: str | None = None
    names: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {v!r}")
        return v

    @field_validator("crops")
    @classmethod
    def _crops(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in CROPS and c != "all"]
        if bad:
            raise ValueError(f"unknown crop ids {bad}; use {', '.join(CROPS)}")
        return v

    @field_validator("names", mode="before")
    @classmethod
    def _names(cls, v: object) -> object:
        if isinstance(v, dict):
            bad = [k for k in v if k not in NAME_KEYS]
            if bad:
                raise ValueError(f"unknown language keys {bad}; use {', '.join(NAME_KEYS)}")
            return {k: ([x] if isinstance(x, str) else [str(i) for i in (x or [])]) for k, x in v.items()}
        return v


class PlaceEntry(BaseModel):
    """A place name and the country (or countries, when ambiguous) it points to."""

    model_config = ConfigDict(extra="allow")

    name: str
    countries: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    # matched only in capitals, as written: "UP" is Uttar Pradesh, "up" is not
    abbreviations: list[str] = Field(default_factory=list)
    # the farming belt the guides are written for (Terai, mid-hills, dry zone ...)
    region: str | None = None

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, v: object) -> object:
        return country_list(v)


@dataclass(frozen=True)
class TermHit:
    """A word in the question that the glossary or places list recognised."""

    term: str
    canonical: str
    kind: str
    language: str
    crops: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    topic: str | None = None
    region: str | None = None


@dataclass
class Lexicon:
    """Fast look-up of glossary terms and places in a question.

    Terms and places are matched separately, so "Boro rice" can be both a season that
    names a country and a crop word.
    """

    exact: dict[str, list[TermHit]] = field(default_factory=dict)
    stems: dict[str, list[TermHit]] = field(default_factory=dict)
    heads: set[str] = field(default_factory=set)  # the words before the last one of multi-word names
    abbreviations: dict[str, TermHit] = field(default_factory=dict)  # case-sensitive place short forms
    max_words: int = 1
    places: "Lexicon | None" = None

    def _add(self, word: str, hit: TermHit) -> None:
        key = phrase(clean(word))
        if not key:
            return
        self.exact.setdefault(key, []).append(hit)
        self.max_words = max(self.max_words, key.count(" ") + 1)
        if " " in key:
            self.heads.add(key.rsplit(" ", 1)[0])
        stem = _stem(key)
        if stem and stem not in self.exact:
            self.stems.setdefault(stem, []).append(hit)

    def find(self, tokens: list[str]) -> list[TermHit]:
        """Hits for word n-grams; native-script words also match with a grammatical suffix."""
        hits = self._find(tokens)
        if self.places is None:
            return [h for h, _ in hits]
        places = self.places._find(tokens)
        # "Sri Lanka" must not also read as SRI; a crop word inside a place ("Boro rice") still
        # counts; a longer name that contains a place ("Karnal bunt") wins over the place.
        kept: list[TermHit] = []
        beaten: set[frozenset[int]] = set()
        for h, span in hits:
            inside = [frozenset(p) for _, p in places if p & span]
            if h.kind == "crop" or not inside:
                kept.append(h)
            elif all(p < span for p in inside):
                kept.append(h)
                beaten.update(inside)
        return kept + [h for h, span in places if frozenset(span) not in beaten]

    def find_abbreviations(self, text: str) -> list[TermHit]:
        """Place short forms written in capitals ("wheat in UP"), unless the whole text is shouted."""
        letters = [c for c in text if c.isalpha() and c.isascii()]
        if not self.abbreviations or not letters or sum(c.isupper() for c in letters) > len(letters) / 2:
            return []
        return [self.abbreviations[m] for m in _CAPITALS.findall(text) if m in self.abbreviations]

    def _find(self, tokens: list[str]) -> list[tuple[TermHit, set[int]]]:
        hits: list[tuple[TermHit, set[int]]] = []
        used: set[int] = set()
        for n in range(min(self.max_words, 4), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(j in used for j in range(i, i + n)):
                    continue
                key = " ".join(tokens[i:i + n])
                found = self.exact.get(key)
                last = tokens[i + n - 1]
                if found is None and not last.isascii() and len(last) > 2:
                    head = " ".join(tokens[i:i + n - 1])
                    if n == 1 or head in self.heads:
                        found = self._prefix(last, head)
                elif found is None and n == 1:
                    found = self._latin_crop(last)
                if found:
                    span = set(range(i, i + n))
                    hits.extend((h, span) for h in found)
                    used.update(span)
        return hits

    def _latin_crop(self, token: str) -> list[TermHit] | None:
        """A romanized crop name with a Bengali or Nepali case ending: dhaner, gomer, dhane,
        makaiko, gahuma. Only crop names of three or more letters, only romanized ones (an
        English word never takes these endings), and only these endings."""
        if token in LATIN_LOOKALIKES:
            return None
        for ending in LATIN_CASE_ENDINGS:
            base = token[:-len(ending)]
            if token.endswith(ending) and len(base) >= 3:
                found = [h for h in self.exact.get(base, ()) if h.kind == "crop" and h.language.endswith("_latn")]
                if found:
                    return found
        return None

    def _prefix(self, token: str, head: str = "") -> list[TermHit] | None:
        # Bengali, Hindi, Urdu, Tamil add case endings to the noun (ধানের, धान-को, நெல்லுக்கு);
        # in a name of several words the ending sits on the last one (মাজরা পোকার).
        lead = f"{head} " if head else ""
        for cut in range(len(token) - 1, 1, -1):
            key = lead + token[:cut]
            found = self.exact.get(key) or self.stems.get(key)
            if not found:
                continue
            rest = token[cut:]
            if rest in CASE_ENDINGS:  # a known case ending: நெல் + லுக்கு, ধান + ের
                return found
            if rest in TAMIL_AM_ENDINGS and any(h.term.endswith("\u0bae\u0bcd") for h in found):
                return found
            if not head and cut <= SHORT_NAME:
                continue  # চাল (rice) is not চালু (switched on), தினை (millet) not தினமும் (daily)
            # otherwise the name must cover half the word; a long one (6+ letters) may carry a long
            # Tamil or Sinhala ending chain (குருவிகளிடமிருந்து, "from the birds")
            if cut >= min(max(2, len(token) // 2), LONG_NAME):
                return found
        return None


# romanized Bengali (-er "of", -e "in", -r) and Nepali (-ko "of", -ma "in") endings on crop names
LATIN_CASE_ENDINGS = ("er", "ko", "ma", "e", "r")
LATIN_LOOKALIKES = frozenset({"veer", "weer"})  # English words that read as vee/wee (Sinhala rice) + ending
_URDU_ENDINGS = "ہاےیںۂ"
LONG_NAME = 6
SHORT_NAME = 4
# After a name of four letters or fewer only a real case ending may follow: the first letters
# of a long word are too often another word. Endings of Bengali, Hindi/Nepali, Urdu, Tamil, Sinhala.
CASE_ENDINGS = frozenset({
    # Bengali
    "ের", "র", "ে", "য়", "য়ের", "কে", "তে", "টি", "টা", "টার", "গুলো", "গুলোর", "ও", "েও", "েই", "ই", "এ", "েতে",
    "ক্ষেত", "ক্ষেতে", "ক্ষেতের", "চাষ", "চাষে",
    # Hindi / Nepali
    "को", "का", "की", "के", "में", "मा", "ले", "लाई", "हरू", "ों", "ें", "े", "ा", "ी", "ो", "मे", "बाट", "लाई", "मै",
    "ओं", "एं",
    # Urdu
    "وں", "یں", "ے", "ی", "کا", "کی", "کے", "میں", "ئی", "ۓ", "ا",
    # Tamil
    "ை", "ில்", "க்கு", "ின்", "ும்", "யை", "யில்", "க்", "ப்", "த்", "ையை", "ையில்", "ைக்கு", "ையின்", "ைப்",
    "ல்", "லை", "லில்", "லுக்கு", "ுக்கு", "ிலும்", "ையும்", "லும்", "ில", "ிற்கு", "வை", "வுக்கு", "வில்",
    # Sinhala
    "ට", "ේ", "වලට", "වල", "ක්", "යි", "ද", "ත්", "ය", "ගේ", "ෙන්", "වට",
})
# Tamil nouns in -am take -att- before an ending (சோளம் -> சோளத்தில்); only for names in -ம்,
# or தினை (millet) would read தினத்தில் ("on the day").
TAMIL_AM_ENDINGS = frozenset({"த்தில்", "த்தை", "த்திற்கு", "த்துக்கு", "த்தின்", "த்திலும்", "த்தையும்"})
_CAPITALS = re.compile(r"(?<![\w.])([A-Z]{2,3})(?![\w.])")


def _stem(key: str) -> str | None:
    """A native-script noun without its final vowel sign or ending, so inflected forms match:
    Tamil கரும்பு -> கரும்ப (கரும்பில்), சோளம் -> சோள (சோளப்), Urdu باجرہ -> باجر (باجرے).

    For scripts whose endings replace the last vowel (Tamil, Urdu, Sinhala), and in Devanagari
    only a final -aa (बाजरा -> बाजरे). Bengali endings are added after the whole word, and there a
    cut word is often another word (মরিচা "rust" without its vowel is মরিচ "chilli"). In a name of
    several words the last word is stemmed.
    """
    head, _, word = key.rpartition(" ")
    if word.isascii() or len(word) < 4 or any("\u0980" <= ch <= "\u09ff" for ch in word):
        return None
    if any("\u0900" <= ch <= "\u097f" for ch in word):
        # Hindi/Nepali: only a final -aa changes (बाजरा -> बाजरे, गन्ना -> गन्नों); other cuts misread
        return (f"{head} {word[:-1]}" if head else word[:-1]) if word.endswith("\u093e") and len(word) >= 5 else None
    stem = word
    if stem[-1] in _URDU_ENDINGS:
        stem = stem[:-1]
    elif unicodedata.category(stem[-1]).startswith("M"):
        virama = any(k in unicodedata.name(stem[-1], "") for k in ("VIRAMA", "AL-LAKUNA"))
        stem = stem[:-2] if virama else stem[:-1]
    if len(stem) < 3 or stem == word:
        return None
    return f"{head} {stem}" if head else stem


def _read_yaml_list(path: Path) -> list:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}".replace("\n", " ")) from exc
    if data is None:
        return []
    if isinstance(data, dict):
        data = data.get("entries") or data.get("places") or []
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: expected a YAML list of entries")
    return data


def glossary_files(root: Path | str) -> list[Path]:
    """``glossary.yaml`` first, then the ``glossary-*.yaml`` files (e.g. glossary-terms.yaml) in name order."""
    root = Path(root)
    return [p for p in [root / "glossary.yaml", *sorted(root.glob("glossary-*.yaml"))] if p.is_file()]


def load_glossary(root: Path | str) -> tuple[list[GlossaryEntry], list[PlaceEntry], list[str]]:
    """Read ``glossary.yaml`` (and any ``glossary-*.yaml`` beside it) and ``places.yaml`` from
    ``root``; returns entries, places and error lines."""
    root = Path(root)
    entries: list[GlossaryEntry] = []
    places: list[PlaceEntry] = []
    errors: list[str] = []
    files: list[tuple[Path, type[BaseModel], list]] = [(p, GlossaryEntry, entries) for p in glossary_files(root)]
    files.append((root / "places.yaml", PlaceEntry, places))
    for path, model, out in files:
        fname = path.name
        if not path.exists():
            continue
        try:
            rows = _read_yaml_list(path)
        except KnowledgeError as exc:
            errors.append(str(exc))
            continue
        for i, row in enumerate(rows):
            try:
                out.append(model.model_validate(row))
            except ValidationError as err:
                for e in err.errors():
                    loc = ".".join(str(p) for p in e["loc"])
                    errors.append(f"{fname}: entry {i + 1}: {loc}: {e['msg']}")
    return entries, places, errors


_BUILTIN_CROPS = {
    "rice": ["rice", "paddy", "paddies"], "wheat": ["wheat"], "maize": ["maize", "corn"],
    "barley": ["barley"], "sorghum": ["sorghum", "jowar"], "cotton": ["cotton"],
    "sugarcane": ["sugarcane", "sugar cane", "cane"], "millets": ["millet", "millets", "bajra", "ragi"],
    "soybean": ["soybean", "soybeans", "soyabean", "soya"],
}


def build_lexicon(entries: list[GlossaryEntry], places: list[PlaceEntry]) -> Lexicon:
    """Index every name for look-up; built-in English crop and country names are always present."""
    lex = Lexicon()
    for crop, words in _BUILTIN_CROPS.items():
        for w in words:
            lex._add(w, TermHit(w, crop, "crop", "en", (crop,)))
    lex.places = Lexicon()
    for country in COUNTRIES:
        lex.places._add(country, TermHit(country, country, "place", "en", countries=(country,)))
    for e in entries:
        crops = tuple(e.crops) if e.kind != "crop" else (e.canonical,)
        for lang, words in e.names.items():
            for w in words:
                lex._add(w, TermHit(w, e.canonical, e.kind, lang, crops, topic=e.topic))
        lex._add(e.canonical, TermHit(e.canonical, e.canonical, e.kind, "en", crops, topic=e.topic))
    for p in places:
        for w in (p.name, *p.aliases):
            lex.places._add(w, TermHit(w, p.name, "place", "", countries=tuple(p.countries), region=p.region))
        for a in p.abbreviations:
            lex.places.abbreviations[a] = TermHit(a, p.name, "place", "", countries=tuple(p.countries), region=p.region)
    return lex


__all__ = ["GlossaryEntry", "Lexicon", "PlaceEntry", "TermHit", "build_lexicon", "load_glossary",
           "LANGUAGES", "STAGES", "TOPICS"]
