"""Compile the phrase lists of the policy files and find them in normalised text.

A phrase is words separated by spaces; ``word*`` matches any word starting with ``word``,
``a|b`` either word, and ``..`` up to three other words. All phrases of all concepts go into
one index keyed by their first word, so one pass over the question's tokens finds every
concept at once (no regex per concept, no per-language loop).

Romanized phrases added with ``spelling_tolerant=True`` are also matched on phonetic keys
(:func:`~agriadvisor.safety.normalise.phonetic_key`), so a new spelling of a listed romanized
word matches without being listed ("zehr" for "jahar"). On that view a word whose
key is one letter longer or shorter than a listed key of six or more letters matches too
("khudkshi" for "khudkushi"), two question words that join into a listed word match it
("khud kushi"), and one question word that splits into two listed words matches them
("marjaunga"). A join or split needs a part of four letters or more: "ke liye" is never
read as "kha liya".

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

from agriadvisor.safety.normalise import NormalText, key_stem, normalise_words, phonetic_key, roman_fold

ROMAN_KEYS = frozenset({"hi_latn", "ur_latn", "bn_latn", "ne_latn"})
LANG_KEYS = ("en", "hi", "bn", "ur", "ne", "si", "ta", "hi_latn", "ur_latn", "bn_latn", "ne_latn", "any")
GAP = ".."
MAX_GAP = 3
MIN_NEAR_KEY = 6
MIN_KEYED_PART = 4


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
        self._views = {"text": _View(), "roman": _View(), "key": _View()}
        self.words: set[str] = set()
        self.prefixes: set[str] = set()
        self.concepts: set[str] = set()
        self._keys: set[str] = set()
        self._near_keys: dict[str, str] = {}
        self._snapped: dict[str, str] = {}

    def add(self, concept: str, lang: str, phrase: str, *, spelling_tolerant: bool = False) -> CompiledPhrase:
        """Compile and index one phrase; returns it (raises :class:`PhraseError`).

        ``spelling_tolerant`` also indexes its Latin-script words by phonetic key."""
        compiled = compile_phrase(concept, lang, phrase)
        _index(self._views["roman" if lang in ROMAN_KEYS else "text"], compiled)
        for slot in compiled.slots:
            for alt in slot or ():
                self.words.update(alt.words)
                if alt.star:
                    self.prefixes.add(alt.words[-1])
        # English keeps its own spelling: keys of English words collide ("soaked", "suicd*").
        keyed = _keyed_phrase(compiled) if spelling_tolerant and lang in ROMAN_KEYS else None
        if keyed is not None:
            _index(self._views["key"], keyed)
            self._add_keys(keyed)
        self.concepts.add(concept)
        return compiled

    def _add_keys(self, keyed: CompiledPhrase) -> None:
        for slot in keyed.slots:
            for alt in slot or ():
                for word in alt.words:
                    self._keys.add(word)
                    if word.startswith("="):
                        continue
                    if len(word) >= MIN_NEAR_KEY:
                        for i in range(len(word)):
                            self._near_keys.setdefault(word[:i] + word[i + 1:], word)
        self._snapped.clear()

    def _snap(self, key: str) -> str:
        """A listed key one letter away from ``key`` ("kudksi" -> "kudkusi"), else ``key``."""
        hit = self._snapped.get(key)
        if hit is not None:
            return hit
        found = key
        if not key.startswith("=") and key not in self._keys:
            longer = [key[:i] + key[i + 1:] for i in range(len(key))]
            found = next((k for k in longer if len(k) >= MIN_NEAR_KEY and k in self._keys),
                         self._near_keys.get(key, key))
        if len(self._snapped) > 100_000:
            self._snapped.clear()
        self._snapped[key] = found
        return found

    def key_tokens(self, norm: NormalText) -> tuple[str, ...]:
        """The question's words as phonetic keys, each snapped to a listed key when one letter away."""
        return tuple(self._snap(phonetic_key(t)) if t.isascii() else "" for t in norm.tokens)

    def find(self, norm: NormalText) -> list[Span]:
        """Every concept match in the question, in both views, de-duplicated."""
        seen: set[tuple[str, int, int]] = set()
        spans: list[Span] = []

        def keep(phrase: CompiledPhrase, i: int, end: int) -> None:
            key = (phrase.concept, i, end)
            if end > i and key not in seen:
                seen.add(key)
                spans.append(Span(phrase.concept, i, end, norm.sentence[i], phrase.lang,
                                  norm.clause[i] if norm.clause else 0))

        views = [("text", norm.tokens), ("roman", norm.roman_tokens)]
        if self._views["key"].exact or self._views["key"].prefix:
            views.append(("key", self.key_tokens(norm)))
        for name, tokens in views:
            view = self._views[name]
            for i, tok in enumerate(tokens):
                for phrase in self._candidates(view, tok):
                    keep(phrase, i, _match_from(phrase.slots, 0, tokens, norm.sentence, i, norm.sentence[i]))
        if len(views) == 3:
            for phrase, i, end in self._joined_matches(norm, views[2][1]):
                keep(phrase, i, end)
        return spans

    def _joined_matches(self, norm: NormalText, keys: tuple[str, ...]) -> list[tuple[CompiledPhrase, int, int]]:
        """Phrases that match when two neighbouring words are read as one ("khud kushi"), or one
        word as two ("marjaunga")."""
        view, toks, sent = self._views["key"], norm.tokens, norm.sentence
        found = []
        for i, tok in enumerate(toks):
            if not tok.isascii():
                continue
            if i + 1 < len(toks) and sent[i] == sent[i + 1] and toks[i + 1].isascii():
                joined = self._join(tok, toks[i + 1])
                if joined:
                    merged = keys[:i] + (joined,) + keys[i + 2:]
                    found += self._matches_at(view, merged, sent[:i + 1] + sent[i + 2:], i, shift=1)
            if not self._candidates(view, keys[i]):
                for head, rest in self._splits(view, tok):
                    split = keys[:i] + (head, rest) + keys[i + 1:]
                    found += self._matches_at(view, split, sent[:i + 1] + sent[i:], i, shift=-1, least=i + 1)
        return found

    def _join(self, a: str, b: str) -> str:
        """The key of ``a`` + ``b`` when it starts a listed phrase and one part is a keyed word."""
        if (phonetic_key(a).startswith("=") and phonetic_key(b).startswith("=")) or not (a + b).isalpha():
            return ""
        joined = phonetic_key(a + b)  # not snapped: "over dosage" is not "overdose"
        return joined if self._candidates(self._views["key"], joined) else ""

    def _splits(self, view: _View, tok: str) -> list[tuple[str, str]]:
        """Ways to read ``tok`` as a listed word followed by a listed keyed word."""
        out = []
        for cut in range(2, len(tok) - MIN_KEYED_PART + 1):
            rest = phonetic_key(tok[cut:])
            if rest in self._keys and not rest.startswith("="):
                head = self._snap(phonetic_key(tok[:cut]))
                if self._candidates(view, head):
                    out.append((head, rest))
        return out

    def _matches_at(self, view: _View, tokens: tuple[str, ...], sentence: tuple[int, ...], i: int, *,
                    shift: int, least: int = 0) -> list[tuple[CompiledPhrase, int, int]]:
        out = []
        for phrase in self._candidates(view, tokens[i]):
            end = _match_from(phrase.slots, 0, tokens, sentence, i, sentence[i])
            if end > i and end > least:
                out.append((phrase, i, end + shift))
        return out

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


