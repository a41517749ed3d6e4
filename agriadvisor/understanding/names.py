"""Names farmers use for things: product brands (products.yaml) and crop varieties (varieties.yaml).

A brand names its active ingredient ("Regent" is fipronil), and the active is what the guides
talk about; a variety code names its crop ("PBW 621" is Punjab wheat). Codes are compared
after normalisation (case, spaces, hyphens and native digits ignored), so "PBW 621",
"PBW-621" and "pbw621" are one key without listing each. A code of a known series that is not
listed ("PBW 999") still gives the crop through the series' prefix rule.

Example:
    >>> book = NameBook.from_folder("knowledge")          # doctest: +SKIP
    >>> [(m.name, m.crop) for m in book.find("Is pbw-621 good?")]  # doctest: +SKIP
    [('PBW 621', 'wheat')]
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agriadvisor.errors import KnowledgeError
from agriadvisor.models import NameMatch, QueryInfo
from agriadvisor.text import clean, tokenize
from agriadvisor.vocab import CROPS, TOPICS, country_list

PRODUCT_KINDS = ("insecticide", "fungicide", "herbicide", "bactericide", "acaricide", "nematicide", "rodenticide",
                 "fertiliser", "micronutrient", "biofertiliser", "biopesticide", "biostimulant", "growth_regulator")
KIND_TOPIC = {"insecticide": "pests", "acaricide": "pests", "nematicide": "pests", "rodenticide": "pests",
              "biopesticide": "pests", "fungicide": "diseases", "bactericide": "diseases", "herbicide": "weeds",
              "fertiliser": "nutrients", "micronutrient": "nutrients", "biofertiliser": "nutrients",
              "biostimulant": "nutrients", "growth_regulator": "nutrients"}
# A brand that is also an everyday word ("Tilt", "Beam") counts only beside one of these.
_PRODUCT_CUE = re.compile(r"\b(dose|dosage|spray\w*|uses?|what is|insecticide|fungicide|herbicide|weedicide|pesticide|"
                          r"apply|ml|gm?|grams?|kg|per acre|mix\w*|brand|product|medicine|dawa|dawai|chemical|"
                          # romanized Hindi/Urdu, Bengali, Nepali: how much, put, spray
                          r"kitna|kitni|dale|dalein|dalna|chidkav|chhidkav|spre|koto|kotota|dibo|deya|kati|halne|haalne)\b"
                          r"|कितना|कितनी|डालें|डाले|छिड़क|प्रयोग|इस्तेमाल|मात्रा|ব্যবহার|استعمال|ගහන්න|பயன்படுத்த|دوا|کتنا|سپرے|কত|দিব|স্প্রে|कति|हाल्ने|කොච්චර|ඉසින්න|எவ்வளவு|தெளி|ఎంత|మోతాదు|స్ప్రే|పిచికారీ",
                          re.I)
# A variety name that is also a person's name ("Gautam") counts only beside a variety or seed word.
_VARIETY_CUE = re.compile(r"\b(variety|varieties|varity|varities|seed|seeds|hybrid|beej|bij|kism|kisim|jaat|jat|sowing|"
                          r"yield|duration)\b|किस्म|बीज|जात|জাত|বীজ|قسم|بیج|ප්රභේද|ரகம்|விதை", re.I)
# After a series code these words mean a quantity, not a variety ("at 300 days", "co 250 kg").
_UNIT_AFTER = r"(?!\s*(?:days?|din|kg|kgs|ml|g|gm|grams?|l|lit\w*|%|cm|mm|hours?|hrs?|das|dat|ppm|acres?|ha|rs)\b)"
_NATIVE_DIGITS = {cp: str(unicodedata.digit(chr(cp))) for start in (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                                                     0x0BE6, 0x0C66, 0x0DE6) for cp in range(start, start + 10)}
_NOT_KEY = regex.compile(r"[^\p{L}\p{M}\p{N}]")  # vowel signs stay: टॉपिक (Topik) is not टपक (drip)


def sound_key(text: str, *, vowels: bool = False) -> str:
    """A rough sound skeleton of a name written in any script, for brands typed in a local script
    ("ஃபோலிகூர்", "ටිල්ට්", "एक्सियल"): transliterated to Latin, voiced and unvoiced consonants merged,
    vowels dropped but for a leading one. "" when the anyascii package is not installed."""
    try:
        from anyascii import anyascii
    except ImportError:  # pragma: no cover - optional precision, not a requirement
        return ""
    t = re.sub(r"[^a-z]", "", anyascii(unicodedata.normalize("NFC", text)).lower())
    for a, b in _SOUND_STEPS:
        t = re.sub(a, b, t)
    if vowels:  # every vowel run is one "a": कालडान and Caldan are both "kaltan"
        return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiou]+", "a", re.sub(r"[yhw]", "", t)))
    lead = "a" if t[:1] in "aeiou" else ""
    t = re.sub(r"[aeiouyhw]", "", t)
    return lead + re.sub(r"(.)\1+", r"\1", t)


_SOUND_STEPS = ((r"kp", "p"), (r"ph", "p"), (r"g(?=[eiy])", "j"), (r"x", "ks"), (r"[qcg]", "k"), (r"[bfv]", "p"),
                (r"d", "t"), (r"z", "j"), (r"sh", "s"))


# English letters as they are spelled in Hindi/Nepali, Bengali, Sinhala and Urdu, so that a code
# written out in a local script ("एचडी 2967", "ඒටී 362", "ایچ ڈی 2967") reads as HD 2967, At 362.
_LETTER_NAMES = {
    "A": "ए এ ඒ එ اے", "B": "बी বি බී بی", "C": "सी সি සී سی", "D": "डी ডি ඩී ڈی", "E": "ई ই ඊ ای",
    "F": "एफ এফ එෆ් ایف", "G": "जी জি ජී جی", "H": "एच এইচ එච් ایچ", "I": "आई আই අයි آئی", "J": "जे জে ජේ جے",
    "K": "के কে කේ کے", "L": "एल এল එල් ایل", "M": "एम এম එම් ایم", "N": "एन এন එන් این", "O": "ओ ও ඕ او",
    "P": "पी পি පී پی", "Q": "क्यू কিউ کیو", "R": "आर আর ආර් آر", "S": "एस এস එස් ایس", "T": "टी টি ටී ٹی",
    "U": "यू ইউ යූ یو", "V": "वी ভি وی", "W": "डब्ल्यू डबल्यू ডব্লিউ ඩබ්ලිව් ڈبلیو", "X": "एक्स এক্স එක්ස් ایکس",
    "Y": "वाई ওয়াই වයි وائی", "Z": "जेड ज़ेड জেড ඉසෙඩ් زیڈ",
}
_SPELLED = {unicodedata.normalize("NFC", w): letter for letter, ws in _LETTER_NAMES.items() for w in ws.split()}
_SPELLED_MAX = max(len(w) for w in _SPELLED)


def spelled_letters(word: str) -> str | None:
    """"एचडी" -> "HD": a word made only of English letter names in a local script, else None."""
    word = unicodedata.normalize("NFC", word.replace("\u200d", "").replace("\u200c", ""))
    out, i = "", 0
    while i < len(word):
        for n in range(min(_SPELLED_MAX, len(word) - i), 0, -1):
            if word[i:i + n] in _SPELLED:
                out, i = out + _SPELLED[word[i:i + n]], i + n
                break
        else:
            return None
    return out or None


def name_key(text: str) -> str:
    """The comparison form of a name: lower case, ASCII digits, no spaces, hyphens, dots or joiners."""
    text = unicodedata.normalize("NFKC", text).translate(_NATIVE_DIGITS).lower()
    return _NOT_KEY.sub("", text.replace("\u200c", "").replace("\u200d", ""))


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(default_factory=list, description="Other spellings and local-script forms.")
    countries: list[str] = Field(min_length=1)
    source: str = Field(min_length=3)
    common_word: bool = False  # also an everyday word: counts only beside a cue

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, v: object) -> object:
        return country_list(v)

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("every entry needs a source")
        return v


def _crop_ok(v: str) -> str:
    if v not in CROPS:
        raise ValueError(f"unknown crop {v!r}; use {', '.join(CROPS)}")
    return v


class Product(_Entry):
    """A brand sold to farmers and what is in it."""

    brand: str = Field(min_length=2)
    active: list[str] = Field(min_length=1)
    kind: Literal[PRODUCT_KINDS]  # type: ignore[valid-type]
    formulation: list[str] = Field(default_factory=list)
    crops: list[str] = Field(default_factory=list, description="Crops on the label, where sure.")
    controls: str = ""
    maker: str = ""

    @field_validator("active", "formulation", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("crops")
    @classmethod
    def _crops(cls, v: list[str]) -> list[str]:
        return [_crop_ok(c) for c in v]

    def meaning(self) -> tuple:
        return tuple(sorted(a.lower() for a in self.active))


class Variety(_Entry):
    """A released variety or hybrid."""

    name: str = Field(min_length=2)
    crop: str
    maturity: str = ""
    traits: list[str] = Field(default_factory=list)

    _crop = field_validator("crop")(classmethod(lambda cls, v: _crop_ok(v)))

    def meaning(self) -> tuple:
        return (self.crop,)


class Series(_Entry):
    """A code prefix that names the crop of every variety in the series ("PBW" -> wheat)."""

    prefix: str = Field(min_length=1)
    crop: str
    case_sensitive: bool = False  # "At 362" is a variety, "at 362" may be a sentence
    min_digits: int = Field(default=2, ge=1, le=6)

    _crop = field_validator("crop")(classmethod(lambda cls, v: _crop_ok(v)))


class VarietiesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    series: list[dict] = Field(default_factory=list)
    varieties: list[dict] = Field(default_factory=list)


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc}".replace("\n", " ")) from exc


def _validate(rows: object, model: type[_Entry], fname: str, label: str, errors: list[str]) -> list:
    out = []
    if not isinstance(rows, list):
        errors.append(f"{fname}: expected a list of entries")
        return out
    for i, row in enumerate(rows):
        title = row.get(label, "?") if isinstance(row, dict) else "?"
        try:
            out.append(model.model_validate(row))
        except ValidationError as err:
            for e in err.errors():
                loc = ".".join(str(p) for p in e["loc"]) or "entry"
                errors.append(f"{fname}: entry {i + 1} ({title}): {loc}: {e['msg']}")
    return out


def _duplicates(entries: list, label: str, fname: str, errors: list[str]) -> None:
    """Two entries whose names share a key must mean the same thing (same active, same crop)."""
    seen: dict[str, object] = {}
    for e in entries:
        title = getattr(e, label)
        for n in dict.fromkeys(name_key(x) for x in (title, *e.names)):
            other = seen.get(n)
            if other is not None and other is not e and other.meaning() != e.meaning():
                errors.append(f"{fname}: duplicate name {n!r}: entry {title!r} means {'/'.join(e.meaning())}, "
                              f"entry {getattr(other, label)!r} means {'/'.join(other.meaning())}")
            seen.setdefault(n, e)


def load_names(root: Path | str) -> tuple[list[Product], list[Variety], list[Series], list[str]]:
    """Read ``products.yaml`` and ``varieties.yaml`` from ``root``; returns entries and error lines."""
    root = Path(root)
    errors: list[str] = []
    products: list[Product] = []
    varieties: list[Variety] = []
    series: list[Series] = []
    ppath, vpath = root / "products.yaml", root / "varieties.yaml"
    try:
        if ppath.is_file():
            data = _read(ppath)
            rows = data.get("products") if isinstance(data, dict) else data
            products = _validate(rows or [], Product, ppath.name, "brand", errors)
            _duplicates(products, "brand", ppath.name, errors)
        if vpath.is_file():
            data = _read(vpath) or {}
            if not isinstance(data, dict):
                errors.append(f"{vpath.name}: expected keys 'series' and 'varieties'")
                data = {}
            unknown = [k for k in data if k not in ("series", "varieties")]
            errors += [f"{vpath.name}: unknown key {k!r}; use series, varieties" for k in unknown]
            series = _validate(data.get("series") or [], Series, vpath.name, "prefix", errors)
            varieties = _validate(data.get("varieties") or [], Variety, vpath.name, "name", errors)
            _duplicates(varieties, "name", vpath.name, errors)
            _series_clashes(series, vpath.name, errors)
    except KnowledgeError as exc:
        errors.append(str(exc))
    return products, varieties, series, errors


def _series_clashes(series: list[Series], fname: str, errors: list[str]) -> None:
    seen: dict[str, Series] = {}
    for s in series:
        k = name_key(s.prefix)
        other = seen.setdefault(k, s)
        if other is not s and other.crop != s.crop:
            errors.append(f"{fname}: duplicate series prefix {s.prefix!r}: {other.crop} and {s.crop}")


class NameBook:
    """Finds product brands and variety names or codes in a question."""

    def __init__(self, products: list[Product] = (), varieties: list[Variety] = (), series: list[Series] = (),
                 *, known: Iterable[str] = ()) -> None:
        self.known = frozenset(known)  # local words (the glossary's) that are never a brand heard by sound
        self.products = list(products)
        self.varieties = list(varieties)
        self.series = list(series)
        self._keys: dict[str, Product | Variety] = {}
        for e in [*self.varieties, *self.products]:  # a brand wins a clash with a variety name
            for n in (getattr(e, "brand", None) or e.name, *e.names):
                if name_key(n):
                    self._keys[name_key(n)] = e
        self.max_tokens = 5
        # brands by sound, for names typed in a local script; a sound shared by two meanings is dropped
        self._sounds: dict[str, Product | None] = {}
        for p in self.products:
            for n in (p.brand, *p.names):
                k = sound_key(n) if n.isascii() else ""
                # fewer than four sounds collide with ordinary words (सोयाबीन, soybean, with Sevin); four
                # must agree in their vowels too (প্রধান, "main", is not Furadan)
                if len(k) >= 4:
                    old = self._sounds.get(k, p)
                    self._sounds[k] = p if old is p or (old is not None and old.meaning() == p.meaning()) else None
        self._series = [(s, _series_regex(s)) for s in self.series]

    def all_names(self) -> list[str]:
        """Every brand and variety name and spelling (for the known-words list of the coverage check)."""
        return [n for e in [*self.products, *self.varieties] for n in (getattr(e, "brand", None) or e.name, *e.names)]

    @classmethod
    def from_folder(cls, root: Path | str, *, known: Iterable[str] = ()) -> "NameBook":
        products, varieties, series, _errors = load_names(root)
        return cls(products, varieties, series, known=known)

    def find(self, text: str, tokens: list[str] | None = None) -> list[NameMatch]:
        """Brands and varieties named in ``text``, longest names first, each once."""
        text = clean(text)
        tokens = tokens if tokens is not None else tokenize(text, drop_stopwords=False)
        keys = [name_key(t) for t in tokens]
        used: set[int] = set()
        out: dict[str, NameMatch] = {}
        for n in range(min(self.max_tokens, len(keys)), 0, -1):
            for i in range(len(keys) - n + 1):
                if used.intersection(range(i, i + n)):
                    continue
                entry = self._keys.get("".join(keys[i:i + n]))
                cue = _PRODUCT_CUE if isinstance(entry, Product) else _VARIETY_CUE
                if entry is None or (entry.common_word and not cue.search(text)):
                    continue
                used.update(range(i, i + n))
                m = _match(entry, " ".join(tokens[i:i + n]))
                out.setdefault(m.name, m)
        if not text.isascii():
            self._spelled_codes(tokens, used, out)
        if self._sounds and not text.isascii():
            self._by_sound(tokens, used, text, out)
        if self._series:
            found = {m.crop for m in out.values() if m.kind != "product"}
            plain = text.translate(_NATIVE_DIGITS)
            for s, rx in self._series:
                hit = rx.search(plain)
                if hit and s.crop not in found and name_key(hit.group(0)) not in self._keys:
                    out.setdefault(hit.group(0), _series_match(s, hit.group(0)))
        return list(out.values())


    def _spelled_codes(self, tokens: list[str], used: set[int], out: dict[str, NameMatch]) -> None:
        """Variety codes whose letters are spelled out in a local script: "एचडी 2967", "ඒටී 362"."""
        for i, tok in enumerate(tokens):
            digits = name_key(tok)
            if i in used or not digits.isdigit():
                continue
            for n in (1, 2, 3):
                words = tokens[max(0, i - n):i]
                letters = spelled_letters("".join(words)) if len(words) == n and not any(w.isascii() for w in words) else None
                if not letters:
                    continue
                entry = self._keys.get(name_key(letters + digits))
                if isinstance(entry, Variety):
                    out.setdefault(entry.name, _match(entry, " ".join([*words, tok])))
                    used.update(range(i - n, i + 1))
                    break
                code = f"{letters} {digits}"
                rule = next((ser for ser, rx in self._series
                             for form in (code, code.title()) if rx.fullmatch(form)), None)
                if rule is not None:
                    out.setdefault(code, _series_match(rule, code))
                    used.update(range(i - n, i + 1))
                    break

    def _by_sound(self, tokens: list[str], used: set[int], text: str, out: dict[str, NameMatch]) -> None:
        """Brands written in a local script, in a question that asks for a dose or spray: a word (two
        for a two-word brand) whose sound skeleton is a brand's and that is no glossary word."""
        if not _PRODUCT_CUE.search(text):
            return
        for n in (2, 1):
            for i in range(len(tokens) - n + 1):
                words = tokens[i:i + n]
                if (used.intersection(range(i, i + n)) or any(w.isascii() or w in self.known for w in words)):
                    continue
                word = "".join(words)
                k = sound_key(word)
                entry = self._sounds.get(k)
                if entry is None or len(entry.brand.split()) != n:
                    continue
                if len(k) < 5 and sound_key(word, vowels=True) not in {
                        sound_key(x, vowels=True) for x in (entry.brand, *entry.names) if x.isascii()}:
                    continue
                used.update(range(i, i + n))
                out.setdefault(entry.brand, _match(entry, " ".join(words)))


