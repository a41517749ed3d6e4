"""Local-language names (glossary.yaml) and place names (places.yaml) mapped to canonical ones."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agriadvisor.errors import KnowledgeError
from agriadvisor.text import clean, tokenize
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES, TOPICS

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

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, v: object) -> object:
        v = [v] if isinstance(v, str) else v
        bad = [c for c in (v or []) if c not in COUNTRIES]
        if bad:
            raise ValueError(f"unknown countries {bad}; use {', '.join(COUNTRIES)}")
        return v


@dataclass(frozen=True)
class TermHit:
    """A word in the question that the glossary or places list recognised."""

    term: str
    canonical: str
    kind: str
    language: str
    crops: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass
class Lexicon:
    """Fast look-up of glossary terms and places in a question.

    Terms and places are matched separately, so "Boro rice" can be both a season that
    names a country and a crop word.
    """

    exact: dict[str, list[TermHit]] = field(default_factory=dict)
    stems: dict[str, list[TermHit]] = field(default_factory=dict)
    max_words: int = 1
    places: "Lexicon | None" = None

    def _add(self, word: str, hit: TermHit) -> None:
        key = " ".join(tokenize(clean(word), drop_stopwords=False))
        if not key:
            return
        self.exact.setdefault(key, []).append(hit)
        self.max_words = max(self.max_words, key.count(" ") + 1)
        stem = _stem(key)
        if stem and stem not in self.exact:
            self.stems.setdefault(stem, []).append(hit)

    def find(self, tokens: list[str]) -> list[TermHit]:
        """Hits for word n-grams; native-script words also match with a grammatical suffix."""
        hits = self._find(tokens)
        if self.places is None:
            return [h for h, _ in hits]
        places = self.places._find(tokens)
        taken = set().union(*(span for _, span in places)) if places else set()
        # "Sri Lanka" must not also read as SRI; a crop word inside a place ("Boro rice") still counts.
        kept = [h for h, span in hits if h.kind == "crop" or not (span & taken)]
        return kept + [h for h, _ in places]

    def _find(self, tokens: list[str]) -> list[tuple[TermHit, set[int]]]:
        hits: list[tuple[TermHit, set[int]]] = []
        used: set[int] = set()
        for n in range(min(self.max_words, 4), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(j in used for j in range(i, i + n)):
                    continue
                key = " ".join(tokens[i:i + n])
                found = self.exact.get(key)
                if found is None and n == 1 and not key.isascii() and len(key) > 2:
                    found = self._prefix(key)
                if found:
                    span = set(range(i, i + n))
                    hits.extend((h, span) for h in found)
                    used.update(span)
        return hits

    def _prefix(self, token: str) -> list[TermHit] | None:
        # Bengali, Hindi, Urdu, Tamil add case endings to the noun (ধানের, धान-को, நெல்லுக்கு).
        for cut in range(len(token) - 1, 1, -1):
            found = self.exact.get(token[:cut]) or self.stems.get(token[:cut])
            if found and cut >= max(2, len(token) // 2):
                return found
        return None


_URDU_ENDINGS = "ہاےیںۂ"


def _stem(word: str) -> str | None:
    """A native-script noun without its final vowel sign or ending, so inflected forms match:
    Tamil கரும்பு -> கரும்ப (கரும்பில்), சோளம் -> சோள (சோளப்), Urdu باجرہ -> باجر (باجرے)."""
    if word.isascii() or " " in word or len(word) < 4:
        return None
    stem = word
    if stem[-1] in _URDU_ENDINGS:
        stem = stem[:-1]
    elif unicodedata.category(stem[-1]).startswith("M"):
        virama = any(k in unicodedata.name(stem[-1], "") for k in ("VIRAMA", "AL-LAKUNA"))
        stem = stem[:-2] if virama else stem[:-1]
    return stem if len(stem) >= 3 and stem != word else None


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


def load_glossary(root: Path | str) -> tuple[list[GlossaryEntry], list[PlaceEntry], list[str]]:
    """Read ``glossary.yaml`` and ``places.yaml`` from ``root``; returns entries and error lines."""
    root = Path(root)
    entries: list[GlossaryEntry] = []
    places: list[PlaceEntry] = []
    errors: list[str] = []
    for fname, model, out in (("glossary.yaml", GlossaryEntry, entries), ("places.yaml", PlaceEntry, places)):
        path = root / fname
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
                lex._add(w, TermHit(w, e.canonical, e.kind, lang, crops))
        lex._add(e.canonical, TermHit(e.canonical, e.canonical, e.kind, "en", crops))
    for p in places:
        for w in (p.name, *p.aliases):
            lex.places._add(w, TermHit(w, p.name, "place", "", countries=tuple(p.countries)))
    return lex


__all__ = ["GlossaryEntry", "Lexicon", "PlaceEntry", "TermHit", "build_lexicon", "load_glossary",
           "LANGUAGES", "STAGES", "TOPICS"]
