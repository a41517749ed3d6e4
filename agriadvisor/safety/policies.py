"""Read and validate the policy files in ``guardrails/``.

Each file has a pydantic model with ``extra="forbid"``, so a misspelt key fails loudly, and
every error names the file and the entry (``intents.yaml: rules[4] (harm.person): window: ...``).
Cross-references (a rule naming a concept that does not exist, a ban citing an unknown
source key, a phrase that does not compile) are checked after parsing.

Example:
    >>> policies = load_policies("guardrails")  # doctest: +SKIP
    >>> policies.pesticides.actives[0].id       # doctest: +SKIP
    'phorate'
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agriadvisor.errors import PolicyError
from agriadvisor.safety.phrases import PhraseError, compile_phrase

LangKey = Literal["en", "hi", "bn", "ur", "ne", "si", "ta", "hi_latn", "ur_latn", "bn_latn", "ne_latn", "any"]
TemplateLang = Literal["en", "hi", "bn", "ur", "ne", "si", "ta", "hi_latn", "ur_latn", "bn_latn", "ne_latn"]
Country = Literal["India", "Bangladesh", "Sri Lanka", "Pakistan", "Nepal"]
Crop = Literal["rice", "wheat", "maize", "barley", "sorghum", "cotton", "sugarcane", "millets", "soybean"]
Phrases = dict[LangKey, list[str]]
PESTICIDE_MACRO = "$pesticides"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- intents.yaml -----------------------------------------------------------------------------
class IntentRule(_Strict):
    """One rule: fires on any phrase, on all concepts of ``all_of`` close together, or on markup."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_.]+$")
    category: str
    action: Literal["crisis", "refuse"]
    phrases: Phrases = Field(default_factory=dict)
    all_of: list[str] = Field(default_factory=list)
    ordered: bool | list[LangKey] = False
    within: Literal["sentence", "clause"] = "sentence"
    window: int = Field(default=8, ge=0, le=50)
    unless: list[str] = Field(default_factory=list)
    unless_margin: int = Field(default=2, ge=0, le=20)
    unless_sentence: list[str] = Field(default_factory=list)
    require_any: list[str] = Field(default_factory=list)
    require_window: int = Field(default=12, ge=0, le=50)
    markup: list[str] = Field(default_factory=list)
    source: str | None = None

    @model_validator(mode="after")
    def _has_trigger(self) -> "IntentRule":
        if not (self.phrases or self.all_of or self.markup):
            raise ValueError("a rule needs phrases, all_of or markup")
        return self

    @field_validator("markup")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"markup pattern {pattern!r} is not a valid regex: {exc}") from None
        return value


class IntentsFile(_Strict):
    version: Literal[1]
    default_source: str = Field(min_length=10)
    concepts: dict[str, Phrases]
    rules: list[IntentRule]


# ---- pesticides.yaml --------------------------------------------------------------------------
class Ban(_Strict):
    """A country's ban or restriction of one active, with the instrument and its source."""

    country: Country
    status: Literal["banned", "restricted"]
    instrument: str = Field(min_length=3)
    year: int | None = Field(default=None, ge=1950, le=2100)
    source: str = Field(min_length=3)
    confirmed: bool


class ClassBan(_Strict):
    country: Country
    classes: list[Literal["Ia", "Ib"]] = Field(min_length=1)
    instrument: str
    year: int | None = None
    source: str
    confirmed: bool


class Active(_Strict):
    """One pesticide active ingredient and what the rails do with it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    names: list[str] = Field(min_length=1)
    who_class: Literal["Ia", "Ib"] | None = None
    who_source: str
    note: str | None = None
    stockholm_annex_a: bool = False
    stockholm_source: str | None = None
    refuse_use: bool = False
    rodenticide_bait: bool = False
    bans: list[Ban] = Field(default_factory=list)

    @model_validator(mode="after")
    def _stockholm_sourced(self) -> "Active":
        if self.stockholm_annex_a and not self.stockholm_source:
            raise ValueError("stockholm_annex_a needs a stockholm_source")
        return self


class Brand(_Strict):
    """A trade name farmers use for one active; caught exactly like the active once confirmed."""

    names: list[str] = Field(min_length=1)
    active: str = Field(pattern=r"^[a-z0-9_]+$")
    source: str = Field(min_length=3)
    confirmed: bool


class PesticideCues(_Strict):
    alternative: Phrases
    status: Phrases
    dose_or_use: Phrases


class PesticidesFile(_Strict):
    version: Literal[1]
    sources: dict[str, str]
    cues: PesticideCues
    class_bans: list[ClassBan] = Field(default_factory=list)
    actives: list[Active]
    brands: list[Brand] = Field(default_factory=list)

    def names_of(self, active: Active) -> list[str]:
        """The active's own names and the confirmed trade names that point to it."""
        return [*active.names, *(n for b in self.brands if b.confirmed and b.active == active.id for n in b.names)]


