"""Compile the phrase lists of the policy files and find them in normalised text.

A phrase is words separated by spaces; ``word*`` matches any word starting with ``word``,
``a|b`` either word, and ``..`` up to three other words. All phrases of all concepts go into
one index keyed by their first word, so one pass over the question's tokens finds every
concept at once (no regex per concept, no per-language loop).

Example:
    >>> from agriadvisor.safety.normalise import normalise
    >>> index = PhraseIndex()
    >>> _ = index.add("kill_act", "en", "kill*")
    >>> _ = index.add("self", "en", "my .. self")
    >>> [s.concept for s in index.find(normalise("Killing my own self"))]
    ['kill_act', 'self']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from agriadvisor.safety.normalise import NormalText, normalise_words, roman_fold

ROMAN_KEYS = frozenset({"hi_latn", "ur_latn", "bn_latn", "ne_latn"})
LANG_KEYS = ("en", "hi", "bn", "ur", "ne", "si", "ta", "hi_latn", "ur_latn", "bn_latn", "ne_latn", "any")
GAP = ".."
MAX_GAP = 3


class PhraseError(ValueError):
    """A phrase that cannot be compiled; the message says why."""


@dataclass(frozen=True)
class Alternative:
    words: tuple[str, ...]
    star: bool


@dataclass(frozen=True)
class CompiledPhrase:
    """One phrase of one concept: a list of slots, each a tuple of alternatives or ``None`` (gap)."""

    concept: str
    lang: str
    source: str
    slots: tuple[tuple[Alternative, ...] | None, ...]


@dataclass(frozen=True)
class Span:
    """Where a concept matched: tokens ``start`` to ``end`` (exclusive) in sentence ``sentence``."""

    concept: str
    start: int
    end: int
    sentence: int
    lang: str
    clause: int = 0


def compile_phrase(concept: str, lang: str, phrase: str) -> CompiledPhrase:
    """Parse ``phrase`` into slots; raises :class:`PhraseError` naming the problem."""
    if not isinstance(phrase, str):
        raise PhraseError(f"{phrase!r} is not text; quote it (YAML reads yes/no/on/off as true/false)")
    raw_slots = phrase.split()
    if not raw_slots:
        raise PhraseError("empty phrase")
    if raw_slots[0] == GAP or raw_slots[-1] == GAP:
        raise PhraseError(f"{phrase!r}: '..' must stand between two words")
    roman = lang in ROMAN_KEYS
    slots: list[tuple[Alternative, ...] | None] = []
    for raw in raw_slots:
        if raw == GAP:
            if slots and slots[-1] is None:
                raise PhraseError(f"{phrase!r}: two '..' in a row")
            slots.append(None)
            continue
        slots.append(tuple(_alternative(phrase, alt, roman) for alt in raw.split("|")))
    return CompiledPhrase(concept=concept, lang=lang, source=phrase, slots=tuple(slots))


def _alternative(phrase: str, alt: str, roman: bool) -> Alternative:
    star = alt.endswith("*")
    words = normalise_words(alt.rstrip("*"))
    if not words:
        raise PhraseError(f"{phrase!r}: {alt!r} has no letters or digits")
    if roman:
        words = [roman_fold(w) if w.isascii() else w for w in words]
    return Alternative(tuple(words), star)


@dataclass
class _View:
    exact: dict[str, list[CompiledPhrase]] = field(default_factory=lambda: defaultdict(list))
    prefix: dict[str, list[CompiledPhrase]] = field(default_factory=lambda: defaultdict(list))
    prefix_lengths: set[int] = field(default_factory=set)
    # Words repeat across questions; their candidate phrases are looked up once.
    cache: dict[str, tuple[CompiledPhrase, ...]] = field(default_factory=dict)


class PhraseIndex:
    """All phrases of all concepts, indexed by first word, in a plain and a romanized view."""

    def __init__(self) -> None:
        self._views = {"text": _View(), "roman": _View()}
        self.words: set[str] = set()
        self.prefixes: set[str] = set()
        self.concepts: set[str] = set()

    def add(self, concept: str, lang: str, phrase: str) -> CompiledPhrase:
        """Compile and index one phrase; returns it (raises :class:`PhraseError`)."""
        compiled = compile_phrase(concept, lang, phrase)
        view = self._views["roman" if lang in ROMAN_KEYS else "text"]
        for alt in compiled.slots[0]:  # type: ignore[union-attr]
            first = alt.words[0]
            if alt.star and len(alt.words) == 1:
                view.prefix[first].append(compiled)
                view.prefix_lengths.add(len(first))
            else:
                view.exact[first].append(compiled)
        for slot in compiled.slots:
            for alt in slot or ():
                self.words.update(alt.words)
                if alt.star:
                    self.prefixes.add(alt.words[-1])
        self.concepts.add(concept)
        view.cache.clear()
        return compiled

    def find(self, norm: NormalText) -> list[Span]:
        """Every concept match in the question, in both views, de-duplicated."""
        seen: set[tuple[str, int, int]] = set()
        spans: list[Span] = []
        for name, tokens in (("text", norm.tokens), ("roman", norm.roman_tokens)):
            view = self._views[name]
            for i, tok in enumerate(tokens):
                for phrase in self._candidates(view, tok):
                    end = _match_from(phrase.slots, 0, tokens, norm.sentence, i, norm.sentence[i])
                    key = (phrase.concept, i, end)
                    if end > i and key not in seen:
                        seen.add(key)
                        spans.append(Span(phrase.concept, i, end, norm.sentence[i], phrase.lang,
                                          norm.clause[i] if norm.clause else 0))
        return spans

    @staticmethod
    def _candidates(view: _View, tok: str) -> tuple[CompiledPhrase, ...]:
        hit = view.cache.get(tok)
        if hit is not None:
            return hit
        found = list(view.exact.get(tok, ()))
        for n in view.prefix_lengths:
            if n <= len(tok):
                found.extend(view.prefix.get(tok[:n], ()))
        if len(view.cache) > 100_000:
            view.cache.clear()
        view.cache[tok] = result = tuple(found)
        return result


def _match_alt(alt: Alternative, tokens: tuple[str, ...], sentence: tuple[int, ...], pos: int, sid: int) -> int:
    n = len(alt.words)
    if pos + n > len(tokens) or sentence[pos + n - 1] != sid:
        return -1
    for k, word in enumerate(alt.words):
        tok = tokens[pos + k]
        last = k == n - 1
        if not (tok == word or (last and alt.star and tok.startswith(word))):
            return -1
    return pos + n


def _match_from(slots: tuple, k: int, tokens: tuple[str, ...], sentence: tuple[int, ...], pos: int, sid: int) -> int:
    """End position of ``slots[k:]`` matched at ``pos``, or -1 (small backtracking over gaps)."""
    if k == len(slots):
        return pos
    slot = slots[k]
    if slot is None:
        for skip in range(MAX_GAP + 1):
            if pos + skip > len(tokens) or (skip and sentence[pos + skip - 1] != sid):
                break
            end = _match_from(slots, k + 1, tokens, sentence, pos + skip, sid)
            if end >= 0:
                return end
        return -1
    for alt in slot:
        nxt = _match_alt(alt, tokens, sentence, pos, sid)
        if nxt >= 0:
            end = _match_from(slots, k + 1, tokens, sentence, nxt, sid)
            if end >= 0:
                return end
    return -1


__all__ = ["CompiledPhrase", "LANG_KEYS", "PhraseError", "PhraseIndex", "ROMAN_KEYS", "Span", "compile_phrase"]
