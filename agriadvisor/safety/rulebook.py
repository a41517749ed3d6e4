"""The policies compiled for matching: one phrase index over every list in every file.

Concept names in the index are the intents.yaml concept names as written, plus namespaced
ones for the other files: ``rule:<id>`` (a rule's own phrases), ``active:<id>`` (pesticide
names), ``cue:<name>`` (pesticide question cues), ``scope:<list>`` and ``out:<list>``.

Example:
    >>> book = RuleBook(load_policies("guardrails"))        # doctest: +SKIP
    >>> found = book.find("I want to d!e")                  # doctest: +SKIP
    >>> book.first_firing(book.crisis_rules, found).rule.id  # doctest: +SKIP
    'crisis.self_harm'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from agriadvisor.errors import PolicyError
from agriadvisor.safety.normalise import NormalText, normalise
from agriadvisor.safety.phrases import PhraseError, PhraseIndex, Span
from agriadvisor.safety.policies import PESTICIDE_MACRO, IntentRule, Policies
from agriadvisor.text import ENGLISH_STOPWORDS, ROMAN_STOPWORDS

MAX_COMBINATIONS = 400
_EXTRA_VOCAB = frozenset("a i my me to how want end life die kill myself self the with from".split())


@dataclass(frozen=True)
class Found:
    """The concepts found in one text, by name, with the normalised text they came from."""

    norm: NormalText
    spans: dict[str, list[Span]]

    def get(self, concept: str) -> list[Span]:
        return self.spans.get(concept, [])

    def has(self, concept: str) -> bool:
        return concept in self.spans

    def words(self, span: Span) -> str:
        return " ".join(self.norm.tokens[span.start:span.end])


@dataclass(frozen=True)
class Fired:
    """A rule that fired and the spans that made it fire."""

    rule: IntentRule
    spans: tuple[Span, ...]

    @property
    def languages(self) -> list[str]:
        return [s.lang for s in self.spans]


class RuleBook:
    """Every phrase of every policy file in one index, and the intent rules in run order."""

    def __init__(self, policies: Policies) -> None:
        self.policies = policies
        self.index = PhraseIndex()
        self._pesticide_names = [n for a in policies.pesticides.actives for n in policies.pesticides.names_of(a)]
        self._spelling_tolerant = _crisis_concepts(policies)
        self._build()
        self.vocab = frozenset(self.index.words) | ENGLISH_STOPWORDS | ROMAN_STOPWORDS | _EXTRA_VOCAB
        self.prefixes = frozenset(p for p in self.index.prefixes if len(p) >= 3)
        rules = policies.intents.rules
        self.crisis_rules = [r for r in rules if r.action == "crisis"]
        self.harm_rules = [r for r in rules if r.action == "refuse" and r.category != "prompt_injection"]
        self.injection_rules = [r for r in rules if r.category == "prompt_injection"]
        self._markup = {r.id: [re.compile(p, re.I) for p in r.markup] for r in rules if r.markup}

    # ---- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        p = self.policies
        for name, phrases in p.intents.concepts.items():
            self._add_all(name, phrases, f"intents.yaml: concepts.{name}")
        for rule in p.intents.rules:
            self._add_all(f"rule:{rule.id}", rule.phrases, f"intents.yaml: rule {rule.id}")
        for active in p.pesticides.actives:
            self._add_all(f"active:{active.id}", {"any": p.pesticides.names_of(active)}, f"pesticides.yaml: {active.id}")
        for key in ("alternative", "status", "dose_or_use"):
            self._add_all(f"cue:{key}", getattr(p.pesticides.cues, key), f"pesticides.yaml: cues.{key}")
        scope = p.scope
        for crop, phrases in scope.covered_crops.items():
            self._add_all("scope:covered", phrases, f"scope.yaml: covered_crops.{crop}")
        for i, entry in enumerate(scope.uncovered):
            self._add_all(f"scope:uncovered:{i}", entry.names, f"scope.yaml: uncovered[{i}]")
            self._add_all(f"scope:uncovered_unless:{i}", entry.unless, f"scope.yaml: uncovered[{i}].unless")
        for key in ("farming_words", "other_domains", "services", "other_countries", "our_countries", "exceptions"):
            self._add_all(f"scope:{key}", getattr(scope, key), f"scope.yaml: {key}")
        self._add_all("out:prohibition", p.output.prohibition_cues, "output.yaml: prohibition_cues")
        self._add_all("out:pesticide_words", p.output.pesticide_words, "output.yaml: pesticide_words")

    def _add_all(self, concept: str, phrases: dict[str, list[str]], where: str) -> None:
        for lang, items in phrases.items():
            for phrase in items:
                expanded = self._pesticide_names if phrase == PESTICIDE_MACRO else [phrase]
                for item in expanded:
                    try:
                        self.index.add(concept, "any" if phrase == PESTICIDE_MACRO else lang, item,
                                       spelling_tolerant=concept in self._spelling_tolerant)
                    except PhraseError as exc:
                        raise PolicyError(f"{where}.{lang}: {exc}") from None

    # ---- matching -----------------------------------------------------------------------------
    def normalise(self, text: str) -> NormalText:
        """Normalise ``text`` with the rules' own words guiding leetspeak and spacing repairs."""
        return normalise(text, self.vocab, self.prefixes)

    def find(self, text: str | NormalText) -> Found:
        """Every concept of every policy found in ``text``."""
        norm = text if isinstance(text, NormalText) else self.normalise(text)
        spans: dict[str, list[Span]] = {}
        for span in self.index.find(norm):
            spans.setdefault(span.concept, []).append(span)
        return Found(norm=norm, spans=spans)

    def first_firing(self, rules: list[IntentRule], found: Found) -> Fired | None:
        """The first rule of ``rules`` that fires on ``found``, or ``None``."""
        for rule in rules:
            fired = self.fires(rule, found)
            if fired is not None:
                return fired
        return None

    def fires(self, rule: IntentRule, found: Found) -> Fired | None:
        """Whether ``rule`` fires, with the spans that triggered it."""
        for pattern in self._markup.get(rule.id, ()):
            if pattern.search(found.norm.raw):
                return Fired(rule, ())
        for span in found.get(f"rule:{rule.id}"):
            if not self._cancelled(rule, found, (span,)):
                return Fired(rule, (span,))
        if rule.all_of:
            return self._co_occurrence(rule, found)
        return None

    def _co_occurrence(self, rule: IntentRule, found: Found) -> Fired | None:
        lists = [found.get(c) for c in rule.all_of]
        if not all(lists):
            return None
        for combo in itertools.islice(itertools.product(*lists), MAX_COMBINATIONS):
            if len({s.sentence for s in combo}) != 1 or (rule.within == "clause" and len({s.clause for s in combo}) != 1):
                continue
            if self._must_order(rule, combo) and any(a.start >= b.start for a, b in zip(combo, combo[1:])):
                continue
            if max(s.start for s in combo) - min(s.end for s in combo) > rule.window:
                continue
            if self._cancelled(rule, found, combo) or not self._required(rule, found, combo):
                continue
            return Fired(rule, tuple(combo))
        return None

    @staticmethod
    def _must_order(rule: IntentRule, combo: tuple[Span, ...]) -> bool:
        """``ordered: true`` always; ``ordered: [en]`` only when every match is in those languages."""
        if isinstance(rule.ordered, list):
            return all(s.lang in rule.ordered for s in combo)
        return rule.ordered

    @staticmethod
    def _cancelled(rule: IntentRule, found: Found, combo: tuple[Span, ...]) -> bool:
        lo = min(s.start for s in combo) - rule.unless_margin
        hi = max(s.end for s in combo) + rule.unless_margin
        sid = combo[0].sentence
        # `unless_sentence` frames the whole sentence ("in Call of Duty", "the definition of murder").
        if any(u.sentence == sid for name in rule.unless_sentence for u in found.get(name)):
            return True
        return any(u.sentence == sid and u.start < hi and u.end > lo
                   for name in rule.unless for u in found.get(name))

    @staticmethod
    def _required(rule: IntentRule, found: Found, combo: tuple[Span, ...]) -> bool:
        if not rule.require_any:
            return True
        lo = min(s.start for s in combo) - rule.require_window
        hi = max(s.end for s in combo) + rule.require_window
        sid = combo[0].sentence
        return any(r.sentence == sid and r.start < hi and r.end > lo
                   for name in rule.require_any for r in found.get(name))


def _crisis_concepts(policies: Policies) -> frozenset[str]:
    """The concepts the crisis rules read: matched on phonetic keys too, so that a farmer's own
    spelling of "zehar" or "khudkushi" still reaches the crisis reply."""
    names: set[str] = set()
    for rule in policies.intents.rules:
        if rule.action == "crisis":
            names.update((f"rule:{rule.id}", *rule.all_of, *rule.unless, *rule.require_any))
    return frozenset(names)


__all__ = ["Fired", "Found", "RuleBook"]