def _series_regex(s: Series) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", s.prefix.strip()) if w]
    gap = r"[\s\-_.]*"
    body = gap.join(words) + gap + rf"\d{{{s.min_digits},6}}(?!\d)" + _UNIT_AFTER
    return re.compile(rf"(?<![\w]){body}", 0 if s.case_sensitive else re.I)


def _match(entry: Product | Variety, written: str) -> NameMatch:
    if isinstance(entry, Product):
        return NameMatch(kind="product", name=entry.brand, written=written, actives=entry.active,
                         category=entry.kind, formulation=entry.formulation, controls=entry.controls,
                         crop=entry.crops[0] if len(entry.crops) == 1 else None, countries=entry.countries,
                         origin=f"products.yaml: {entry.brand}", source=entry.source)
    return NameMatch(kind="variety", name=entry.name, written=written, crop=entry.crop, countries=entry.countries,
                     maturity=entry.maturity, traits=entry.traits, origin=f"varieties.yaml: {entry.name}",
                     source=entry.source)


def _series_match(s: Series, written: str) -> NameMatch:
    return NameMatch(kind="series", name=written, written=written, crop=s.crop, countries=s.countries,
                     origin=f"varieties.yaml: series {s.prefix}", source=s.source)


def without_named(hits: list, matches: list[NameMatch]) -> list:
    """Glossary hits that are not part of a brand or variety name (the PBW of "PBW 621")."""
    if not matches:
        return hits
    inside = {t for m in matches for t in tokenize(m.written, drop_stopwords=False)}
    return [h for h in hits if not set(tokenize(h.term, drop_stopwords=False)) <= inside]


