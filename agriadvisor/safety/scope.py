"""Is the question about farming, a covered crop and one of the five countries? (scope.yaml)

Example:
    >>> check = ScopeCheck(policies.scope)                       # doctest: +SKIP
    >>> check.run(query, book.find("groundnut sowing time"))     # doctest: +SKIP
    ScopeVerdict(reason='crop', item='groundnut', rule_id='scope.uncovered_crop')
"""

from __future__ import annotations

from dataclasses import dataclass

from agriadvisor.models import QueryInfo
from agriadvisor.safety.phrases import Span
from agriadvisor.safety.policies import ScopeFile
from agriadvisor.safety.rulebook import Found
from agriadvisor.vocab import CROPS


@dataclass(frozen=True)
class ScopeVerdict:
    """Why a question is out of scope: ``reason`` is crop, country or topic; ``item`` the word."""

    reason: str
    item: str
    rule_id: str


class ScopeCheck:
    """Finds uncovered crops, animals, countries and non-farming topics in a question."""

    def __init__(self, scope: ScopeFile) -> None:
        self.scope = scope

    def run(self, query: QueryInfo, found: Found) -> ScopeVerdict | None:
        """The first reason the question is out of scope, or ``None`` when it is in scope."""
        masked = found.get("scope:exceptions")
        # A crop only implied by a pest name ("bunchy top" -> a sugarcane borer) does not outweigh
        # a crop the farmer named ("banana bunchy top").
        named = bool(set(query.crops_mentioned) & set(CROPS)) or query.crop_from in ("argument", "context")
        covered = (named and query.crop in CROPS) or found.has("scope:covered")
        if query.crop and query.crop not in CROPS:
            return ScopeVerdict("crop", query.crop, "scope.uncovered_crop")
        if not covered:
            verdict = self._uncovered(found, masked)
            if verdict:
                return verdict
        others = _unmasked(found.get("scope:other_countries"), masked)
        if others and not found.has("scope:our_countries") and not query.countries_mentioned:
            return ScopeVerdict("country", found.words(others[0]), "scope.other_country")
        services = _unmasked(found.get("scope:services"), masked)
        if services and not found.has("scope:covered"):
            return ScopeVerdict("topic", found.words(services[0]), "scope.service")
        domains = _unmasked(found.get("scope:other_domains"), masked)
        if domains and not covered and not found.has("scope:farming_words"):
            return ScopeVerdict("topic", found.words(domains[0]), "scope.other_topic")
        return None

    def _uncovered(self, found: Found, masked: list[Span]) -> ScopeVerdict | None:
        for i, entry in enumerate(self.scope.uncovered):
            hits = _unmasked(found.get(f"scope:uncovered:{i}"), masked)
            if hits and not found.has(f"scope:uncovered_unless:{i}"):
                rule = "scope.uncovered_animal" if entry.kind == "animal" else "scope.uncovered_crop"
                return ScopeVerdict("crop", found.words(hits[0]), rule)
        return None


def _unmasked(spans: list[Span], masked: list[Span]) -> list[Span]:
    return [s for s in spans if not any(m.sentence == s.sentence and m.start < s.end and m.end > s.start for m in masked)]


__all__ = ["ScopeCheck", "ScopeVerdict"]
