"""Closed vocabularies shared by the knowledge base, retrieval, guardrails and outside checks."""

from __future__ import annotations

from typing import Literal

COUNTRIES: tuple[str, ...] = ("India", "Bangladesh", "Sri Lanka", "Pakistan", "Nepal")


def country_list(value: object) -> object:
    """A pydantic ``before`` validator body: one country or a list, each one of :data:`COUNTRIES`."""
    value = [value] if isinstance(value, str) else value
    bad = [c for c in (value or []) if c not in COUNTRIES]
    if bad:
        raise ValueError(f"unknown countries {bad}; use {', '.join(COUNTRIES)}")
    return value
CROPS: tuple[str, ...] = (
    "rice", "wheat", "maize", "barley", "sorghum", "cotton", "sugarcane", "millets", "soybean",
)
STAGES: tuple[str, ...] = (
    "pre_sowing", "sowing", "vegetative", "reproductive", "maturity", "post_harvest", "whole_season",
)
PHENOLOGICAL_STAGES: tuple[str, ...] = STAGES[:-1]
TOPICS: tuple[str, ...] = (
    "soil", "seed", "nutrients", "water", "pests", "diseases", "weeds",
    "weather", "harvest", "storage", "economics", "safety",
)
PRACTICES: tuple[str, ...] = ("CSA", "RA")
ALL = "all"

Outcome = Literal["answered", "refused", "out_of_scope", "crisis"]
OUTCOMES: tuple[str, ...] = ("answered", "refused", "out_of_scope", "crisis")

_COUNTRY_ALIASES = {c.lower(): c for c in COUNTRIES} | {
    "srilanka": "Sri Lanka", "sri_lanka": "Sri Lanka", "sri-lanka": "Sri Lanka", "lanka": "Sri Lanka",
}
_CROP_ALIASES = {c: c for c in CROPS} | {
    "paddy": "rice", "corn": "maize", "millet": "millets", "soya": "soybean", "soyabean": "soybean",
    "soybeans": "soybean", "jowar": "sorghum", "sugar cane": "sugarcane",
}


def canonical_country(value: str | None) -> str | None:
    """Return the canonical spelling of a country name, ``None`` for unknown or empty."""
    if not value:
        return None
    return _COUNTRY_ALIASES.get(value.strip().lower())


def canonical_crop(value: str | None) -> str | None:
    """Return the canonical crop id for a crop name, ``None`` for unknown or empty."""
    if not value:
        return None
    return _CROP_ALIASES.get(value.strip().lower())