def apply_names(info: QueryInfo, matches: list[NameMatch], *, crop_arg: str | None, country_arg: str | None) -> None:
    """Record the matches on ``info``; a variety gives the crop (and a unique country), a brand
    gives the topic and its active ingredients for the search query."""
    if not matches:
        return
    info.names = matches
    crops = {m.crop for m in matches if m.kind != "product" and m.crop}
    if len(crops) == 1 and not crop_arg and not info.crops_mentioned:
        info.crop, info.crop_from = crops.pop(), "variety"
    elif crops and info.crops_mentioned and info.crop not in crops:
        info.notes.append(f"the variety named is {'/'.join(sorted(crops))}, the crop named is {info.crop}; "
                          f"answering for {info.crop}")
    product_crops = {m.crop for m in matches if m.kind == "product" and m.crop}
    if info.crop is None and len(product_crops) == 1:
        info.crop, info.crop_from = product_crops.pop(), "product"
    for kind, label in (("variety", "variety"), ("product", "product")):
        countries = {tuple(m.countries) for m in matches if (m.kind == "product") == (kind == "product")}
        if (len(countries) == 1 and len(next(iter(countries))) == 1 and not country_arg
                and info.country_from in (None, "language", "default")):
            info.country, info.country_from = next(iter(countries))[0], label
            # a place that fits two countries ("Punjab") is settled by where the variety or brand is from
            info.notes = [n for n in info.notes if "could be in" not in n]


