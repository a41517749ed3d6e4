"""Which crop stage a question is about: cue words and glossary stage words vote, then a few
rules settle the cases where the votes mislead.

Votes: a cue phrase from :data:`~agriadvisor.understanding.keywords.STAGE_CUES` counts one per
word, a glossary stage word two. "Which variety" and "before sowing" count four for pre-sowing
and "sown 15 days ago" four for a growing crop, so the sowing verb that comes with them does not
win.
"""

from __future__ import annotations

from collections import Counter

import regex

from agriadvisor.knowledge.glossary import TermHit
from agriadvisor.text import phrase, phrase_index
from agriadvisor.understanding.keywords import AFTER_SOWING, BEFORE_SOWING, STAGE_CUES, VARIETY_WORDS
from agriadvisor.vocab import STAGES


_CUES = phrase_index(STAGE_CUES)
_PRE_SOWING_SIGNALS = frozenset(map(phrase, VARIETY_WORDS + BEFORE_SOWING))
_AFTER_SOWING = frozenset(map(phrase, AFTER_SOWING))
# "N days/weeks after sowing or transplanting", with the number or its word between
_WEEKS_AFTER_SOWING = regex.compile(
    r"(?:لوائی|کاشت|بوائی|بجائی|रोपाई|बुवाई|बुआई|रोपे|ropai|buvai|bowai|lawai|sowing|transplanting|planting)"
    r"\s+(?:کے|के|ke|ko|को)?\s*[\p{L}\p{N}]+\s+(?:ہفتے|ہفتوں|دن|सप्ताह|हफ्ते|दिन|hafte|din|days?|weeks?)\s+"
    r"(?:بعد|बाद|baad|bad|पछि|pachhi)", regex.IGNORECASE)


def word_grams(tokens: list[str]) -> list[str]:
    """Every run of one, two and three tokens."""
    return tokens + [" ".join(tokens[i:i + 2]) for i in range(len(tokens) - 1)] + \
        [" ".join(tokens[i:i + 3]) for i in range(len(tokens) - 2)]


def stage_votes(text: str, grams: list[str], hits: list[TermHit]) -> Counter[str]:
    """Votes for each stage from the question's words and its glossary stage words."""
    votes: Counter[str] = Counter()
    for g in grams:
        if g in _PRE_SOWING_SIGNALS:  # "which variety", "before sowing": whatever sowing verb comes too
            votes["pre_sowing"] += 4
        if g in _AFTER_SOWING:  # "sown 15 days ago": the crop is growing
            votes["vegetative"] += 4
        if g in _CUES:
            votes[_CUES[g]] += 1 + g.count(" ")
    seen: set[tuple[str, str]] = set()
    for h in hits:
        # one vote per word: "ropai" is in both the Hindi and the Nepali romanized lists
        if h.kind == "stage" and h.canonical in STAGES and (h.term.lower(), h.canonical) not in seen:
            seen.add((h.term.lower(), h.canonical))
            votes[h.canonical] += 2
    if _WEEKS_AFTER_SOWING.search(text):  # "لوائی کے دو ہفتے بعد", "रोपाई के 20 दिन बाद"
        votes["vegetative"] += 4
    return votes


def decide_stage(votes: Counter[str], topics: list[str], *, scene: bool = False) -> str | None:
    """The stage the votes point to, after the rules below; ``None`` when nothing voted."""
    votes = Counter(votes)
    if not votes and "storage" in topics:  # "godam me rakhna hai": keeping grain is after harvest
        votes["post_harvest"] = 1
    if scene:  # "maize after rice harvest": the harvest is the other crop's; this one is being sown
        for late in ("maturity", "post_harvest"):
            votes.pop(late, None)
        votes.setdefault("sowing", 1)
    if not votes:
        return None
    best = votes.most_common(1)[0][0]
    # "harvest and store": a question that names both is about the later step, storage
    if best == "maturity" and (votes.get("post_harvest") or "storage" in topics):
        best = "post_harvest"
    # "ears breaking, cut now or wait?": a harvest word beats the plant part it is about
    if best == "reproductive" and votes.get("maturity"):
        best = "maturity"
    return best
