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

from agriadvisor.answering.cues import cue_bonus, question_asks
from agriadvisor.text import name_pattern, tokenize

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
WINDOW_SLACK = 2  # the window holds this many more sentences than the answer; the weakest are dropped
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
            asks: frozenset[str] = frozenset()) -> list[float]:
    """Per sentence: cosine to the question, the weighted question words it shares, the pest or
    disease named, and whether it gives the kind of answer asked for (a date, a dose, a variety,
    a control measure)."""
    sims = ev.sentence_vectors @ query_vector
    out = []
    for s, t in zip(sims, ev.sentences):
        tokens = _sentence_tokens(t)
        score = float(s) + OVERLAP_WEIGHT * sum(v for w, v in weights.items() if w in tokens)
        if focus and any(name_pattern(f).search(t) for f in focus):
            score += FOCUS_WEIGHT
        score += cue_bonus(t, asks, CUE_WEIGHT)
        out.append(score)
    return out


def _best_window(scores: list[float], size: int) -> int:
    size = min(size, len(scores))
    sums = [sum(scores[i:i + size]) for i in range(len(scores) - size + 1)]
    return max(range(len(sums)), key=sums.__getitem__)


def pick_sentences(query_vector: "np.ndarray", query_text: str, evidence: list["Evidence"],
                   *, limit: int = 6, focus: list[str] | tuple[str, ...] = ()) -> list[PickedSentence]:
    """Choose up to ``limit`` sentences: a window from the top passage, then the best of the rest."""
    usable = [ev for ev in evidence if ev.sentence_vectors is not None and ev.sentences]
    if not usable or limit <= 0:
        return []
    weights = _word_weights(set(tokenize(query_text)), usable)
    focus = tuple(f.lower() for f in focus)
    asks = question_asks(query_text)
    extra = 1 if limit >= 4 and len(usable) > 1 else 0
    top = usable[0]
    scores = _scores(top, query_vector, weights, focus, asks)
    own = limit - extra
    start = _best_window(scores, own + WINDOW_SLACK)
    window = range(start, min(start + own + WINDOW_SLACK, len(top.sentences)))
    kept: list[int] = []
    used = 0.0
    for i in sorted(window, key=lambda i: scores[i], reverse=True):
        cost = 0.5 if len(top.sentences[i]) < SHORT_SENTENCE_CHARS else 1.0
        if used + cost <= own:
            kept.append(i)
            used += cost
    # a lead line ("Sowing time depends on the belt:") without the line it introduces misleads
    kept = [i for i in kept if not (top.sentences[i].rstrip().endswith(":") and i + 1 not in kept)]
    chosen = [(top.n, i, top.sentences[i], scores[i], top.sentence_vectors[i]) for i in sorted(kept)]
    limit = len(chosen) + extra
    rest = []
    for rank, ev in enumerate(usable[1:], 1):
        for i, (sent, sc) in enumerate(zip(ev.sentences, _scores(ev, query_vector, weights, focus, asks))):
            if len(sent) >= MIN_SENTENCE_CHARS:
                rest.append((ev.n, i, sent, sc - RANK_PENALTY * rank, ev.sentence_vectors[i]))
    rest.sort(key=lambda c: c[3], reverse=True)
    for cand in rest:
        if len(chosen) >= limit:
            break
        if any(float(cand[4] @ c[4]) > DUPLICATE_COSINE or cand[2] == c[2] for c in chosen):
            continue
        chosen.append(cand)
    chosen.sort(key=lambda c: (c[0], c[1]))
    return [PickedSentence(n, pos, text, score) for n, pos, text, score, _ in chosen]


def compose(picked: list[PickedSentence]) -> str:
    """Join sentences; each run from one passage ends with its marker, e.g. ``Sow early. Use ... [1]``."""
    parts: list[str] = []
    for i, p in enumerate(picked):
        parts.append(p.text)
        last_of_run = i + 1 == len(picked) or picked[i + 1].n != p.n
        if last_of_run:
            parts[-1] = f"{p.text} [{p.n}]"
    return " ".join(parts)
