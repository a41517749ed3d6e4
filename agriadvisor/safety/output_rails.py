"""Output rails: check a generated answer, sentence by sentence, before the farmer sees it.

A sentence stays only if the evidence supports it: word for word (free, and always true of
the extractive default), or by embedding cosine against the sentences of the evidence it
cites. It is also dropped when it names a pesticide the input rail would refuse for this
country without warning against it, gives a dose that the evidence does not, or reads as an
instruction the input rails would refuse. A safety line is appended to pesticide answers.

Example:
    >>> review = rails.run("Sow in November. [1]", evidence, query, embed)  # doctest: +SKIP
    >>> review.grounded                                                      # doctest: +SKIP
    True
"""

from __future__ import annotations

import functools

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from agriadvisor.models import GuardrailHit, QueryInfo
from agriadvisor.safety.input_rails import InputRails
from agriadvisor.safety.policies import OutputFile
from agriadvisor.safety.protocol import OutputReview
from agriadvisor.safety.rulebook import Found
from agriadvisor.text import dominant_script, split_sentences, tokenize
from agriadvisor.vocab import COUNTRIES

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.backends.base import Evidence

log = logging.getLogger("agriadvisor.safety")
_MARKER = re.compile(r"\s*\[(\d+)\]")
_MARKER_RUN = re.compile(r"((?:\s*\[\d+\])+)")
_SPACES = re.compile(r"\s+")


@dataclass
class _Passage:
    """One evidence passage, prepared once per answer: squashed text and the doses it gives."""

    ev: "Evidence"
    text: str
    sentences: frozenset[str]
    doses: set[str]


@dataclass
class _Sentence:
    text: str
    core: str
    cites: list[int]
    drop: GuardrailHit | None = None
    found: Found | None = None


class OutputRails:
    """Grounding, banned-product, dose and harm checks on a generated answer."""

    def __init__(self, settings: OutputFile, inputs: InputRails) -> None:
        self.settings = settings
        self.inputs = inputs
        self.threshold = settings.support_threshold
        self._dose = _dose_pattern(settings.dose_units)
        self._unit = {u.lower(): canon for canon, units in settings.dose_units.items() for u in units}
        # Evidence passages and their sentences recur across questions: analyse each once.
        self._find = functools.lru_cache(maxsize=65536)(inputs.book.find)
        self._passage_parts = functools.lru_cache(maxsize=8192)(self._parts)

    def _parts(self, chunk_id: str, text: str, sentences: tuple[str, ...]) -> tuple[str, frozenset[str], set[str]]:
        return _squash(text), frozenset(_squash(x) for x in sentences), self._doses(text)

    def run(self, text: str, evidence: "list[Evidence]", query: QueryInfo,
            embed: Callable[[Sequence[str]], "np.ndarray"]) -> OutputReview:
        """Keep the supported, safe sentences of ``text``; record every rule that fired."""
        sentences = _sentences(text)
        by_n = {ev.n: _Passage(ev, *self._passage_parts(ev.chunk.chunk_id, ev.chunk.text, tuple(ev.sentences)))
                for ev in evidence}
        self._grounding(sentences, by_n, embed)
        country = query.country if query.country in COUNTRIES else None
        for s in sentences:
            s.found = found = self._find(s.core)
            if s.drop is None:
                s.drop = self._policy_check(s, found, by_n, country)
        kept = [s for s in sentences if s.drop is None]
        hits = [s.drop for s in sentences if s.drop is not None]
        out = " ".join(s.text for s in kept)
        note = self._safety_note(kept, query) if out else None
        if note:
            out = f"{out}\n{note[0]}"
            hits.append(note[1])
        for hit in hits:
            log.info("guardrail output rule=%s category=%s action=%s", hit.rule_id, hit.category, hit.action)
        return OutputReview(text=out, hits=hits, grounded=not any(h.action == "drop_sentence" for h in hits))

    # ---- grounding --------------------------------------------------------------------------
    def _grounding(self, sentences: list[_Sentence], by_n: dict, embed: Callable) -> None:
        pending = [s for s in sentences if s.core and not self._verbatim(s, by_n) and not self._native_support(s, by_n)]
        if not pending:
            return
        vectors = embed([s.core for s in pending])
        for s, vec in zip(pending, vectors):
            best = self._best_cosine(s, by_n, vec)
            if best is None or best < self.threshold:
                detail = "no evidence vectors to compare with" if best is None else f"max cosine {best:.2f} < {self.threshold}"
                s.drop = GuardrailHit(rule_id="output.unsupported_sentence", category="grounding",
                                      action="drop_sentence", detail=detail)

    @staticmethod
    def _cited(s: _Sentence, by_n: dict) -> list:
        cited = [by_n[n] for n in s.cites if n in by_n]
        return cited or list(by_n.values())

    def _verbatim(self, s: _Sentence, by_n: dict) -> bool:
        core = _squash(s.core)
        return any(core in p.sentences or core in p.text or _joined_from(core, p.sentences)
                   for p in self._cited(s, by_n))

    @staticmethod
    def _native_support(s: _Sentence, by_n: dict) -> bool:
        """A sentence in Hindi or Bengali script (an answer written from translated evidence) is
        supported when nearly all its words are in the passages it cites: the English embedder
        cannot compare it, and the aligned translation makes a word-level check possible."""
        if dominant_script(s.core) == "Latin":
            return False
        words = set(tokenize(s.core))
        cited = set().union(*(tokenize(p.ev.chunk.text) for p in OutputRails._cited(s, by_n)))
        return bool(words) and len(words & cited) >= NATIVE_SUPPORT * len(words)

    def _best_cosine(self, s: _Sentence, by_n: dict, vec: "np.ndarray") -> float | None:
        scores = [float((p.ev.sentence_vectors @ vec).max()) for p in self._cited(s, by_n)
                  if p.ev.sentence_vectors is not None and len(p.ev.sentence_vectors)]
        return max(scores) if scores else None

    # ---- policy checks ----------------------------------------------------------------------
    def _policy_check(self, s: _Sentence, found: Found, by_n: dict, country: str | None) -> GuardrailHit | None:
        for name in found.spans:
            if name.startswith("active:") and not found.has("out:prohibition"):
                active = name.split(":", 1)[1]
                if self.inputs.pesticides.restrictions(active, country):
                    return GuardrailHit(rule_id=f"output.banned_product.{active}", category="banned_pesticide",
                                        action="drop_sentence", detail=f"names {active} without a warning")
        doses = self._doses(s.core)
        if doses:
            doses -= set().union(*(p.doses for p in self._cited(s, by_n)))
        if doses:
            return GuardrailHit(rule_id="output.dose_not_in_evidence", category="dose", action="drop_sentence",
                                detail=", ".join(sorted(doses)))
        fired = self.inputs.book.first_firing(self.inputs.book.harm_rules, found)
        if fired is not None:
            return GuardrailHit(rule_id=f"output.{fired.rule.id}", category=fired.rule.category,
                                action="drop_sentence", detail="the input rails would refuse this instruction")
        return None

    def _doses(self, text: str) -> set[str]:
        out = set()
        for m in self._dose.finditer(text.lower()):
            amount = re.sub(r"\s*(?:-|–|to)\s*", "-", m.group(1)).replace(",", ".")
            out.add(f"{amount} {self._unit.get(m.group(2).lower(), m.group(2).lower())}")
        return out

    def _safety_note(self, kept: list[_Sentence], query: QueryInfo) -> tuple[str, GuardrailHit] | None:
        per_sentence = [self.inputs.involves_pesticides(s.found) for s in kept if s.found is not None]
        in_answer, bait_a = any(p for p, _ in per_sentence), any(b for _, b in per_sentence)
        in_query, bait_q = self.inputs.involves_pesticides(self.inputs.book.find(query.text))
        if not (in_answer or in_query):
            return None
        bait = bait_a or bait_q
        lang = self.inputs.texts.language(query.language)
        hit = GuardrailHit(rule_id="output.rodenticide_note" if bait else "output.safety_note", category="pesticide",
                           action="add_note", detail="answer" if in_answer else "question")
        return self.inputs.texts.safety_note(lang, bait=bait), hit