def extend_query(info: QueryInfo) -> None:
    """After the search text is built: a brand adds its topic and active ingredients, a variety its crop."""
    matches = info.names
    if not matches:
        return
    topics = set(info.topics) | {KIND_TOPIC[m.category] for m in matches if m.kind == "product" and m.category}
    if any(m.kind != "product" for m in matches) and not topics:
        topics.add("seed")
    info.topics = [t for t in TOPICS if t in topics]
    extra = [a for m in matches if m.kind == "product" for a in (*m.actives, m.category or "")]
    extra += [m.crop for m in matches if m.kind != "product" and m.crop]
    extra = [e.replace("_", " ") for e in dict.fromkeys(extra)
             if e and e.lower() not in info.search_query.lower()]
    if extra:
        info.search_query = f"{info.search_query} {' '.join(extra)}".strip()
        info.normalized = f"{info.normalized} ({', '.join(extra)})"


def product_brands_for_rails(products: list[Product], known_actives: dict[str, object]) -> list[tuple[str, list[str], str]]:
    """(active id, brand names, source) for each product whose active the pesticide rails know,
    so a brand of a banned active is refused exactly as the active is."""
    out = []
    for p in products:
        for a in p.active:
            aid = re.sub(r"[^a-z0-9]+", "_", a.lower()).strip("_")
            if aid in known_actives:
                out.append((aid, [p.brand, *p.names], f"knowledge/products.yaml: {p.brand}: {p.source}"))
    return out


def add_brands_to_rails(policies: object, products: list[Product]) -> int:
    """Give the pesticide rails the brands of products.yaml whose active they know (a brand of a
    banned active is then refused like the active); returns how many brand entries were added."""
    file = getattr(policies, "pesticides", None)
    if file is None or not hasattr(file, "brands"):
        return 0
    from agriadvisor.safety.policies import Brand

    have = {n.lower() for a in file.actives for n in file.names_of(a)}
    added = 0
    for aid, names, source in product_brands_for_rails(products, {a.id: a for a in file.actives}):
        new = [n for n in dict.fromkeys(names) if n.lower() not in have]
        if new:
            file.brands.append(Brand(names=new, active=aid, source=source, confirmed=True))
            have.update(n.lower() for n in new)
            added += 1
    return added


__all__ = ["add_brands_to_rails", "without_named", "NameBook", "Product", "Series", "Variety", "apply_names", "load_names", "name_key", "sound_key", "spelled_letters",
           "product_brands_for_rails", "PRODUCT_KINDS"]
