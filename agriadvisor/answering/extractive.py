"""Pick the evidence sentences that answer the question; state nothing the evidence does not say.

The answer comes from a window of consecutive sentences in the best passage (facts in a guide
sit together, and nearby sentences read as a paragraph): the window is a little wider than the
answer, and its weakest sentences are left out. Short list items ("**Zinc sulphate** 10-15 kg.")
count as half a sentence, so a list is not cut off after two lines. The best sentence of the
next passages is added when there is room. Near-duplicates are skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from agriadvisor.answering.cues import TYPE_KIND, cue_bonus, question_asks, sentence_answers
from agriadvisor.answering.layout import Layout, layout_of
from agriadvisor.text import name_pattern, tokenize
from agriadvisor.understanding.season import preference, sentence_mentions

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.backends.base import Evidence

MIN_SENTENCE_CHARS = 25
DUPLICATE_COSINE = 0.9
RANK_PENALTY = 0.1
OVERLAP_WEIGHT = 0.4


@dataclass(frozen=True)
class PickedSentence:
    """A sentence chosen for the answer and the evidence number it comes from."""

    n: int
    position: int
    text: str
    score: float


FOCUS_WEIGHT = 0.2
CUE_WEIGHT = 0.2
SEASON_WEIGHT = 0.3  # the farmer's own season or belt over its siblings
WINDOW_SLACK = 2  # the window holds this many more sentences than the answer; the weakest are dropped
FOCUS_LEAD_WORDS = 5  # a paragraph is about a pest when it names it this early
SHORT_SENTENCE_CHARS = 70  # a sentence shorter than this (a list item) costs half a sentence


@lru_cache(maxsize=65536)
def _sentence_tokens(sentence: str) -> frozenset[str]:
    # evidence sentences recur across questions; tokenise each once
    return frozenset(tokenize(sentence))


def _word_weights(qtok: set[str], evidence: list["Evidence"]) -> dict[str, float]:
    """Inverse sentence frequency of each question word within the evidence, as a share of the
    total: "wheat" and "Nepal" are in every sentence and count for little, "florets" for a lot."""
    sentences = [_sentence_tokens(t) for ev in evidence for t in ev.sentences]
    n = len(sentences)
    raw = {w: math.log((n + 1) / (sum(w in s for s in sentences) + 0.5)) for w in qtok}
    total = sum(raw.values())
    return {w: v / total for w, v in raw.items()} if total > 0 else {}


def _scores(ev: "Evidence", query_vector: "np.ndarray", weights: dict[str, float], focus: tuple[str, ...] = (),
            asks: frozenset[str] = frozenset(), wanted: frozenset[str] = frozenset()) -> list[float]:
    """Per sentence: cosine to the question, the weighted question words it shares, the pest or
    disease named (in it, or in its paragraph for half), whether it gives the kind of answer asked
    for (a date, a dose, a variety, a control measure), and whether it is for the farmer's own
    season or belt (or its list item's)."""
    sims = ev.sentence_vectors @ query_vector
    layout = _layout(ev)
    named = [bool(focus) and any(name_pattern(f).search(t) for f in focus) for t in ev.sentences]
    out = []
    for i, (s, t) in enumerate(zip(sims, ev.sentences)):
        tokens = _sentence_tokens(t)
        score = float(s) + OVERLAP_WEIGHT * sum(v for w, v in weights.items() if w in tokens)
        if named[i]:
            score += FOCUS_WEIGHT
        elif focus and any(named[j] for j in layout.same_line(i)):
            score += FOCUS_WEIGHT / 2  # "Clip seedling tips ..." in the paragraph about stem borer
        score += cue_bonus(t, asks, CUE_WEIGHT)
        if wanted:
            pref = preference(t, wanted) or preference(ev.sentences[layout.head[i]], wanted)
            score += SEASON_WEIGHT * pref
        out.append(score)
    return out


def _best_window(scores: list[float], size: int) -> int:
    size = min(size, len(scores))
    sums = [sum(scores[i:i + size]) for i in range(len(scores) - size + 1)]
    return max(range(len(sums)), key=sums.__getitem__)


def _carries(sentence: str, kinds: frozenset[str]) -> bool:
    return bool(kinds and sentence_answers(sentence) & kinds)


def _cost(sentence: str) -> float:
    return 0.5 if len(sentence) < SHORT_SENTENCE_CHARS else 1.0


def _layout(ev: "Evidence") -> Layout:
    return layout_of(ev.chunk.text, tuple(ev.sentences))


def _top_passage(top: "Evidence", scores: list[float], own: int, kinds: frozenset[str],
                 focus: tuple[str, ...] = ()) -> list[int]:
    """Sentences of the best passage: a window of neighbours, the best answering sentence in it,
    and the lead lines and item heads the chosen list items need."""
    start = _best_window(scores, own + WINDOW_SLACK)
    window = range(start, min(start + own + WINDOW_SLACK, len(top.sentences)))
    kept: list[int] = []
    used = 0.0
    for i in sorted(window, key=lambda i: scores[i], reverse=True):
        if used + _cost(top.sentences[i]) <= own:
            kept.append(i)
            used += _cost(top.sentences[i])
    layout = _layout(top)
    answering = _about_focus([i for i in range(len(top.sentences)) if _carries(top.sentences[i], kinds)],
                             top, layout, focus)
    anchor = max(answering, key=scores.__getitem__) if answering else None
    if anchor is not None and anchor not in kept:
        kept.append(anchor)
    for i in list(kept):
        kept.extend(j for j in layout.needs(i) if j not in kept)
    _trim(kept, top, scores, own, layout, keep=anchor)
    # a lead line ("Sowing time depends on the belt:") without a line it introduces misleads
    return [i for i in kept if not (top.sentences[i].rstrip().endswith(":") and i + 1 not in kept
                                    and not any(layout.lead[j] == i for j in kept))]


def _trim(kept: list[int], ev: "Evidence", scores: list[float], budget: float, layout: Layout, *,
          keep: int | None) -> None:
    """Drop the weakest sentences no other kept sentence needs until ``kept`` fits ``budget``."""
    while sum(_cost(ev.sentences[i]) for i in kept) > budget:
        needed = {j for i in kept for j in layout.needs(i)} | ({keep} if keep is not None else set())
        removable = [i for i in kept if i not in needed]
        if not removable:
            return
        kept.remove(min(removable, key=scores.__getitem__))


def pick_sentences(query_vector: "np.ndarray", query_text: str, evidence: list["Evidence"],
                   *, limit: int = 6, focus: list[str] | tuple[str, ...] = (), types: tuple[str, ...] = (),
                   wanted: frozenset[str] = frozenset()) -> list[PickedSentence]:
    """Choose up to ``limit`` sentences: a window from the top passage, then the best of the rest.

    ``types`` are the kinds of answer the question wants (see
    :func:`~agriadvisor.understanding.answer_type.answer_types`): a sentence that gives one is
    preferred, and always included. ``wanted`` are the seasons and belts the question names
    ("aman", "terai"): their sentences win over their siblings'. With ``limit`` 2 or less (an SMS)
    the answer is the best answering sentence and the line it needs, or the next best.
    """
    usable = [ev for ev in evidence if ev.sentence_vectors is not None and ev.sentences]
    if not usable or limit <= 0:
        return []
    weights = _word_weights(set(tokenize(query_text)), usable)
    focus = tuple(f.lower() for f in focus)
    kinds = frozenset(TYPE_KIND[t] for t in types if t in TYPE_KIND)
    asks = question_asks(query_text) | kinds
    scored = [(ev, _scores(ev, query_vector, weights, focus, asks, wanted)) for ev in usable]
    if limit <= 2:
        return _short(scored, limit, kinds or asks, wanted, focus)
    extra = 1 if limit >= 4 and len(usable) > 1 else 0
    top, scores = scored[0]
    kept = _top_passage(top, scores, limit - extra, kinds, focus)
    chosen = [(top.n, i, top.sentences[i], scores[i], top.sentence_vectors[i]) for i in sorted(kept)]
    limit = len(chosen) + extra
    rest = []
    for rank, (ev, ev_scores) in enumerate(scored[1:], 1):
        for i, (sent, sc) in enumerate(zip(ev.sentences, ev_scores)):
            if len(sent) >= MIN_SENTENCE_CHARS:
                rest.append((ev.n, i, sent, sc - RANK_PENALTY * rank, ev.sentence_vectors[i]))
    rest.sort(key=lambda c: c[3], reverse=True)
    for cand in rest:
        if len(chosen) >= limit:
            break
        if _duplicate(cand, chosen):
            continue
        chosen.append(cand)
    chosen.sort(key=lambda c: (c[0], c[1]))
    return [PickedSentence(n, pos, text, score) for n, pos, text, score, _ in chosen]


def _duplicate(cand: tuple, chosen: list[tuple]) -> bool:
    return any(float(cand[4] @ c[4]) > DUPLICATE_COSINE or cand[2] == c[2] for c in chosen)


def _short(scored: list[tuple["Evidence", list[float]]], limit: int, kinds: frozenset[str],
           wanted: frozenset[str], focus: tuple[str, ...] = ()) -> list[PickedSentence]:
    """An SMS answer from the best passage: its best sentences near each other, always with the
    best sentence of the kind asked for and the item head or lead line that sentence needs.

    Among parallel list items (the Terai, mid-hills and high-hills windows) the farmer's own belt
    or season wins, else the guide's first."""
    ev, scores = scored[0]
    start = _best_window(scores, limit + WINDOW_SLACK)
    window = [i for i in range(start, min(start + limit + WINDOW_SLACK, len(ev.sentences)))
              if not ev.sentences[i].rstrip().endswith(":")]
    picked = sorted(window, key=scores.__getitem__, reverse=True)[:limit]
    layout = _layout(ev)
    answering = _about_focus([i for i, t in enumerate(ev.sentences) if _carries(t, kinds)
                              and not t.rstrip().endswith(":")], ev, layout, focus)
    if answering and not any(i in answering for i in picked):
        anchor = _parallel_choice(ev, layout, max(answering, key=scores.__getitem__), kinds, wanted)
        picked = [anchor] + [i for i in picked if i != anchor][:limit - 1]
    elif answering:
        anchor = next(i for i in picked if i in answering)
        chosen = _parallel_choice(ev, layout, anchor, kinds, wanted)
        picked = [chosen] + [i for i in picked if i not in (anchor, chosen)][:limit - 1]
    else:
        anchor = picked[0] if picked else None
    if picked and layout.head[picked[0]] != picked[0] and limit >= 2:
        picked = [picked[0], layout.head[picked[0]]]  # a follow-on sentence of a list item needs the item's head
    picked = sorted(dict.fromkeys(picked[:limit]))
    return [PickedSentence(ev.n, i, ev.sentences[i], scores[i]) for i in picked]


def _about_focus(idx: list[int], ev: "Evidence", layout: Layout, focus: tuple[str, ...]) -> list[int]:
    """Of sentences ``idx``, those in a paragraph naming the pest or disease asked about (all if none is)."""
    if not focus:
        return idx
    def leads_with(t: str) -> bool:  # "Stem borer causes ...", not a list of every pest's name
        return any(name_pattern(f).search(" ".join(t.split()[:FOCUS_LEAD_WORDS])) for f in focus)

    about = [i for i in idx if any(name_pattern(f).search(ev.sentences[i]) for f in focus)
             or leads_with(ev.sentences[layout.same_line(i)[0]])]
    return about or idx


def _parallel_choice(ev: "Evidence", layout: Layout, i: int, kinds: frozenset[str], wanted: frozenset[str]) -> int:
    """For an item among parallel items that name a season or belt each, the farmer's own or the first."""
    heads = layout.siblings(i)
    named = [h for h in heads if sentence_mentions(ev.sentences[h])]
    if len(named) < 2 or layout.head[i] not in named:
        return i
    own = [h for h in named if wanted and sentence_mentions(ev.sentences[h]) & wanted]
    if own:
        return own[0] if layout.head[i] not in own else i
    if layout.head[i] != i:
        return i  # a follow-on sentence was chosen for what it says; its item's head comes with it
    first = [h for h in named if _carries(ev.sentences[h], kinds)] or named
    return first[0]


def compose(picked: list[PickedSentence]) -> str:
    """Join sentences; each run from one passage ends with its marker, e.g. ``Sow early. Use ... [1]``."""
    parts: list[str] = []
    for i, p in enumerate(picked):
        parts.append(p.text)
        last_of_run = i + 1 == len(picked) or picked[i + 1].n != p.n
        if last_of_run:
            parts[-1] = f"{p.text} [{p.n}]"
    return " ".join(parts)