def _index(view: _View, compiled: CompiledPhrase) -> None:
    for alt in compiled.slots[0]:  # type: ignore[union-attr]
        first = alt.words[0]
        if alt.star and len(alt.words) == 1:
            view.prefix[first].append(compiled)
            view.prefix_lengths.add(len(first))
        else:
            view.exact[first].append(compiled)
    view.cache.clear()


def _keyed_alt(alt: Alternative) -> Alternative | None:
    if not all(w.isascii() and w.isalnum() for w in alt.words):
        return None
    keys = [phonetic_key(w) for w in alt.words]
    if alt.star:
        keys[-1] = key_stem(keys[-1])
    return Alternative(tuple(keys), alt.star)


def _keyed_slot(slot: tuple[Alternative, ...] | None) -> tuple[Alternative, ...] | None:
    if slot is None:
        return None
    alts = tuple(a for a in (_keyed_alt(alt) for alt in slot) if a is not None)
    if not alts:
        raise ValueError("no Latin-script alternative")
    return alts


def _keyed_phrase(compiled: CompiledPhrase) -> CompiledPhrase | None:
    """The phrase on phonetic keys; ``None`` when a slot has no Latin-script word."""
    try:
        slots = tuple(_keyed_slot(slot) for slot in compiled.slots)
    except ValueError:
        return None
    return CompiledPhrase(compiled.concept, compiled.lang, compiled.source, slots)


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
