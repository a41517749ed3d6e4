"""Is the question about farming, a covered crop and one of the five countries? (scope.yaml)

The crops that count as covered are the nine of the shipped knowledge base plus any that
:meth:`ScopeCheck.cover` adds (crops of documents added with ``agriadvisor index add``), so a
user's jute notes make jute questions answerable without editing scope.yaml.

Example:
    >>> check = ScopeCheck(policies.scope)                       # doctest: +SKIP
    >>> check.run(query, book.find("groundnut sowing time"))     # doctest: +SKIP
    ScopeVerdict(reason='crop', item='groundnut', rule_id='scope.uncovered_crop', refer='extension')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from agriadvisor.models import QueryInfo
from agriadvisor.safety.phrases import Span
from agriadvisor.safety.policies import ScopeFile, Uncovered
from agriadvisor.safety.rulebook import Found
from agriadvisor.vocab import CROPS

# Concepts whose presence says the question is about farming or pesticides at all.
_FARMING_SIGNALS = ("scope:covered", "scope:farming_words", "out:pesticide_words")


@dataclass(frozen=True)
class ScopeVerdict:
    """Why a question is out of scope: ``reason`` is crop, country or topic; ``item`` the word;
    ``refer`` who covers it instead (veterinary, fisheries, horticulture, extension) when known."""

    reason: str
    item: str
    rule_id: str
    refer: str | None = None


class ScopeCheck:
    """Finds uncovered crops, animals, countries and non-farming topics in a question."""

    def __init__(self, scope: ScopeFile, covered: Iterable[str] = ()) -> None:
        self.scope = scope
        self.extra_covered: set[str] = set()
        self.cover(covered)

    def cover(self, crops: Iterable[str]) -> None:
        """Treat ``crops`` (names as farmers write them, e.g. from user documents) as covered."""
        for crop in crops:
            name = " ".join(str(crop).lower().replace("_", " ").split())
            if name and name not in CROPS:
                self.extra_covered.add(name)

    def covered_crops(self) -> list[str]:
        """The nine shipped crops and the added ones."""
        return [*CROPS, *sorted(self.extra_covered)]

    def run(self, query: QueryInfo, found: Found) -> ScopeVerdict | None:
        """The first reason the question is out of scope, or ``None`` when it is in scope."""
        masked = found.get("scope:exceptions")
        # A crop only implied by a pest name ("bunchy top" -> a sugarcane borer) does not outweigh
        # a crop the farmer named ("banana bunchy top").
        named = bool(set(query.crops_mentioned) & set(CROPS)) or query.crop_from in ("argument", "context")
        covered = (named and query.crop in CROPS) or found.has("scope:covered")
        if query.crop and query.crop not in CROPS and query.crop.lower() not in self.extra_covered:
            return ScopeVerdict("crop", query.crop, "scope.uncovered_crop", "extension")
        verdict = self._uncovered(found, masked, strong_only=covered)
        if verdict:
            return verdict
        others = _unmasked(found.get("scope:other_countries"), masked)
        if others and not found.has("scope:our_countries") and not query.countries_mentioned:
            return ScopeVerdict("country", found.words(others[0]), "scope.other_country")
        services = _unmasked(found.get("scope:services"), masked)
        if services and not found.has("scope:covered"):
            return ScopeVerdict("topic", found.words(services[0]), "scope.service", "extension")
        domains = _unmasked(found.get("scope:other_domains"), masked)
        if domains and not covered and not found.has("scope:farming_words"):
            return ScopeVerdict("topic", found.words(domains[0]), "scope.other_topic")
        cues = [c for c in self.scope.nonfarming_cues if found.has(c)]
        if cues and not covered and not self._farming_signal(query, found):
            return ScopeVerdict("topic", found.words(found.get(cues[0])[0]), "scope.no_farming_signal")
        return None

    def _uncovered(self, found: Found, masked: list[Span], *, strong_only: bool) -> ScopeVerdict | None:
        for i, entry in enumerate(self.scope.uncovered):
            if strong_only and not entry.beats_covered:
                continue
            hits = [s for s in _unmasked(found.get(f"scope:uncovered:{i}"), masked) if not self._added(found, s)]
            if hits and not found.has(f"scope:uncovered_unless:{i}"):
                return ScopeVerdict("crop", found.words(hits[0]), _rule_id(entry), entry.refer)
        return None

    def _added(self, found: Found, span: Span) -> bool:
        """A hit that names a crop the user's own documents cover."""
        words = found.words(span)
        return words in self.extra_covered or any(w in self.extra_covered for w in words.split())

    def _farming_signal(self, query: QueryInfo, found: Found) -> bool:
        """Anything at all that ties the question to farming: a farm word, crop, pest, stage or pesticide."""
        if any(found.has(c) for c in _FARMING_SIGNALS):
            return True
        if query.crop or query.topics or query.stage or query.focus or query.seasons or query.region or query.terms:
            return True
        if self.extra_covered and any(w in self.extra_covered for w in found.norm.tokens):
            return True
        return any(name.startswith("active:") for name in found.spans)


def _rule_id(entry: Uncovered) -> str:
    return "scope.uncovered_animal" if entry.kind == "animal" else "scope.uncovered_crop"


def _unmasked(spans: list[Span], masked: list[Span]) -> list[Span]:
    return [s for s in spans if not any(m.sentence == s.sentence and m.start < s.end and m.end > s.start for m in masked)]


__all__ = ["ScopeCheck", "ScopeVerdict"]