NATIVE_SUPPORT = 0.8  # share of a non-Latin sentence's words that must be in the cited translated passages


def _sentences(text: str) -> list[_Sentence]:
    """Sentences with their citation markers; a run of sentences before ``[n]`` all cite ``n``.

    Splitting first and reading markers after would hand "... appear. [1] Spray ..." the
    wrong marker, so the text is cut at marker runs first.
    """
    parts = _MARKER_RUN.split(text)
    out: list[_Sentence] = []
    for i in range(0, len(parts), 2):
        markers = parts[i + 1] if i + 1 < len(parts) else ""
        cites = [int(n) for n in _MARKER.findall(markers)]
        pieces = split_sentences(parts[i])
        for j, piece in enumerate(pieces):
            own = markers.strip() if j == len(pieces) - 1 else ""
            out.append(_Sentence(text=f"{piece} {own}".strip(), core=piece.strip(), cites=cites))
    return [s for s in out if s.core or s.cites]


def _joined_from(core: str, sentences: frozenset[str]) -> bool:
    """Whether ``core`` is evidence sentences put side by side ("Sow on time: **Timing** ...").

    A list item and the line before it are separate sentences in the index but read as one
    sentence once joined, so an extractive answer is not always a substring of its passage.
    """
    rest = core
    while rest:
        nxt = next((x for x in sentences if x and rest.startswith(x)), None)
        if nxt is None:
            return False
        rest = rest[len(nxt):].lstrip()
    return True


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def _dose_pattern(units: dict[str, list[str]]) -> re.Pattern[str]:
    words = sorted({u.lower() for group in units.values() for u in group}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    number = r"\d+(?:[.,]\d+)?"
    return re.compile(rf"(?<![\w.])({number}(?:\s*(?:-|–|to)\s*{number})?)\s*({alternatives})(?![a-z])")


__all__ = ["OutputRails"]