# ---- helplines.yaml ---------------------------------------------------------------------------
class Helpline(_Strict):
    name: str = Field(min_length=3)
    kind: Literal["mental_health", "emergency", "poison_information", "farmer_advice"]
    numbers: list[str]
    source: str = Field(min_length=10)
    checked: str | None = None
    confirmed: bool

    @field_validator("numbers")
    @classmethod
    def _digits(cls, value: list[str]) -> list[str]:
        bad = [n for n in value if not re.fullmatch(r"[0-9][0-9 ()+\-]*", str(n))]
        if bad:
            raise ValueError(f"numbers must be digits, spaces, '-' or '+'; got {bad}")
        return value

    @model_validator(mode="after")
    def _confirmed_has_number(self) -> "Helpline":
        if self.confirmed and not self.numbers:
            raise ValueError("a confirmed line needs at least one number")
        return self


class CountryHelplines(_Strict):
    lines: list[Helpline]


class HelplinesFile(_Strict):
    version: Literal[1]
    countries: dict[Country, CountryHelplines]


# ---- scope.yaml -------------------------------------------------------------------------------
Referral = Literal["veterinary", "fisheries", "horticulture", "extension"]


class Uncovered(_Strict):
    """Things the knowledge base does not cover, and who does (``refer``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["crop", "animal"]
    refer: Referral = "extension"
    names: Phrases
    unless: Phrases = Field(default_factory=dict)
    # Husbandry words ("vaccination", "fingerlings") are out of scope even beside a covered crop
    # ("maize for broiler feed"); plain crop names yield to a covered crop ("okra after rice").
    beats_covered: bool = False
    source: str | None = None


class ScopeFile(_Strict):
    version: Literal[1]
    default_source: str = Field(min_length=10)
    covered_crops: dict[Crop, Phrases]
    uncovered: list[Uncovered]
    farming_words: Phrases
    other_domains: Phrases
    services: Phrases = Field(default_factory=dict)
    other_countries: Phrases
    our_countries: Phrases
    exceptions: Phrases = Field(default_factory=dict)
    nonfarming_cues: list[str] = Field(default_factory=list)


# ---- templates.yaml ---------------------------------------------------------------------------
TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "crisis_support": frozenset(), "crisis_call": frozenset(), "crisis_no_line": frozenset({"country"}),
    "crisis_hospital": frozenset(), "crisis_storage": frozenset(), "refused_harm": frozenset(),
    "refused_injection": frozenset(),
    "refused_pesticide": frozenset({"product", "status", "in_country"}),
    "status_banned": frozenset({"country", "instrument", "year"}),
    "status_restricted": frozenset({"country", "instrument"}), "status_who": frozenset({"who_class"}),
    "status_stockholm": frozenset(), "status_operator_only": frozenset(), "status_banned_elsewhere": frozenset({"countries"}),
    "status_join": frozenset(), "in_country": frozenset({"country"}),
    "out_of_scope_crop": frozenset({"item"}), "out_of_scope_country": frozenset({"countries"}),
    "out_of_scope_topic": frozenset(), "out_of_scope_unknown": frozenset(),
    "out_of_scope_covered": frozenset({"crops", "countries"}), "out_of_scope_contact": frozenset(),
    "refer_veterinary": frozenset(), "refer_fisheries": frozenset(), "refer_horticulture": frozenset(),
    "refer_extension": frozenset(), "refer_call": frozenset({"name", "number"}),
    "safety_note": frozenset(), "bait_note": frozenset(), "list_and": frozenset(), "list_sep": frozenset(),
}


class LanguageTemplates(_Strict):
    texts: dict[str, str]
    crops: dict[Crop, str] = Field(default_factory=dict)
    countries: dict[Country, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if isinstance(data, dict) and "texts" not in data:
            data = dict(data)
            crops, countries = data.pop("crops", {}), data.pop("countries", {})
            return {"texts": data, "crops": crops, "countries": countries}
        return data

    @field_validator("texts")
    @classmethod
    def _known_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if key not in TEMPLATE_FIELDS:
                raise ValueError(f"unknown template {key!r}; use one of {', '.join(sorted(TEMPLATE_FIELDS))}")
            if not isinstance(text, str):
                raise ValueError(f"{key}: must be text")
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            extra = used - TEMPLATE_FIELDS[key]
            if extra:
                raise ValueError(f"{key}: unknown placeholder(s) {sorted(extra)}; allowed: {sorted(TEMPLATE_FIELDS[key])}")
        return value


class TemplatesFile(_Strict):
    version: Literal[1]
    source: str = Field(min_length=10)
    languages: dict[TemplateLang, LanguageTemplates]

    @model_validator(mode="after")
    def _english_complete(self) -> "TemplatesFile":
        en = self.languages.get("en")
        if en is None:
            raise ValueError("languages: 'en' is required (the fallback language)")
        missing = sorted(set(TEMPLATE_FIELDS) - set(en.texts) - {"list_sep"})
        if missing or len(en.crops) < 9 or len(en.countries) < 5:
            raise ValueError(f"languages.en must define every template, crop and country; missing {missing}")
        return self


# ---- output.yaml ------------------------------------------------------------------------------
class OutputFile(_Strict):
    version: Literal[1]
    source: str = Field(min_length=10)
    support_threshold: float = Field(gt=0.0, lt=1.0)
    dose_units: dict[str, list[str]]
    prohibition_cues: Phrases
    pesticide_words: Phrases


# ---- loading ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Policies:
    """All policy files of one folder, validated."""

    folder: Path
    intents: IntentsFile
    pesticides: PesticidesFile
    helplines: HelplinesFile
    scope: ScopeFile
    templates: TemplatesFile
    output: OutputFile


_MODELS: dict[str, type[BaseModel]] = {
    "intents.yaml": IntentsFile, "pesticides.yaml": PesticidesFile, "helplines.yaml": HelplinesFile,
    "scope.yaml": ScopeFile, "templates.yaml": TemplatesFile, "output.yaml": OutputFile,
}


def load_policies(folder: Path | str) -> Policies:
    """Load and validate every policy file in ``folder``; raises :class:`PolicyError`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolicyError(f"guardrails folder {str(folder)!r} does not exist")
    parsed: dict[str, Any] = {name.removesuffix(".yaml"): _parse(folder / name, model) for name, model in _MODELS.items()}
    policies = Policies(folder=folder, **parsed)
    _check_references(policies)
    return policies


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is written twice in one mapping (line {key_node.start_mark.line + 1})",
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def policy_errors(folder: Path | str) -> list[str]:
    """Every problem :func:`load_policies` finds in ``folder``, one line each (empty when valid).

    This is what ``agriadvisor knowledge check`` reports for ``guardrails/``; each line names
    the file and the entry, e.g. ``intents.yaml: rules[4] (harm.person): action: ...``.
    """
    try:
        load_policies(folder)
    except PolicyError as exc:
        return [part.strip() for part in str(exc).split("; ") if part.strip()]
    return []


