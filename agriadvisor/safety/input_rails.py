"""Input rails: decide before retrieval whether a question is answered at all.

Order: self-harm signal (crisis) -> harm to people, animals, water, weapons, toxic gas,
evasion (refused) -> dose or use of a banned or highly hazardous pesticide (refused) ->
prompt injection (refused) -> not covered (out_of_scope). Pesticide questions that pass get a
non-blocking ``add_note`` hit so the answer carries a safety line.

Example:
    >>> rails = InputRails(book, policy, ReplyTexts(...), ScopeCheck(...))  # doctest: +SKIP
    >>> rails.run(QueryInfo(text="how do I kill weeds in wheat")).outcome    # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Sequence

from agriadvisor.models import GuardrailHit, QueryInfo
from agriadvisor.safety.backstop import Backstop
from agriadvisor.safety.pesticides import PesticidePolicy, Restriction
from agriadvisor.safety.phrases import ROMAN_KEYS
from agriadvisor.safety.protocol import InputDecision
from agriadvisor.safety.rulebook import Fired, Found, RuleBook
from agriadvisor.safety.scope import ScopeCheck
from agriadvisor.safety.templates import ReplyTexts
from agriadvisor.vocab import COUNTRIES

log = logging.getLogger("agriadvisor.safety")


class InputRails:
    """Runs the input rules in order and builds the reply for a blocked question."""

    def __init__(self, book: RuleBook, pesticides: PesticidePolicy, texts: ReplyTexts, scope: ScopeCheck,
                 backstop: Backstop | None = None) -> None:
        self.book = book
        self.pesticides = pesticides
        self.texts = texts
        self.scope = scope
        self.backstop = backstop

    def run(self, query: QueryInfo) -> InputDecision:
        """Classify ``query``; ``outcome`` set means stop and reply with ``text``."""
        found = self.book.find(query.text)
        for stage in (self._crisis, self._harm, self._backstop, self._pesticide, self._injection, self._out_of_scope):
            decision = stage(query, found)
            if decision is not None:
                return _logged(decision)
        return _logged(InputDecision(hits=self._notes(query, found)))

    # ---- stages -----------------------------------------------------------------------------
    def _crisis(self, query: QueryInfo, found: Found) -> InputDecision | None:
        fired = self.book.first_firing(self.book.crisis_rules, found)
        if fired is None:
            return None
        lang = self.texts.language(query.language, fired.languages)
        # The farmer's words are not copied into the hit: crisis decisions are logged too.
        hit = _hit(fired, "crisis", detail=f"signal language: {_first(fired.languages) or 'markup'}")
        return InputDecision("crisis", self.texts.crisis(lang, _country(query)), [hit])

    def _harm(self, query: QueryInfo, found: Found) -> InputDecision | None:
        fired = self.book.first_firing(self.book.harm_rules, found)
        if fired is None:
            return None
        lang = self.texts.language(query.language, fired.languages)
        return InputDecision("refused", self.texts.refusal("harm", lang), [_hit(fired, "refuse", found)])

    def _backstop(self, query: QueryInfo, found: Found) -> InputDecision | None:
        """The learned classifier, for distress and harm the phrase rules did not catch."""
        if self.backstop is None:
            return None
        for flag in self.backstop.flag(query.text):
            lang = self.texts.language(query.language, _roman_hints(found))
            detail = f"classifier {flag.label} score {flag.score} >= {flag.threshold}"
            if flag.label == "distress":
                hit = GuardrailHit(rule_id="backstop.distress", category="self_harm", action="crisis",
                                   detail=detail, score=flag.score)
                return InputDecision("crisis", self.texts.crisis(lang, _country(query)), [hit])
            if flag.label == "harm":
                hit = GuardrailHit(rule_id="backstop.harm", category="violence", action="refuse",
                                   detail=detail, score=flag.score)
                return InputDecision("refused", self.texts.refusal("harm", lang), [hit])
        return None

    def _injection(self, query: QueryInfo, found: Found) -> InputDecision | None:
        fired = self.book.first_firing(self.book.injection_rules, found)
        if fired is None:
            return None
        lang = self.texts.language(query.language, fired.languages)
        return InputDecision("refused", self.texts.refusal("injection", lang), [_hit(fired, "refuse", found)])

    def _pesticide(self, query: QueryInfo, found: Found) -> InputDecision | None:
        country = _country(query)
        for active_id, spans in self._actives(found):
            reasons = self.pesticides.restrictions(active_id, country)
            if not reasons or self._asks_status(found):
                continue
            lang = self.texts.language(query.language, [s.lang for s in spans])
            text = self.texts.pesticide_refusal(lang, self.pesticides.display_name(active_id), reasons, country)
            hit = GuardrailHit(rule_id=f"pesticide.{active_id}", category="banned_pesticide", action="refuse",
                               detail=_reasons_detail(reasons, country))
            return InputDecision("refused", text, [hit])
        return None

    def _out_of_scope(self, query: QueryInfo, found: Found) -> InputDecision | None:
        verdict = self.scope.run(query, found)
        if verdict is None:
            return None
        lang = self.texts.language(query.language)
        text = self.texts.out_of_scope(lang, verdict.reason, verdict.item, self.scope.covered_crops(), COUNTRIES,
                                       refer=verdict.refer, country=_country(query))
        hit = GuardrailHit(rule_id=verdict.rule_id, category="scope", action="out_of_scope",
                           detail=f"{verdict.reason}: {verdict.item}")
        return InputDecision("out_of_scope", text, [hit])

    # ---- helpers ----------------------------------------------------------------------------
    def _actives(self, found: Found) -> list[tuple[str, list]]:
        return [(name.split(":", 1)[1], spans) for name, spans in found.spans.items() if name.startswith("active:")]

    @staticmethod
    def _asks_status(found: Found) -> bool:
        """"Instead of X" or "is X banned?" (without a dose or use word) is answered with a note."""
        if found.has("cue:alternative"):
            return True
        return found.has("cue:status") and not found.has("cue:dose_or_use")

    def _notes(self, query: QueryInfo, found: Found) -> list[GuardrailHit]:
        actives = [a for a, _ in self._actives(found)]
        if any(self.pesticides.is_bait(a) for a in actives):
            return [GuardrailHit(rule_id="pesticide.rodenticide_bait", category="pesticide", action="add_note",
                                 detail=", ".join(actives))]
        if actives or found.has("out:pesticide_words"):
            return [GuardrailHit(rule_id="pesticide.safety_note", category="pesticide", action="add_note",
                                 detail=", ".join(actives) or "pesticide question")]
        return []

    def involves_pesticides(self, found: Found) -> tuple[bool, bool]:
        """(any pesticide named or discussed, a rat bait named)."""
        actives = [a for a, _ in self._actives(found)]
        return bool(actives) or found.has("out:pesticide_words"), any(self.pesticides.is_bait(a) for a in actives)


def _country(query: QueryInfo) -> str | None:
    return query.country if query.country in COUNTRIES else None


def _roman_hints(found: Found) -> list[str]:
    """The romanized language of most of the words the policies know, when those outnumber
    English ones (the reply language when the classifier alone fired)."""
    langs = [s.lang for spans in found.spans.values() for s in spans if s.lang in ROMAN_KEYS or s.lang == "en"]
    top = max(sorted(set(langs)), key=langs.count, default="en")
    return [top] if top in ROMAN_KEYS and langs.count(top) > langs.count("en") else []


def _first(items: Sequence[str]) -> str | None:
    return items[0] if items else None


def _hit(fired: Fired, action: str, found: Found | None = None, detail: str | None = None) -> GuardrailHit:
    if detail is None and found is not None:
        detail = "matched: " + " + ".join(repr(found.words(s)) for s in fired.spans) if fired.spans else "markup"
    return GuardrailHit(rule_id=fired.rule.id, category=fired.rule.category, action=action, detail=detail or "")


def _reasons_detail(reasons: list[Restriction], country: str | None) -> str:
    parts = []
    for r in reasons:
        if r.kind in ("banned", "restricted"):
            parts.append(f"{r.kind} in {r.country} ({r.instrument}{', ' + str(r.year) if r.year else ''})")
        elif r.kind == "banned_elsewhere":
            parts.append(f"banned in {', '.join(r.countries)}; country unknown")
        elif r.kind == "who":
            parts.append(f"WHO class {r.who_class}")
        else:
            parts.append(r.kind)
    return "; ".join(parts) + ("" if country else " (country unknown)")


def _logged(decision: InputDecision) -> InputDecision:
    for hit in decision.hits:
        log.info("guardrail input rule=%s category=%s action=%s", hit.rule_id, hit.category, hit.action)
    return decision


__all__ = ["InputRails"]
