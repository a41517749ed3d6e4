"""Pick the evidence sentences that answer the question; state nothing the evidence does not say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agriadvisor.text import tokenize

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.backends.base import Evidence

MIN_SENTENCE_CHARS = 25
DUPLICATE_COSINE = 0.9
RANK_PENALTY = 0.04
OVERLAP_WEIGHT = 0.15


@dataclass(frozen=True)
class PickedSentence:
    """A sentence chosen for the answer and the evidence number it comes from."""

    n: int
    position: int
    text: str
    score: float


def pick_sentences(query_vector: "np.ndarray", query_text: str, evidence: list["Evidence"],
                   *, limit: int = 4) -> list[PickedSentence]:
    """Score every evidence sentence by cosine to the query, keyword overlap and passage rank;
    keep the best ``limit`` that are not near-duplicates, in reading order."""
    import numpy as np

    qtok = set(tokenize(query_text))
    cands: list[tuple[float, int, int, str, "np.ndarray"]] = []
    for rank, ev in enumerate(evidence):
        if ev.sentence_vectors is None or not ev.sentences:
            continue
        sims = ev.sentence_vectors @ query_vector
        for pos, (sent, sim) in enumerate(zip(ev.sentences, sims)):
            if len(sent) < MIN_SENTENCE_CHARS:
                continue
            overlap = len(qtok & set(tokenize(sent))) / len(qtok) if qtok else 0.0
            score = float(sim) + OVERLAP_WEIGHT * overlap - RANK_PENALTY * rank
            cands.append((score, ev.n, pos, sent, ev.sentence_vectors[pos]))
    cands.sort(key=lambda c: c[0], reverse=True)
    chosen: list[tuple[float, int, int, str, "np.ndarray"]] = []
    for cand in cands:
        if any(float(cand[4] @ c[4]) > DUPLICATE_COSINE or cand[3] == c[3] for c in chosen):
            continue
        chosen.append(cand)
        if len(chosen) == limit:
            break
    chosen.sort(key=lambda c: (c[1], c[2]))
    return [PickedSentence(n, pos, text, score) for score, n, pos, text, _ in chosen]


def compose(picked: list[PickedSentence]) -> str:
    """Join sentences, each followed by its citation marker, e.g. ``Sow in November. [1]``."""
    return " ".join(f"{p.text} [{p.n}]" for p in picked)