def _parse(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except FileNotFoundError:
        raise PolicyError(f"{path.name}: file missing from {path.parent}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: cannot read: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path.name}: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise PolicyError(_describe(path.name, data, err)) from None


def _describe(fname: str, data: dict, err: ValidationError) -> str:
    """'file: entry (id): field: message' for each error, so a reviewer can find the line."""
    lines = []
    for e in err.errors():
        loc = list(e["loc"])
        if not loc:
            lines.append(f"{fname}: {e['msg']}")
            continue
        where = _entry_name(data, loc)
        field = ".".join(str(p) for p in loc[where[1]:])
        hint = " (YAML reads yes/no/on/off as true/false: quote the word)" if isinstance(e.get("input"), bool) else ""
        lines.append(f"{fname}: {where[0]}: " + (f"{field}: " if field else "") + f"{e['msg']}{hint}")
    return "; ".join(lines[:8]) + (f"; and {len(lines) - 8} more" if len(lines) > 8 else "")


def _entry_name(data: Any, loc: list) -> tuple[str, int]:
    """The entry an error belongs to, e.g. ``rules[4] (harm.person)``, and how much of loc it used."""
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(loc[0]), list):
        item = data[loc[0]][loc[1]] if loc[1] < len(data[loc[0]]) else None
        ident = f" ({item['id']})" if isinstance(item, dict) and "id" in item else ""
        return f"{loc[0]}[{loc[1]}]{ident}", 2
    if len(loc) >= 2 and isinstance(data.get(loc[0]), dict):
        return f"{loc[0]}.{loc[1]}", 2
    return (str(loc[0]) if loc else "file"), min(1, len(loc))


def _check_references(p: Policies) -> None:
    errors: list[str] = []
    concepts = p.intents.concepts
    seen: set[str] = set()
    for i, rule in enumerate(p.intents.rules):
        where = f"intents.yaml: rules[{i}] ({rule.id})"
        if rule.id in seen:
            errors.append(f"{where}: id is used twice")
        seen.add(rule.id)
        for name in (*rule.all_of, *rule.unless, *rule.unless_sentence, *rule.require_any):
            if name not in concepts:
                errors.append(f"{where}: unknown concept {name!r}; defined: {', '.join(sorted(concepts))}")
        errors += _phrase_errors(where + ": phrases", rule.phrases)
    for name, phrases in concepts.items():
        errors += _phrase_errors(f"intents.yaml: concepts.{name}", phrases)
    pest = p.pesticides
    for i, active in enumerate(pest.actives):
        where = f"pesticides.yaml: actives[{i}] ({active.id})"
        for key in (active.who_source, active.stockholm_source, *(b.source for b in active.bans)):
            if key and key not in pest.sources and len(key) < 25:
                errors.append(f"{where}: source {key!r} is neither a key of 'sources' nor a citation")
        errors += _phrase_errors(where + ": names", {"any": [n.replace("*", "") for n in active.names]})
    errors += _duplicates("pesticides.yaml: actives", [a.id for a in pest.actives])
    known = {a.id for a in pest.actives}
    for i, brand in enumerate(pest.brands):
        where = f"pesticides.yaml: brands[{i}] ({brand.names[0]})"
        if brand.active not in known:
            errors.append(f"{where}: unknown active {brand.active!r}; add it to 'actives' first")
        if brand.source not in pest.sources and len(brand.source) < 25:
            errors.append(f"{where}: source {brand.source!r} is neither a key of 'sources' nor a citation")
        errors += _phrase_errors(where + ": names", {"any": brand.names})
    errors += _duplicates("pesticides.yaml: brands", [n.lower() for b in pest.brands for n in b.names])
    errors += _duplicates("scope.yaml: uncovered", [u.id for u in p.scope.uncovered])
    for name in p.scope.nonfarming_cues:
        if name not in concepts:
            errors.append(f"scope.yaml: nonfarming_cues: unknown intents.yaml concept {name!r}")
    for crop, phrases in p.scope.covered_crops.items():
        errors += _phrase_errors(f"scope.yaml: covered_crops.{crop}", phrases)
    for i, entry in enumerate(p.scope.uncovered):
        errors += _phrase_errors(f"scope.yaml: uncovered[{i}] ({entry.id}): names", entry.names)
        errors += _phrase_errors(f"scope.yaml: uncovered[{i}] ({entry.id}): unless", entry.unless)
    phrase_fields = (("scope.yaml", p.scope, ("farming_words", "other_domains", "services", "other_countries", "our_countries",
                                              "exceptions")),
                     ("output.yaml", p.output, ("prohibition_cues", "pesticide_words")),
                     ("pesticides.yaml", pest.cues, ("alternative", "status", "dose_or_use")))
    for fname, model, keys in phrase_fields:
        for key in keys:
            errors += _phrase_errors(f"{fname}: {key}", getattr(model, key))
    if errors:
        raise PolicyError("; ".join(errors[:8]) + (f"; and {len(errors) - 8} more" if len(errors) > 8 else ""))


def _duplicates(where: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for ident in ids:
        if ident in seen:
            out.append(f"{where}: {ident!r} is used twice")
        seen.add(ident)
    return out


def _phrase_errors(where: str, phrases: dict[str, list[str]]) -> list[str]:
    out = []
    for lang, items in phrases.items():
        for j, phrase in enumerate(items):
            if phrase == PESTICIDE_MACRO:
                continue
            try:
                compile_phrase("check", lang, phrase)
            except PhraseError as exc:
                out.append(f"{where}.{lang}[{j}]: {exc}")
    return out


__all__ = ["Active", "Ban", "Brand", "HelplinesFile", "IntentRule", "IntentsFile", "PESTICIDE_MACRO", "Policies",
           "PesticidesFile", "ScopeFile", "TemplatesFile", "load_policies", "policy_errors"]
